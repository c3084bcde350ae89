// Checks that every rendered workload gives its process time to finish
// shutting down before the kubelet's SIGKILL:
// - bulletin services: terminationGracePeriodSeconds must exceed the
//   --lame_duck_period plus --drain_timeout they run with (flag files from
//   the rendered ConfigMaps, then arguments), with room to close;
// - nats-server: it must exceed the lame duck its configuration asks for
//   (a second to hand over leaderships, then lame_duck_duration, which
//   includes lame_duck_grace_period), with room to shut down.
//
//   kubectl kustomize deploy/k8s/overlays/prod | node grace.mjs prod
//
// Exits non-zero naming each workload whose grace period is too short.
import { readFileSync } from "node:fs";
import {
  effectiveFlags,
  natsConfig,
  readObjects,
  seconds,
  workloads,
} from "./rendered.mjs";

// Time after the drain (or the lame duck) to stop threads and close files.
const closeSeconds = 5;

const label = process.argv[2] ?? "stdin";
const objects = readObjects(readFileSync(0, "utf8"));

let failures = 0;
let checked = 0;
for (const object of workloads(objects)) {
  const spec = object.spec.template.spec;
  const name = `${object.kind}/${object.metadata.name}`;
  for (const container of spec.containers) {
    let needed;
    let what;
    const nats = natsConfig(objects, spec, container);
    if (nats !== undefined) {
      // nats-server 2.9's default duration is 2 minutes; the grace period
      // (default 10 s) runs inside it, and cannot exceed it.
      needed = 1 + Math.max(
        seconds(nats.setting("lame_duck_duration") ?? "2m"),
        seconds(nats.setting("lame_duck_grace_period") ?? "10s")) +
        closeSeconds;
      what = "leader handover + lame duck";
    } else {
      const flags = effectiveFlags(objects, spec, container);
      if (flags.missing.length > 0) {
        console.error(`${label}: ${name}: no flag file ` +
          `${flags.missing.join(", ")} in the rendered ConfigMaps`);
        failures++;
        continue;
      }
      // The binaries' defaults when a flag is absent.
      needed = seconds(flags.values.get("lame_duck_period") ?? "0s") +
        seconds(flags.values.get("drain_timeout") ?? "10s") + closeSeconds;
      what = "lame duck + drain";
    }
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    if (grace < needed) {
      console.error(`${label}: ${name}: terminationGracePeriodSeconds ` +
        `${grace} < ${what} + ${closeSeconds}s = ${needed}s`);
      failures++;
    }
    checked++;
  }
}
if (failures > 0) process.exit(1);
console.log(`${label}: ${checked} grace periods cover lame duck and drain`);
