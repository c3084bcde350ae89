// Prints the rule groups of a PrometheusRule (its spec) as a plain
// Prometheus rules file, for promtool, which knows no Kubernetes objects.
//
//   node prometheus-rules.mjs < deploy/monitoring/prometheus-rule.yaml > rules.yaml
//   promtool check rules rules.yaml
import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";

const object = parse(readFileSync(0, "utf8"));
if (object?.kind !== "PrometheusRule" || !Array.isArray(object.spec?.groups)) {
  console.error("prometheus-rules: stdin is not a PrometheusRule with groups");
  process.exit(1);
}
process.stdout.write(stringify(object.spec, { lineWidth: 0 }));
