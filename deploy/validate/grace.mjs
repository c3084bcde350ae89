// Checks that every rendered workload gives its service time to finish
// shutting down: terminationGracePeriodSeconds must exceed the
// --lame_duck_period plus --drain_timeout in the flag file it runs with
// (read from the rendered bulletin-config ConfigMap), with room to close.
//
//   kubectl kustomize deploy/k8s/overlays/prod | node grace.mjs prod
//
// Exits non-zero naming each workload whose grace period is too short.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// Time after the drain to stop threads and close the log.
const closeSeconds = 5;

const label = process.argv[2] ?? "stdin";
const objects = parseAllDocuments(readFileSync(0, "utf8"))
  .map((document) => document.toJS())
  .filter((object) => object !== null);

// Abseil durations as the flag files write them: 5s, 500ms, 1m, 1m30s.
function seconds(duration) {
  const units = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, value, unit] of duration.matchAll(/([\d.]+)(ms|h|m|s)/g)) {
    total += Number(value) * units[unit];
  }
  return total;
}

function flagValue(flags, name, fallback) {
  const line = flags.split("\n").find((l) => l.startsWith(`--${name}=`));
  return line === undefined ? fallback : line.slice(name.length + 3);
}

const flagFiles = {};
for (const object of objects) {
  if (object.kind === "ConfigMap") Object.assign(flagFiles, object.data ?? {});
}

let failures = 0;
let checked = 0;
for (const object of objects) {
  if (object.kind !== "Deployment" && object.kind !== "StatefulSet") continue;
  const spec = object.spec.template.spec;
  for (const container of spec.containers) {
    const flagfile = (container.args ?? [])
      .find((arg) => arg.startsWith("--flagfile="))
      ?.split("/")
      .pop();
    const flags = flagFiles[flagfile];
    if (flags === undefined) {
      console.error(`${label}: ${object.kind}/${object.metadata.name}: ` +
        `no flag file ${flagfile} in the rendered ConfigMaps`);
      failures++;
      continue;
    }
    // The binaries' defaults when a flag is absent.
    const needed = seconds(flagValue(flags, "lame_duck_period", "0s")) +
      seconds(flagValue(flags, "drain_timeout", "10s")) + closeSeconds;
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    if (grace < needed) {
      console.error(`${label}: ${object.kind}/${object.metadata.name}: ` +
        `terminationGracePeriodSeconds ${grace} < lame duck + drain + ` +
        `${closeSeconds}s = ${needed}s`);
      failures++;
    }
    checked++;
  }
}
if (failures > 0) process.exit(1);
console.log(`${label}: ${checked} grace periods cover lame duck and drain`);
