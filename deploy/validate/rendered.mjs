// Reading rendered manifests: the objects, the files a container sees in
// its mounted ConfigMaps, the flags it runs with (Abseil flag files and
// arguments, the last one winning) and nats-server's configuration.
//
//   import { readObjects, effectiveFlags } from "./rendered.mjs";
//   const objects = readObjects(readFileSync(0, "utf8"));
//   const flags = effectiveFlags(objects, podSpec, container);
//   flags.values.get("log");  // "jetstream"
import { parseAllDocuments } from "yaml";

export function readObjects(text) {
  return parseAllDocuments(text)
    .map((document) => document.toJS())
    .filter((object) => object !== null);
}

export function find(objects, kind, name) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

// Abseil and nats-server durations as the configs write them: 5s, 500ms,
// 1m30s.
export function seconds(duration) {
  const units = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, value, unit] of String(duration).matchAll(
    /([\d.]+)(ms|h|m|s)/g,
  )) {
    total += Number(value) * units[unit];
  }
  return total;
}

// Kubernetes quantities and nats-server sizes in bytes: 100Gi, 90GB, 8MB.
export function bytes(size) {
  const match = /^([\d.]+)\s*([KMGT]?)(i|B)?$/i.exec(String(size).trim());
  if (match === null) return NaN;
  const power = " KMGT".indexOf(match[2].toUpperCase() || " ");
  const base = match[3] === "i" || match[3] === "B" ? 1024 : 1000;
  return Number(match[1]) * base ** power;
}

// The text of `path` as `container` sees it, from the ConfigMap volume
// mounted over it; undefined when no ConfigMap provides it.
export function mountedFile(objects, podSpec, container, path) {
  for (const mount of container.volumeMounts ?? []) {
    const prefix = mount.mountPath.replace(/\/$/, "") + "/";
    if (!path.startsWith(prefix)) continue;
    const volume = (podSpec.volumes ?? []).find((v) => v.name === mount.name);
    if (volume?.configMap === undefined) continue;
    const data = find(objects, "ConfigMap", volume.configMap.name)?.data;
    const text = data?.[path.slice(prefix.length)];
    if (text !== undefined) return text;
  }
  return undefined;
}

// The flags `container` runs with: its arguments with every --flagfile
// expanded in place, as Abseil reads them (a later value replaces an
// earlier one). `missing` lists flag files no ConfigMap provides.
export function effectiveFlags(objects, podSpec, container) {
  const values = new Map();
  const missing = [];
  const apply = (argument) => {
    const match = /^--([^=]+)=(.*)$/.exec(argument.trim());
    if (match === null) return;
    if (match[1] === "flagfile") {
      const text = mountedFile(objects, podSpec, container, match[2]);
      if (text === undefined) {
        missing.push(match[2]);
        return;
      }
      text.split("\n").forEach(apply);
      return;
    }
    values.set(match[1], match[2]);
  };
  (container.args ?? []).forEach(apply);
  return { values, missing };
}

// nats-server's configuration as `container` reads it (its --config file
// with `include` lines expanded from the same directory), and the few
// settings the checks need. Understands the layout components/jetstream
// writes (`key: value`, one per line), not the whole grammar.
export function natsConfig(objects, podSpec, container) {
  const args = container.args ?? [];
  const at = args.indexOf("--config");
  const path = at >= 0 ? args[at + 1] : undefined;
  if (path === undefined) return undefined;
  const directory = path.slice(0, path.lastIndexOf("/") + 1);
  const expand = (text) =>
    text.replace(/^\s*include\s+(\S+)\s*$/gm, (_, file) =>
      expand(mountedFile(objects, podSpec, container,
        directory + file.replace(/^\.\//, "")) ?? `# missing include ${file}`));
  const raw = mountedFile(objects, podSpec, container, path);
  if (raw === undefined) return undefined;
  const text = expand(raw).replace(/#.*$/gm, "");
  const setting = (key) =>
    new RegExp(`^\\s*${key}\\s*[:=]\\s*"?([^"\\s]+)"?\\s*$`, "m").exec(text)?.[1];
  const routes = /routes\s*[:=]\s*\[([^\]]*)\]/.exec(text)?.[1]
    .split(/[\s,]+/)
    .filter((route) => route !== "");
  const block = (name) => new RegExp(`${name}\\s*[:=]?\\s*\\{`).test(text);
  return { path, text, setting, routes: routes ?? [], block };
}

// Whether `selector` (a matchLabels map) picks pods labelled `labels`.
export function selects(selector, labels) {
  const wanted = selector?.matchLabels ?? {};
  return Object.keys(wanted).length > 0 &&
    Object.entries(wanted).every(([key, value]) => labels?.[key] === value);
}

export function workloads(objects) {
  return objects.filter((o) =>
    o.kind === "Deployment" || o.kind === "StatefulSet");
}
