// Reduces a rendered overlay to what `podman kube play` of Debian 12
// (podman 4.3.1) can run, and says what it changed, so that
// scripts/container-test.sh runs the overlay's own pods, flags, ConfigMaps,
// Secrets, users and volumes on one machine:
//
//   kubectl kustomize deploy/k8s/overlays/prod | cat - secrets.yaml |
//     node kube-play.mjs --subnet=10.89.42 --state=DIR --plan=plan.json >play.yaml
//
// kube play 4.3.1 takes Pods, Deployments, PersistentVolumeClaims and
// ConfigMaps. What it cannot express, and what takes its place:
//   - StatefulSets and Deployments become their replicas' Pods (<name>-<i>,
//     and <name>-pod-<i> as kube play names a Deployment's), each with its
//     own volumes; a StatefulSet pod gets its hostname and one claim per
//     volumeClaimTemplate (<claim>-<name>-<i>).
//   - Services: kube play has no Service and no cluster DNS. Each pod gets
//     hostAliases for every Service name (svc, svc.ns, svc.ns.svc,
//     svc.ns.svc.cluster.local; a headless Service also
//     <hostname>.svc...) at the static addresses of the pods it selects.
//   - Secrets: kube play 4.3.1 neither creates them from a Secret document
//     nor decodes their data, and ignores defaultMode and fsGroup. A Secret
//     volume becomes a host directory (under --state) laid out as the
//     kubelet does: each key a file of the volume's mode, owned by root and
//     by the pod's fsGroup (root without one, so a pod that forgot fsGroup
//     fails here as it would on Kubernetes).
//   - ConfigMap volumes: the same host directories, since kube play cannot
//     make the mount point of a volume nested in one (the prod pods mount
//     their TLS Secrets below their configuration), which the kubelet does.
//   - emptyDir: a host directory per pod, mode 0777 (02777 and the
//     fsGroup's group with one), as the kubelet makes it; sizeLimit and
//     medium are not enforced.
//   - fsGroup: podman ignores it; it is added to supplementalGroups, as the
//     kubelet adds it to the process's groups.
//   - Container ports: kube play 4.3.1 publishes every containerPort on
//     the host at the same number (two pods with 9090 collide); they are
//     dropped, and pods are reached at their addresses.
//   - Probes and lifecycle hooks: kube play ignores startup and readiness
//     probes and hooks, runs a liveness probe as a shell command inside the
//     container (the images have no shell) and knows no gRPC probe; all are
//     dropped. The test asks the same endpoints from outside (/readyz,
//     /healthz) and runs the preStop exec hooks (plan.hooks) itself.
//   - Namespace, ServiceAccount, NetworkPolicy, PodDisruptionBudget,
//     HorizontalPodAutoscaler: dropped (no API server, scheduler or network
//     policy in podman). topologySpreadConstraints, affinity and CPU
//     requests mean nothing on one machine. terminationGracePeriodSeconds
//     is not podman's stop timeout (10 s): the plan carries it, and the
//     test stops pods with `podman pod stop -t`. deploy/validate/*.mjs
//     check the rest offline.
//
// --plan writes {pods: [{name, ip, workload, grace}], hosts: [{ip, hostnames}],
// hooks: [{container, command}], volumes: [...], reductions: [...]}: kube play takes the pods' addresses
// in that order (--ip) and makes those named volumes. --state is where the Secret and emptyDir directories go (run as
// root: the files get the kubelet's owners).
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from
  "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { stringify } from "yaml";
import { readObjects, selects } from "./rendered.mjs";

const dropped = {
  Namespace: "podman has no namespaces",
  ServiceAccount: "no API server; the pods mount no token anyway",
  NetworkPolicy: "not enforced: podman has no network policy",
  PodDisruptionBudget: "no evictions on one machine",
  HorizontalPodAutoscaler: "no autoscaler: the Deployment runs one replica",
  Service: "no Services: their names become hostAliases",
  Secret: "laid out as files by the reduction (kube play 4.3.1 cannot)",
  ConfigMap: "laid out as files by the reduction",
};
const kept = new Set(["PersistentVolumeClaim"]);

const clone = (value) => structuredClone(value);

// The pods a workload runs: [{name, hostname, subdomain, claims}].
function podsOf(workload) {
  const replicas = workload.spec.replicas ?? 1;
  const name = workload.metadata.name;
  return Array.from({ length: replicas }, (_, i) => {
    if (workload.kind === "Deployment") {
      return { name: `${name}-pod-${i}`, claims: [] };
    }
    return {
      name: `${name}-${i}`,
      hostname: `${name}-${i}`,
      subdomain: workload.spec.serviceName,
      claims: (workload.spec.volumeClaimTemplates ?? []).map((template) => ({
        volume: template.metadata.name,
        claim: `${template.metadata.name}-${name}-${i}`,
        spec: template.spec,
      })),
    };
  });
}

