// Validates rendered Kubernetes objects against the Kubernetes JSON schemas
// that the kubernetes-models package ships, offline.
//
//   kubectl kustomize deploy/k8s/overlays/prod | node validate.mjs prod
//
// Exits non-zero naming every object that fails, and when an object's kind
// has no schema here (so nothing passes unchecked).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const label = process.argv[2] ?? "stdin";
const documents = parseAllDocuments(readFileSync(0, "utf8"));
let failures = 0;
let checked = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    console.error(`${label}: YAML error: ${document.errors[0].message}`);
    failures++;
    continue;
  }
  const object = document.toJS();
  if (object === null) continue;
  const name = `${object.kind}/${object.metadata?.name}`;
  // Core objects live under kubernetes-models/v1, others under their group.
  const modulePath = `kubernetes-models/${object.apiVersion}`;
  let model;
  try {
    model = (await import(modulePath))[object.kind];
  } catch {
    model = undefined;
  }
  if (model === undefined) {
    console.error(`${label}: ${name}: no schema for ${object.apiVersion}`);
    failures++;
    continue;
  }
  try {
    new model(object).validate();
    checked++;
  } catch (error) {
    console.error(`${label}: ${name}: ${error.message}`);
    failures++;
  }
}
if (failures > 0) {
  console.error(`${label}: ${failures} object(s) failed validation`);
  process.exit(1);
}
console.log(`${label}: ${checked} objects valid`);
