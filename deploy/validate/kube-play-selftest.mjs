// Checks the reduction scripts/container-test.sh runs the overlays through
// (kube-play.mjs) on the real renders, offline, so CI catches a render that
// the podman test would no longer run as the overlay means:
//
//   node kube-play-selftest.mjs rendered/prod.yaml rendered/dev.yaml
//
// For each render: only kinds kube play 4.3.1 takes come out; no probe,
// hook, published port, Secret, ConfigMap or emptyDir volume is left for
// podman to mishandle; every
// address a service dials (--ingest_addr, --nats_url, NATS routes) is a
// host alias of every pod; every claim a pod mounts is declared; Secret
// files get the volume's mode and the pod's fsGroup, and root's group
// when a pod has no fsGroup (the crash loop of issue 20 reproduces); a
// Secret nobody provided is an error, not an empty directory.
import { readFileSync } from "node:fs";
import { reduce } from "./kube-play.mjs";
import { effectiveFlags, natsConfig, readObjects, workloads } from
  "./rendered.mjs";

let failures = 0;
const check = (ok, what) => {
  if (!ok) {
    console.error(`kube-play-selftest: ${what}`);
    failures++;
  }
};

// A Secret for every Secret volume, with one key.
function withSecrets(objects) {
  const names = new Set(workloads(objects).flatMap((w) =>
    (w.spec.template.spec.volumes ?? []).filter((v) => v.secret)
      .map((v) => v.secret.secretName)));
  return [...objects, ...[...names].map((name) => ({ apiVersion: "v1",
    kind: "Secret", metadata: { name }, stringData: { "tls.key": name } }))];
}

// The host part of every address the workload's containers dial.
function dialedHosts(objects, workload) {
  const spec = workload.spec.template.spec;
  return spec.containers.flatMap((container) => {
    const flags = effectiveFlags(objects, spec, container).values;
    const addresses = [flags.get("ingest_addr"), flags.get("nats_url")]
      .filter((a) => a !== undefined).flatMap((a) => a.split(","));
    addresses.push(...(natsConfig(objects, spec, container)?.routes ?? []));
    return addresses.map((a) =>
      a.replace(/^[a-z]+:\/\/\/?/, "").replace(/:\d+$/, ""));
  });
}

for (const path of process.argv.slice(2)) {
  const objects = withSecrets(readObjects(readFileSync(path, "utf8")));
  const { documents, plan, files } =
    reduce(objects, { subnet: "10.89.1", state: "/state" });
  const pods = documents.filter((d) => d.kind === "Pod");
  for (const document of documents) {
    check(["ConfigMap", "PersistentVolumeClaim", "Pod"]
      .includes(document.kind), `${path}: ${document.kind} left in the play`);
  }
  const replicas = workloads(objects)
    .reduce((sum, w) => sum + (w.spec.replicas ?? 1), 0);
  check(pods.length === replicas && plan.pods.length === replicas,
    `${path}: ${pods.length} pods for ${replicas} replicas`);
  check(new Set(plan.pods.map((p) => p.ip)).size === replicas,
    `${path}: two pods share an address`);
  const claims = new Set(documents
    .filter((d) => d.kind === "PersistentVolumeClaim")
    .map((d) => d.metadata.name));
  for (const pod of pods) {
    const name = pod.metadata.name;
    for (const container of pod.spec.containers) {
      for (const field of ["startupProbe", "readinessProbe", "livenessProbe",
        "lifecycle", "ports"]) {
        check(container[field] === undefined, `${path}: ${name} keeps ${field}`);
      }
    }
    for (const volume of pod.spec.volumes) {
      check(volume.secret === undefined && volume.emptyDir === undefined &&
        volume.configMap === undefined,
        `${path}: ${name} keeps volume ${volume.name} as podman cannot run it`);
      if (volume.persistentVolumeClaim !== undefined) {
        check(claims.has(volume.persistentVolumeClaim.claimName),
          `${path}: ${name} mounts an undeclared claim`);
      }
    }
    const aliases = new Set(pod.spec.hostAliases.flatMap((h) => h.hostnames));
    for (const workload of workloads(objects)) {
      for (const host of dialedHosts(objects, workload)) {
        check(aliases.has(host),
          `${path}: ${name} cannot resolve ${host}, which ` +
          `${workload.metadata.name} dials`);
      }
    }
  }
  const secretFiles = files.filter((f) => f.kind === "Secret");
  check(secretFiles.length > 0 || !/secretName/.test(JSON.stringify(objects)),
    `${path}: no Secret files laid out`);
  for (const file of secretFiles) {
    check(file.gid === 10001 && (file.mode & 0o004) === 0,
      `${path}: ${file.path} mode 0${file.mode.toString(8)} group ${file.gid}`);
  }

  // Without fsGroup the files stay root's, unreadable by uid 10001.
  const bare = structuredClone(objects);
  for (const workload of workloads(bare)) {
    delete workload.spec.template.spec.securityContext?.fsGroup;
  }
  for (const file of reduce(bare, { subnet: "10.89.1", state: "/s" }).files
    .filter((f) => f.kind === "Secret")) {
    check(file.gid === 0, `${path}: without fsGroup ${file.path} is group ${file.gid}`);
  }
  // A Secret nobody provided.
  if (secretFiles.length > 0) {
    let threw = false;
    try {
      reduce(objects.filter((o) => o.kind !== "Secret"),
        { subnet: "10.89.1", state: "/s" });
    } catch {
      threw = true;
    }
    check(threw, `${path}: a missing Secret went unnoticed`);
  }
  console.log(`${path}: ${pods.length} pods, ${plan.reductions.length} ` +
    "reductions for kube play");
}
if (failures > 0) process.exit(1);
