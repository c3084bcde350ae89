// Checks that every alert of the monitoring package has a runbook: its
// `runbook` annotation names a heading of docs/operations.md (by the anchor
// GitHub gives it), so a page never links to nothing.
//
//   node runbooks.mjs deploy/monitoring/prometheus-rule.yaml docs/operations.md
import { readFileSync } from "node:fs";
import { parse } from "yaml";

const [rulesPath, docPath] = process.argv.slice(2);
const rules = parse(readFileSync(rulesPath, "utf8"));
const doc = readFileSync(docPath, "utf8").replace(/^```[\s\S]*?^```/gm, "");
// GitHub's anchors: lower case, punctuation dropped, spaces as hyphens.
const anchors = new Set([...doc.matchAll(/^#+\s+(.*)$/gm)].map(([, title]) =>
  title.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-")));
let failures = 0;
let alerts = 0;
for (const group of rules.spec.groups) {
  for (const rule of group.rules.filter((r) => r.alert !== undefined)) {
    alerts++;
    const runbook = rule.annotations?.runbook ?? "";
    const [file, anchor] = runbook.split("#");
    if (file !== docPath.replace(/^.*?(docs\/)/, "$1") ||
        !anchors.has(anchor)) {
      console.error(`runbooks: alert ${rule.alert} points at '${runbook}', ` +
        `which is no heading of ${docPath}`);
      failures++;
    }
  }
}
if (failures > 0) process.exit(1);
console.log(`runbooks: ${alerts} alerts, each with its runbook`);
