// Checks that a render deploys the log the overlay promises:
//
//   kubectl kustomize deploy/k8s/overlays/prod | node log-backend.mjs jetstream prod
//   kubectl kustomize deploy/k8s/overlays/dev  | node log-backend.mjs leveldb dev
//
// leveldb: ingest is one StatefulSet pod on the LevelDB log, on a volume
// of its own claim; no NATS.
// jetstream: a three-server NATS cluster (StatefulSet with routes to every
// peer by its stable name, a headless Service that publishes pods before
// they are ready, JetStream's store on a claim per pod, pinned image, NATS's
// /healthz as the probes, lame duck before SIGTERM, non-root, spread over
// nodes (hard) and zones (soft), a PodDisruptionBudget of one), a
// NetworkPolicy letting only ingest reach it, ingest as a Deployment of two
// or more stateless replicas with --log=jetstream at those servers and a
// PodDisruptionBudget, and query following ingest through dns:/// of a
// headless Service.
//
// Exits non-zero listing every broken property. checkLogBackend is also
// run against broken copies of the renders by log-backend-selftest.mjs.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import {
  bytes,
  effectiveFlags,
  find,
  natsConfig,
  readObjects,
  selects,
  workloads,
} from "./rendered.mjs";

const podLabels = (workload) => workload.spec.template.metadata?.labels ?? {};

function containerPort(container, nameOrNumber) {
  const port = (container.ports ?? []).find((p) =>
    p.name === nameOrNumber || p.containerPort === nameOrNumber);
  return port?.containerPort;
}

function budgetsFor(objects, workload) {
  return objects.filter((o) =>
    o.kind === "PodDisruptionBudget" &&
    selects(o.spec?.selector, podLabels(workload)));
}

function claimVolumes(workload) {
  return new Set((workload.spec.volumeClaimTemplates ?? [])
    .map((claim) => claim.metadata.name));
}

function checkLevelDb(objects, problems) {
  const ingest = find(objects, "StatefulSet", "ingest");
  if (ingest === undefined) {
    problems.push("ingest is not a StatefulSet");
    return;
  }
  if ((ingest.spec.replicas ?? 1) !== 1) {
    problems.push(`ingest has ${ingest.spec.replicas} replicas; the ` +
      "LevelDB log has one writer");
  }
  const spec = ingest.spec.template.spec;
  const container = spec.containers[0];
  const flags = effectiveFlags(objects, spec, container).values;
  if ((flags.get("log") ?? "leveldb") !== "leveldb") {
    problems.push(`ingest runs --log=${flags.get("log")}, not leveldb`);
  }
  const dataDir = flags.get("data_dir");
  const mount = (container.volumeMounts ?? []).find((m) =>
    dataDir?.startsWith(m.mountPath.replace(/\/$/, "") + "/"));
  if (dataDir === undefined || mount === undefined ||
      !claimVolumes(ingest).has(mount.name)) {
    problems.push(`ingest's --data_dir (${dataDir}) is not on a volume ` +
      "of its own PersistentVolumeClaim");
  }
  if (workloads(objects).some((w) => natsConfig(objects,
    w.spec.template.spec, w.spec.template.spec.containers[0]))) {
    problems.push("a NATS server is deployed where the log is LevelDB");
  }
}

