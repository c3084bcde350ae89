// Writes the configuration the rendered NATS StatefulSet's servers read
// (every file of the ConfigMaps mounted in its container) under DIR,
// keeping their paths, and prints the --config path and the mount path of
// each Secret volume, for nats-cluster.sh.
//
//   node nats-config.mjs DIR < prod.yaml
//   # config /etc/nats/nats.conf
//   # secret /etc/nats/tls
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { find, natsConfig, readObjects, workloads } from "./rendered.mjs";

const directory = process.argv[2];
const objects = readObjects(readFileSync(0, "utf8"));
const nats = workloads(objects).find((w) => natsConfig(objects,
  w.spec.template.spec, w.spec.template.spec.containers[0]) !== undefined);
if (nats === undefined) {
  console.error("nats-config: no workload runs nats-server --config");
  process.exit(1);
}
const spec = nats.spec.template.spec;
const container = spec.containers[0];
for (const mount of container.volumeMounts ?? []) {
  const volume = spec.volumes.find((v) => v.name === mount.name);
  if (volume?.configMap !== undefined) {
    const data = find(objects, "ConfigMap", volume.configMap.name).data;
    mkdirSync(directory + mount.mountPath, { recursive: true });
    for (const [file, text] of Object.entries(data)) {
      writeFileSync(`${directory}${mount.mountPath}/${file}`, text);
    }
  } else if (volume?.secret !== undefined) {
    console.log(`secret ${mount.mountPath}`);
  }
}
console.log(`config ${natsConfig(objects, spec, container).path}`);
