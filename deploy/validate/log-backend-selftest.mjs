// Proves log-backend.mjs catches what it claims to: each case breaks one
// property in a copy of a real render and must be reported; the renders
// themselves must pass.
//
//   node log-backend-selftest.mjs prod.yaml dev.yaml
import { readFileSync } from "node:fs";
import { checkLogBackend } from "./log-backend.mjs";
import { find, readObjects } from "./rendered.mjs";

const [prodFile, devFile] = process.argv.slice(2);
const renders = {
  jetstream: readObjects(readFileSync(prodFile, "utf8")),
  leveldb: readObjects(readFileSync(devFile, "utf8")),
};
const nats = (o) => find(o, "StatefulSet", "nats");
const natsPod = (o) => nats(o).spec.template.spec;
const natsContainer = (o) => natsPod(o).containers[0];
const natsConf = (o) => find(o, "ConfigMap",
  natsPod(o).volumes.find((v) => v.name === "config").configMap.name).data;
const ingest = (o) => find(o, "Deployment", "ingest");
const flagFile = (o, file) => find(o, "ConfigMap",
  o.find((x) => x.kind === "ConfigMap" && x.data?.[file] !== undefined)
    .metadata.name).data;
const policy = (o) => find(o, "NetworkPolicy", "nats");

const cases = {
  jetstream: {
    "two NATS servers": (o) => { nats(o).spec.replicas = 2; },
    "ordered start": (o) => { delete nats(o).spec.podManagementPolicy; },
    "unpinned image": (o) => { natsContainer(o).image = "nats"; },
    "a route missing": (o) => {
      const c = natsConf(o);
      c["nats.conf"] = c["nats.conf"].replace(/^.*nats-2\.nats-headless:6222.*$/m, "");
    },
    "route to the wrong port": (o) => {
      const c = natsConf(o);
      c["nats.conf"] = c["nats.conf"].replaceAll(":6222", ":7222");
    },
    "store off the claim": (o) => {
      const c = natsConf(o);
      c["nats.conf"] = c["nats.conf"].replace(/store_dir: \S+/, "store_dir: /tmp/js");
    },
    "store larger than the claim": (o) => {
      const c = natsConf(o);
      c["nats.conf"] = c["nats.conf"].replace(/max_file_store: \S+/, "max_file_store: 500GB");
    },
    "no JetStream": (o) => {
      const c = natsConf(o);
      c["nats.conf"] = c["nats.conf"].replace("jetstream {", "jetstreamx {");
    },
    "server name not the pod's": (o) => {
      natsContainer(o).env = natsContainer(o).env.filter((e) => e.name !== "POD_NAME");
    },
    "headless Service hides unready pods": (o) => {
      find(o, "Service", "nats-headless").spec.publishNotReadyAddresses = false;
    },
    "readiness not /healthz": (o) => {
      natsContainer(o).readinessProbe = { tcpSocket: { port: 4222 } };
    },
    "readiness only js-enabled": (o) => {
      natsContainer(o).readinessProbe.httpGet.path = "/healthz?js-enabled-only=true";
    },
    "no lame duck": (o) => { delete natsContainer(o).lifecycle; },
    "runs as root": (o) => { natsPod(o).securityContext.runAsNonRoot = false; },
    "may share a node": (o) => {
      natsPod(o).topologySpreadConstraints[0].whenUnsatisfiable = "ScheduleAnyway";
    },
    "not over zones": (o) => {
      natsPod(o).topologySpreadConstraints.splice(1, 1);
    },
    "no NATS budget": (o) => {
      o.splice(o.indexOf(find(o, "PodDisruptionBudget", "nats")), 1);
    },
    "NATS open to every pod": (o) => {
      policy(o).spec.ingress[0].from = [{ podSelector: {} }];
    },
    "NATS open on every port": (o) => { delete policy(o).spec.ingress[0].ports; },
    "no NATS policy": (o) => { o.splice(o.indexOf(policy(o)), 1); },
    "one ingest replica": (o) => { ingest(o).spec.replicas = 1; },
    "ingest on LevelDB": (o) => {
      const f = flagFile(o, "ingest-jetstream.flags");
      f["ingest-jetstream.flags"] = f["ingest-jetstream.flags"].replace("--log=jetstream", "");
    },
    "ingest at other servers": (o) => {
      const f = flagFile(o, "ingest-jetstream.flags");
      f["ingest-jetstream.flags"] = f["ingest-jetstream.flags"]
        .replace(",nats://nats-2.nats-headless:4222", "");
    },
    "a single stream copy": (o) => {
      ingest(o).spec.template.spec.containers[0].args.push("--nats_replicas=1");
    },
    "ingest with a claim": (o) => {
      ingest(o).spec.template.spec.volumes.push(
        { name: "log", persistentVolumeClaim: { claimName: "log" } });
    },
    "no ingest budget": (o) => {
      o.splice(o.indexOf(find(o, "PodDisruptionBudget", "ingest")), 1);
    },
    "query pinned to one ingest": (o) => {
      find(o, "Deployment", "query").spec.template.spec.containers[0].args
        .push("--ingest_addr=ingest-0.ingest:50051");
    },
  },
  leveldb: {
    "two LevelDB writers": (o) => { find(o, "StatefulSet", "ingest").spec.replicas = 2; },
    "log off the claim": (o) => {
      find(o, "StatefulSet", "ingest").spec.template.spec.containers[0].args
        .push("--data_dir=/tmp/log");
    },
    "ingest on JetStream": (o) => {
      find(o, "StatefulSet", "ingest").spec.template.spec.containers[0].args
        .push("--log=jetstream");
    },
  },
};

let failures = 0;
let passed = 0;
for (const [backend, objects] of Object.entries(renders)) {
  const clean = checkLogBackend(objects, backend);
  if (clean.length > 0) {
    console.error(`log-backend-selftest: the ${backend} render fails: ${clean}`);
    failures++;
  }
  for (const [name, breakIt] of Object.entries(cases[backend])) {
    const copy = structuredClone(objects);
    breakIt(copy);
    if (checkLogBackend(copy, backend).length === 0) {
      console.error(`log-backend-selftest: ${backend}: "${name}" not caught`);
      failures++;
    } else {
      passed++;
    }
  }
}
if (failures > 0) process.exit(1);
console.log(`log-backend-selftest: ${passed} broken renders caught`);
