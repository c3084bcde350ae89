#!/usr/bin/env bash
# Runs the NATS configuration a render deploys, on this machine:
#   1. `nats-server -t` accepts it as rendered (with throwaway certificates
#      where it names Secret files);
#   2. three servers started from it on loopback, with only what is
#      per-pod or per-network replaced on the command line (server name,
#      ports, routes to each other, store and pid paths), form a JetStream
#      cluster: each answers NATS's /healthz (the pods' probe) and /jsz
#      names a meta leader of a three-server cluster.
#
#   deploy/validate/nats-cluster.sh prod.yaml
#
# Needs nats-server (Debian's, the version the image ships), openssl, curl
# and node. Everything it starts is killed on exit; its files are removed.
set -euo pipefail
render=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

config=""
secrets=()
while read -r kind path; do
  case $kind in
    config) config=$path ;;
    secret) secrets+=("$path") ;;
  esac
done < <(node "$here/nats-config.mjs" "$work/root" <"$render")
conf="$work/root$config"

# Secret files the configuration names: a throwaway CA and one certificate
# for every server (the routes verify each other's; *.nats-headless as in
# production, 127.0.0.1 for this test).
for secret in "${secrets[@]}"; do
  dir="$work/root$secret"
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 1 -subj /CN=test-ca \
    2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/tls.key" -out "$dir/tls.csr" -subj /CN=nats 2>/dev/null
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/tls.crt" -days 1 \
    -extfile <(printf 'subjectAltName=DNS:nats,DNS:*.nats-headless,DNS:localhost,IP:127.0.0.1\n') \
    2>/dev/null
  # Every file of the configuration names its Secret files by mount path.
  sed -i "s|$secret/|$dir/|g" "$work/root$(dirname "$config")"/*.conf
done

POD_NAME=nats-0 nats-server -t -c "$conf"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
client=() cluster=() monitor=()
for i in 0 1 2; do
  client+=("$(free_port)") cluster+=("$(free_port)") monitor+=("$(free_port)")
done
routes=$(printf 'nats://127.0.0.1:%s,' "${cluster[@]}")
for i in 0 1 2; do
  # nats-server refuses a store directory both in the file and on the
  # command line: each server gets a copy with its own.
  node_dir="$work/node-$i"
  cp -r "$(dirname "$conf")" "$node_dir"
  sed -i "s|^\( *store_dir:\).*|\1 \"$work/store-$i\"|" "$node_dir/$(basename "$conf")"
  POD_NAME="nats-$i" nats-server -c "$node_dir/$(basename "$conf")" \
    -a 127.0.0.1 -p "${client[$i]}" -m "${monitor[$i]}" -P "$work/nats-$i.pid" \
    --cluster "nats://127.0.0.1:${cluster[$i]}" --routes "${routes%,}" \
    >"$work/nats-$i.log" 2>&1 &
  pids+=($!)
done

# A fresh cluster elects its meta leader within seconds.
deadline=$(( $(date +%s) + 60 ))
for i in 0 1 2; do
  until curl -sf "http://127.0.0.1:${monitor[$i]}/healthz" >/dev/null &&
        curl -sf "http://127.0.0.1:${monitor[$i]}/jsz" |
          node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
            process.exit(j.meta_cluster?.leader && j.meta_cluster.cluster_size === 3 ? 0 : 1)'; do
    if [ "$(date +%s)" -gt "$deadline" ] || ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "nats-cluster: server nats-$i did not join a healthy 3-server" \
        "JetStream cluster; its log:" >&2
      tail -20 "$work/nats-$i.log" >&2
      exit 1
    fi
    sleep 0.5
  done
done
echo "nats-cluster: the rendered configuration forms a healthy 3-server" \
  "JetStream cluster${secrets:+ with TLS}"
