// Checks that every rendered workload can read the Secrets it mounts: a
// Secret volume whose mode gives "others" no read bit is readable by the
// container's non-root user only through the pod's fsGroup, so the pod must
// set one (without it the process cannot read its certificate and exits).
//
//   kubectl kustomize deploy/k8s/overlays/prod | node secret-access.mjs prod
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const label = process.argv[2] ?? "stdin";
let failures = 0;
let checked = 0;
for (const document of parseAllDocuments(readFileSync(0, "utf8"))) {
  const object = document.toJS();
  if (object?.kind !== "Deployment" && object?.kind !== "StatefulSet") continue;
  const spec = object.spec.template.spec;
  for (const volume of spec.volumes ?? []) {
    if (volume.secret === undefined) continue;
    checked++;
    // Kubernetes' default mode is 0644.
    const mode = volume.secret.defaultMode ?? 0o644;
    const othersRead = (mode & 0o004) !== 0;
    if (!othersRead && spec.securityContext?.fsGroup === undefined) {
      console.error(`${label}: ${object.kind}/${object.metadata.name}: ` +
        `Secret volume ${volume.name} has mode 0${mode.toString(8)} but the ` +
        `pod sets no fsGroup, so its user cannot read it`);
      failures++;
    }
  }
}
if (failures > 0) process.exit(1);
console.log(`${label}: ${checked} Secret volumes readable by their pods`);