function checkNats(objects, nats, problems) {
  const name = `StatefulSet/${nats.metadata.name}`;
  const spec = nats.spec.template.spec;
  const container = spec.containers[0];
  const config = natsConfig(objects, spec, container);
  const replicas = nats.spec.replicas ?? 1;
  if (replicas !== 3) problems.push(`${name} has ${replicas} replicas, not 3`);
  if (nats.spec.podManagementPolicy !== "Parallel") {
    problems.push(`${name}: podManagementPolicy must be Parallel (no ` +
      "server is ready before a quorum has met)");
  }
  if (!/(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(container.image) ||
      /:latest$/.test(container.image)) {
    problems.push(`${name}: image ${container.image} is not pinned`);
  }
  // Routes: every server by <pod>.<headless service>:<cluster port>.
  const clusterPort = containerPort(container, "cluster");
  const expected = [...Array(replicas).keys()].map((i) =>
    `nats://${nats.metadata.name}-${i}.${nats.spec.serviceName}:${clusterPort}`);
  const routes = config.routes.map((r) => r.replace(/^nats-route:/, "nats:"));
  if (expected.sort().join() !== [...routes].sort().join()) {
    problems.push(`${name}: cluster routes [${routes}] are not every ` +
      `server [${expected}]`);
  }
  if (!config.block("jetstream")) {
    problems.push(`${name}: JetStream is not enabled in ${config.path}`);
  }
  const serverName = config.setting("server_name");
  const envName = serverName?.replace(/^\$/, "");
  const env = (container.env ?? []).find((e) => e.name === envName);
  if (env?.valueFrom?.fieldRef?.fieldPath !== "metadata.name") {
    problems.push(`${name}: server_name (${serverName}) is not the pod's ` +
      "name, which JetStream needs stable and unique");
  }
  // JetStream's store on a claim of each pod, and smaller than it.
  const storeDir = config.setting("store_dir");
  const storeMount = (container.volumeMounts ?? []).find((m) =>
    m.mountPath.replace(/\/$/, "") === storeDir?.replace(/\/$/, ""));
  const claim = (nats.spec.volumeClaimTemplates ?? []).find((c) =>
    c.metadata.name === storeMount?.name);
  if (claim === undefined) {
    problems.push(`${name}: JetStream's store_dir (${storeDir}) is not a ` +
      "PersistentVolumeClaim of each pod");
  } else {
    const limit = bytes(config.setting("max_file_store"));
    const size = bytes(claim.spec.resources.requests.storage);
    if (!(limit < size)) {
      problems.push(`${name}: max_file_store ` +
        `${config.setting("max_file_store")} does not fit the claim's ` +
        `${claim.spec.resources.requests.storage}`);
    }
  }
  if (config.setting("max_memory_store") === undefined) {
    problems.push(`${name}: no max_memory_store limit`);
  }
  // The headless Service the routes name.
  const headless = find(objects, "Service", nats.spec.serviceName);
  if (headless === undefined || headless.spec.clusterIP !== "None" ||
      headless.spec.publishNotReadyAddresses !== true ||
      !selects({ matchLabels: headless.spec.selector }, podLabels(nats)) ||
      !(headless.spec.ports ?? []).some((p) => p.port === clusterPort)) {
    problems.push(`${name}: Service ${nats.spec.serviceName} must be ` +
      "headless, publish not-ready pods, select the servers and carry " +
      "the cluster port");
  }
  // NATS's own health endpoint on its monitoring port.
  const monitorPort = Number(/:(\d+)$/.exec(config.setting("http") ?? "")?.[1]);
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const get = container[probe]?.httpGet;
    const port = typeof get?.port === "string"
      ? containerPort(container, get.port) : get?.port;
    if (!get?.path?.startsWith("/healthz") || port !== monitorPort) {
      problems.push(`${name}: ${probe} is not NATS's /healthz on the ` +
        `monitoring port ${monitorPort}`);
    }
  }
  if (container.readinessProbe?.httpGet?.path !== "/healthz") {
    problems.push(`${name}: readiness must be the full /healthz (current ` +
      "with every stream), so drains and updates wait for a catching-up " +
      "server");
  }
  // Lame duck before the kubelet's SIGTERM.
  const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
  const pidFile = config.setting("pid_file");
  const pidMount = (container.volumeMounts ?? []).find((m) =>
    pidFile?.startsWith(m.mountPath.replace(/\/$/, "") + "/"));
  const pidVolume = (spec.volumes ?? []).find((v) => v.name === pidMount?.name);
  if (!preStop.includes(`ldm=${pidFile}`) || pidVolume?.emptyDir === undefined) {
    problems.push(`${name}: preStop must signal the lame duck ` +
      `(ldm=${pidFile}) through a pid file on a writable volume`);
  }
  // Non-root, read-only root.
  if (spec.securityContext?.runAsNonRoot !== true ||
      container.securityContext?.readOnlyRootFilesystem !== true ||
      container.securityContext?.allowPrivilegeEscalation !== false) {
    problems.push(`${name}: must run as non-root with a read-only root and ` +
      "no privilege escalation");
  }
  if (container.resources?.limits?.memory === undefined) {
    problems.push(`${name}: no memory limit`);
  }
  // Spread: never two servers on a node; over zones where possible.
  const spread = spec.topologySpreadConstraints ?? [];
  const hardNodes = spread.some((c) =>
    c.topologyKey === "kubernetes.io/hostname" && c.maxSkew === 1 &&
    c.whenUnsatisfiable === "DoNotSchedule" && (c.minDomains ?? 0) >= replicas &&
    selects(c.labelSelector, podLabels(nats))) ||
    (spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [])
      .some((t) => t.topologyKey === "kubernetes.io/hostname" &&
        selects(t.labelSelector, podLabels(nats)));
  if (!hardNodes) {
    problems.push(`${name}: two servers may share a node (no hard spread ` +
      "over kubernetes.io/hostname with minDomains, nor anti-affinity)");
  }
  if (!spread.some((c) => c.topologyKey === "topology.kubernetes.io/zone" &&
      selects(c.labelSelector, podLabels(nats)))) {
    problems.push(`${name}: not spread over zones`);
  }
  const budgets = budgetsFor(objects, nats);
  if (!budgets.some((b) => b.spec.maxUnavailable === 1 ||
      b.spec.minAvailable === replicas - 1)) {
    problems.push(`${name}: no PodDisruptionBudget keeping ${replicas - 1} ` +
      `of ${replicas} servers`);
  }
  return { clientPort: containerPort(container, "client"), clusterPort };
}

