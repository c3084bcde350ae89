#!/usr/bin/env bash
# Offline checks of everything in deploy/, for CI:
#   1. kubectl kustomize renders the base and every overlay;
#   2. every rendered object passes the Kubernetes JSON schemas
#      (npm package kubernetes-models, pinned in deploy/validate/);
#   3. yamllint passes on deploy/ (config: deploy/validate/yamllint.yaml);
#   4. every workload's terminationGracePeriodSeconds covers the lame duck
#      and drain its flags ask for (deploy/validate/grace.mjs);
#   5. every pod can read the Secrets it mounts (fsGroup;
#      deploy/validate/secret-access.mjs);
#   6. each render deploys the log its overlay promises: base and dev one
#      ingest pod on LevelDB, prod a three-server NATS JetStream cluster
#      with stateless ingest replicas (deploy/validate/log-backend.mjs,
#      which log-backend-selftest.mjs proves catches each broken property);
#   7. the reduction scripts/container-test.sh runs each overlay through
#      for `podman kube play` keeps what the overlay means
#      (deploy/validate/kube-play-selftest.mjs);
#   8. prod's NATS configuration passes `nats-server -t` and forms a
#      healthy three-server JetStream cluster on loopback
#      (deploy/validate/nats-cluster.sh);
#   9. the monitoring package (deploy/monitoring/) renders, its rules pass
#      `promtool check rules` and its unit tests `promtool test rules`, and
#      every alert's runbook is a heading of docs/operations.md
#      (deploy/validate/runbooks.mjs);
#  10. the systemd units keep the LevelDB log, and systemd-analyze verify
#      passes on them.
# Installs yamllint with apt-get and the npm packages with `npm ci` when
# missing; kubectl is not packaged in Debian 12 and must be on PATH (the
# project's machine image has it). Needs no cluster and no network beyond
# the apt and npm registries.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

# Only what is missing: a machine whose Node.js did not come from Debian
# cannot take Debian's nodejs and npm beside it (apt reports held broken
# packages), and needs only yamllint.
missing=()
command -v yamllint >/dev/null || missing+=(yamllint)
command -v promtool >/dev/null || missing+=(prometheus)
command -v node >/dev/null || missing+=(nodejs npm)
command -v nats-server >/dev/null || missing+=(nats-server)
command -v openssl >/dev/null || missing+=(openssl)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi
if ! command -v kubectl >/dev/null; then
  echo "validate-deploy: kubectl not found on PATH (Debian 12 does not" \
    "package it); install it to render the overlays" >&2
  exit 1
fi
if [ ! -d deploy/validate/node_modules/kubernetes-models ]; then
  (cd deploy/validate && npm ci --no-audit --no-fund --loglevel=error)
fi

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT

echo "== kustomize and schemas"
for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
  name=$(basename "$dir")
  kubectl kustomize "$dir" >"$rendered/$name.yaml"
  node deploy/validate/validate.mjs "$name" <"$rendered/$name.yaml"
  node deploy/validate/grace.mjs "$name" <"$rendered/$name.yaml"
  node deploy/validate/secret-access.mjs "$name" <"$rendered/$name.yaml"
  # The rendered output must lint too: patches can produce what no source
  # file shows.
  yamllint -c deploy/validate/yamllint.yaml "$rendered/$name.yaml"
  case $name in
    prod) backend=jetstream ;;
    *) backend=leveldb ;;
  esac
  node deploy/validate/log-backend.mjs "$backend" "$name" <"$rendered/$name.yaml"
done
node deploy/validate/log-backend-selftest.mjs "$rendered/prod.yaml" \
  "$rendered/dev.yaml"
node deploy/validate/kube-play-selftest.mjs "$rendered/prod.yaml" \
  "$rendered/dev.yaml"

echo "== prod's NATS configuration on three loopback servers"
deploy/validate/nats-cluster.sh "$rendered/prod.yaml"

echo "== monitoring: render, promtool check rules, promtool test rules"
# Rendered, not linted: the dashboard's JSON lands in it as long lines.
kubectl kustomize deploy/monitoring >"$rendered/monitoring.yaml"
# promtool reads plain rules files: the PrometheusRule's spec is one.
mkdir -p "$rendered/rules"
node deploy/validate/prometheus-rules.mjs \
  <deploy/monitoring/prometheus-rule.yaml >"$rendered/rules/rules.yaml"
cp deploy/monitoring/rules-test.yaml "$rendered/rules/"
promtool check rules "$rendered/rules/rules.yaml"
promtool test rules "$rendered/rules/rules-test.yaml"
node deploy/validate/runbooks.mjs deploy/monitoring/prometheus-rule.yaml \
  docs/operations.md

echo "== yamllint deploy/"
yamllint -c deploy/validate/yamllint.yaml deploy/

echo "== systemd units: one machine, the LevelDB log"
if ! grep -qx -- '--data_dir=/var/lib/bulletin/ingest' deploy/systemd/ingest.flags ||
   grep -q -- '^--log=' deploy/systemd/ingest.flags; then
  echo "validate-deploy: deploy/systemd/ingest.flags must keep the LevelDB log" \
    "in the unit's StateDirectory (docs/operations.md says how to point it" \
    "at NATS instead)" >&2
  exit 1
fi

echo "== systemd-analyze verify"
# verify checks that ExecStart's binary exists: point the units at stand-ins
# in a scratch root, and instantiate the query template once.
mkdir -p "$rendered/units" "$rendered/bin"
for binary in ingest-service query-service; do
  printf '#!/bin/sh\n' >"$rendered/bin/$binary"
  chmod +x "$rendered/bin/$binary"
done
for unit in deploy/systemd/*.service; do
  sed "s|/usr/local/bin/|$rendered/bin/|" "$unit" \
    >"$rendered/units/$(basename "$unit")"
done
cp "$rendered/units/bulletin-query@.service" \
  "$rendered/units/bulletin-query@1.service"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify \
  "$rendered/units/bulletin-ingest.service" \
  "$rendered/units/bulletin-query@1.service"

echo "validate-deploy: $(ls "$rendered"/*.yaml | wc -l) renders," \
  "units verified, in $(( $(date +%s) - start ))s"