function serviceNames(service, pod) {
  const namespace = service.metadata.namespace ?? "default";
  const names = [service.metadata.name];
  if (service.spec.clusterIP === "None" && pod.subdomain === names[0]) {
    names.push(`${pod.hostname}.${names[0]}`);
  }
  return names.flatMap((name) => [name, `${name}.${namespace}`,
    `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`]);
}

// Reduces `objects` (a render plus its Secrets). Pure: returns the
// documents to play, the plan, and the files and directories to lay out
// ({path, mode, gid, content?, kind?}: kind names a file's Secret or
// ConfigMap); writes nothing.
export function reduce(objects, { subnet, state }) {
  const reductions = [];
  const note = (what) => {
    if (!reductions.includes(what)) reductions.push(what);
  };
  const sources = (kind) => new Map(objects.filter((o) => o.kind === kind)
    .map((o) => [o.metadata.name, o]));
  const secrets = sources("Secret");
  const configMaps = sources("ConfigMap");
  const documents = objects.filter((o) => kept.has(o.kind)).map(clone);
  const pods = [];
  for (const object of objects) {
    if (object.kind === "Deployment" || object.kind === "StatefulSet") {
      note(`${object.kind}/${object.metadata.name}: runs as ` +
        `${object.spec.replicas ?? 1} Pod(s)`);
      for (const pod of podsOf(object)) {
        pods.push({ ...pod, workload: object,
          ip: `${subnet}.${10 + pods.length}` });
      }
    } else if (!kept.has(object.kind)) {
      note(`${object.kind}/${object.metadata.name}: dropped, ` +
        (dropped[object.kind] ?? "kube play cannot run it"));
    }
  }

  const hosts = new Map();
  for (const service of objects.filter((o) => o.kind === "Service")) {
    for (const pod of pods) {
      const labels = pod.workload.spec.template.metadata?.labels;
      if (!selects({ matchLabels: service.spec.selector }, labels)) continue;
      for (const name of serviceNames(service, pod)) {
        if (!hosts.has(name)) hosts.set(name, []);
        hosts.get(name).push(pod.ip);
      }
    }
  }
  const byIp = new Map();
  for (const [name, ips] of hosts) {
    for (const ip of ips) {
      if (!byIp.has(ip)) byIp.set(ip, []);
      byIp.get(ip).push(name);
    }
  }
  const hostAliases = [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));

  const files = [];
  const hooks = [];
  for (const pod of pods) {
    const template = clone(pod.workload.spec.template);
    const spec = template.spec;
    const what = `${pod.workload.kind}/${pod.workload.metadata.name}`;
    if (pod.hostname !== undefined) spec.hostname = pod.hostname;
    delete spec.subdomain;
    spec.hostAliases = hostAliases;
    const fsGroup = spec.securityContext?.fsGroup;
    if (fsGroup !== undefined) {
      const groups = spec.securityContext.supplementalGroups ?? [];
      if (!groups.includes(fsGroup)) groups.push(fsGroup);
      spec.securityContext.supplementalGroups = groups;
      note(`${what}: fsGroup ${fsGroup} added to supplementalGroups ` +
        "(podman ignores fsGroup)");
    }
    for (const field of ["topologySpreadConstraints", "affinity"]) {
      if (spec[field] !== undefined) {
        delete spec[field];
        note(`${what}: ${field} dropped (one machine)`);
      }
    }
    for (const container of spec.containers) {
      if (container.ports !== undefined) {
        delete container.ports;
        note(`${what}: ${container.name} ports dropped (kube play would ` +
          "publish each on the host at its own number; the pods are reached " +
          "at their addresses)");
      }
      for (const field of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        if (container[field] === undefined) continue;
        delete container[field];
        note(`${what}: ${container.name} ${field} dropped (the test asks ` +
          "its endpoint itself)");
      }
      if (container.lifecycle !== undefined) {
        const command = container.lifecycle.preStop?.exec?.command;
        if (command !== undefined) {
          hooks.push({ container: `${pod.name}-${container.name}`, command });
        }
        delete container.lifecycle;
        note(`${what}: ${container.name} lifecycle hooks dropped (kube play ` +
          "runs none; the test runs exec preStop hooks itself)");
      }
    }
    // API data volumes (Secret, ConfigMap) the reduction lays out, by name.
    const laidOut = new Map();
    spec.volumes = (spec.volumes ?? []).map((volume) => {
      const directory = join(state, pod.name, volume.name);
      const source = volume.secret ?? volume.configMap;
      if (source !== undefined) {
        const kind = volume.secret !== undefined ? "Secret" : "ConfigMap";
        const name = source.secretName ?? source.name;
        const object = (kind === "Secret" ? secrets : configMaps).get(name);
        if (object === undefined) {
          throw new Error(`${pod.name}: volume ${volume.name} mounts ${kind} ` +
            `${name}, which was not provided`);
        }
        if (source.items !== undefined) {
          throw new Error(`${pod.name}: volume ${volume.name}: items are ` +
            "not reduced");
        }
        const mode = source.defaultMode ?? 0o644;
        files.push({ path: directory, mode: 0o755, gid: fsGroup ?? 0 });
        // A Secret's data is base64, a ConfigMap's text.
        const decode = kind === "Secret" ?
          (value) => Buffer.from(value, "base64") : (value) => Buffer.from(value);
        const data = {
          ...Object.fromEntries(Object.entries(object.data ?? {})
            .map(([key, value]) => [key, decode(value)])),
          ...Object.fromEntries(Object.entries(object.stringData ?? {})
            .map(([key, value]) => [key, Buffer.from(value)])),
        };
        for (const [key, content] of Object.entries(data)) {
          files.push({ path: join(directory, key), mode, gid: fsGroup ?? 0,
            content, kind });
        }
        laidOut.set(volume.name, directory);
        note(`${what}: ${kind} volume ${volume.name} laid out as the ` +
          `kubelet does (mode 0${mode.toString(8)}, group ` +
          `${fsGroup ?? "root"})`);
        return { name: volume.name,
          hostPath: { path: directory, type: "Directory" } };
      }
      if (volume.emptyDir !== undefined) {
        files.push({ path: directory,
          mode: fsGroup === undefined ? 0o777 : 0o2777, gid: fsGroup ?? 0 });
        note(`${what}: emptyDir ${volume.name} is a host directory ` +
          "(sizeLimit and medium not enforced)");
        return { name: volume.name,
          hostPath: { path: directory, type: "Directory" } };
      }
      return volume;
    });
    // The kubelet makes the mount point of a volume mounted below an API
    // data volume inside it (that one is read-only to the runtime).
    for (const container of spec.containers) {
      const mounts = container.volumeMounts ?? [];
      for (const outer of mounts.filter((m) => laidOut.has(m.name))) {
        const prefix = outer.mountPath.replace(/\/$/, "") + "/";
        for (const inner of mounts.filter((m) =>
          m.mountPath.startsWith(prefix))) {
          files.push({ path: join(laidOut.get(outer.name),
            inner.mountPath.slice(prefix.length)), mode: 0o755, gid: 0 });
          note(`${what}: mount point ${inner.mountPath} made inside ` +
            `volume ${outer.name}, as the kubelet does`);
        }
      }
    }
    for (const claim of pod.claims) {
      spec.volumes.push({ name: claim.volume,
        persistentVolumeClaim: { claimName: claim.claim } });
      documents.push({ apiVersion: "v1", kind: "PersistentVolumeClaim",
        metadata: { name: claim.claim }, spec: claim.spec });
    }
    documents.push({ apiVersion: "v1", kind: "Pod",
      metadata: { ...template.metadata, name: pod.name }, spec });
  }
  if (pods.some((pod) => pod.workload.spec.template.spec
    .terminationGracePeriodSeconds !== undefined)) {
    note("terminationGracePeriodSeconds: not podman's stop timeout; the " +
      "test stops pods with it (podman pod stop -t)");
  }
  const plan = {
    // grace: the pod's terminationGracePeriodSeconds (Kubernetes' default
    // 30), for `podman pod stop -t`.
    pods: pods.map((pod) => ({ name: pod.name, ip: pod.ip,
      workload: pod.workload.metadata.name,
      grace: pod.workload.spec.template.spec
        .terminationGracePeriodSeconds ?? 30 })),
    hosts: hostAliases,
    // preStop exec hooks, by the container name kube play gives
    // (<pod>-<container>).
    hooks,
    // kube play makes a named volume for each claim.
    volumes: documents.filter((d) => d.kind !== "Pod")
      .map((d) => d.metadata.name),
    reductions,
  };
  return { documents, plan, files };
}

function option(name) {
  const prefix = `--${name}=`;
  const value = process.argv.find((a) => a.startsWith(prefix));
  if (value === undefined) {
    console.error(`kube-play: --${name} is required`);
    process.exit(2);
  }
  return value.slice(prefix.length);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const state = option("state");
  const { documents, plan, files } = reduce(
    readObjects(readFileSync(0, "utf8")),
    { subnet: option("subnet"), state });
  for (const file of files) {
    if (file.content === undefined) {
      mkdirSync(file.path, { recursive: true });
    } else {
      writeFileSync(file.path, file.content);
    }
    chownSync(file.path, 0, file.gid);
    chmodSync(file.path, file.mode);
  }
  writeFileSync(option("plan"), JSON.stringify(plan, null, 2) + "\n");
  process.stdout.write(documents.map((d) => stringify(d)).join("---\n"));
}