// Only ingest pods may reach the client port, only servers the routes.
function checkNatsPolicy(objects, nats, ports, ingestLabels, problems) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy" &&
    selects(o.spec.podSelector, podLabels(nats)) &&
    (o.spec.policyTypes ?? ["Ingress"]).includes("Ingress"));
  if (policies.length === 0) {
    problems.push("no NetworkPolicy selects the NATS servers");
    return;
  }
  for (const policy of policies) {
    for (const rule of policy.spec.ingress ?? []) {
      const from = rule.from ?? [];
      const rulePorts = (rule.ports ?? []).map((p) => p.port);
      const allowed = (labels) => from.length > 0 && from.every((peer) =>
        peer.namespaceSelector === undefined && peer.ipBlock === undefined &&
        selects(peer.podSelector, labels));
      for (const [port, labels, who] of [
        [ports.clientPort, ingestLabels, "ingest"],
        [ports.clusterPort, podLabels(nats), "the NATS servers"]]) {
        const opens = rulePorts.length === 0 || rulePorts.includes(port);
        if (opens && !allowed(labels)) {
          problems.push(`NetworkPolicy/${policy.metadata.name} lets more ` +
            `than ${who} reach NATS port ${port}`);
        }
      }
    }
  }
}

function checkJetStream(objects, problems) {
  const ingest = find(objects, "Deployment", "ingest");
  if (ingest === undefined) {
    problems.push("ingest is not a Deployment");
    return;
  }
  if (!((ingest.spec.replicas ?? 1) >= 2)) {
    problems.push(`ingest has ${ingest.spec.replicas ?? 1} replica(s), not 2 ` +
      "or more");
  }
  const spec = ingest.spec.template.spec;
  const flags = effectiveFlags(objects, spec, spec.containers[0]).values;
  if (flags.get("log") !== "jetstream") {
    problems.push(`ingest runs --log=${flags.get("log") ?? "leveldb"}, not ` +
      "jetstream");
  }
  if ((spec.volumes ?? []).some((v) => v.persistentVolumeClaim !== undefined) ||
      ingest.spec.volumeClaimTemplates !== undefined) {
    problems.push("stateless ingest replicas mount a PersistentVolumeClaim");
  }
  if (budgetsFor(objects, ingest).length === 0) {
    problems.push("no PodDisruptionBudget selects the ingest replicas");
  }
  // The servers ingest is pointed at are the pods of one NATS StatefulSet.
  const urls = (flags.get("nats_url") ?? "").split(",").filter((u) => u);
  const hosts = urls.map((u) => /^(?:nats|tls):\/\/([^:/]+):(\d+)$/.exec(u));
  const serviceName = hosts[0]?.[1].split(".")[1];
  const nats = objects.find((o) => o.kind === "StatefulSet" &&
    o.spec.serviceName === serviceName);
  if (nats === undefined) {
    problems.push(`ingest's --nats_url (${urls}) names no NATS StatefulSet's ` +
      "pods");
    return;
  }
  const ports = checkNats(objects, nats, problems);
  const expected = [...Array(nats.spec.replicas ?? 1).keys()].map((i) =>
    `${nats.metadata.name}-${i}.${nats.spec.serviceName}:${ports.clientPort}`);
  const named = hosts.map((h) => h && `${h[1]}:${h[2]}`);
  if (expected.sort().join() !== [...named].sort().join()) {
    problems.push(`ingest's --nats_url (${urls}) is not every NATS server ` +
      `(${expected})`);
  }
  const streamReplicas = Number(flags.get("nats_replicas") ?? 3);
  if (streamReplicas !== 3 || streamReplicas > (nats.spec.replicas ?? 1)) {
    problems.push(`ingest's --nats_replicas ${streamReplicas}: the stream ` +
      `needs 3 copies on ${nats.spec.replicas} servers`);
  }
  checkNatsPolicy(objects, nats, ports, podLabels(ingest), problems);
  // Query replicas follow every ingest replica through a headless Service.
  const query = find(objects, "Deployment", "query");
  const querySpec = query?.spec.template.spec;
  const target = query && effectiveFlags(objects, querySpec,
    querySpec.containers[0]).values.get("ingest_addr");
  const match = /^dns:\/\/\/([^:/]+):(\d+)$/.exec(target ?? "");
  const service = match && find(objects, "Service", match[1]);
  if (service?.spec.clusterIP !== "None" ||
      !selects({ matchLabels: service.spec.selector }, podLabels(ingest)) ||
      !(service.spec.ports ?? []).some((p) => p.port === Number(match[2]))) {
    problems.push(`query's --ingest_addr (${target}) is not dns:/// of a ` +
      "headless Service of the ingest replicas");
  }
}

export function checkLogBackend(objects, expect) {
  const problems = [];
  if (expect === "leveldb") checkLevelDb(objects, problems);
  else if (expect === "jetstream") checkJetStream(objects, problems);
  else problems.push(`unknown log backend ${expect}`);
  return problems;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [expect, label = "stdin"] = process.argv.slice(2);
  const problems = checkLogBackend(readObjects(readFileSync(0, "utf8")), expect);
  for (const problem of problems) console.error(`${label}: ${problem}`);
  if (problems.length > 0) process.exit(1);
  console.log(`${label}: deploys the ${expect} log as promised`);
}
