#!/usr/bin/env bash
# Builds both service images from deploy/docker/ with podman and runs the
# pair in containers: submits an example bulletin through ingest and finds
# it through query. Works with no container registry: the bookworm base
# image is made locally (debootstrap from Debian's mirror, podman import).
#
#   scripts/container-test.sh
#
# Needs root (podman and debootstrap are installed with apt-get if missing).
# The containers use the host network on free loopback ports, so no
# container network is needed either. Everything it starts is removed on
# exit. BASE_ROOTFS_CACHE (default /var/tmp/bulletin-base-rootfs) keeps the
# debootstrapped tree between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

base_image=localhost/bulletin-base:bookworm-slim
rootfs=${BASE_ROOTFS_CACHE:-/var/tmp/bulletin-base-rootfs}
run_id="bt-$$"

missing=()
for package in podman runc debootstrap uidmap; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
    grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

step() { echo "== $(( $(date +%s) - start ))s: $*"; }

if ! podman image exists "$base_image"; then
  if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
    step "debootstrap bookworm into $rootfs"
    rm -rf "$rootfs.partial"
    debootstrap --variant=minbase bookworm "$rootfs.partial" \
      http://deb.debian.org/debian >/dev/null
    mv "$rootfs.partial" "$rootfs"
  fi
  step "import $base_image"
  tar -C "$rootfs" -c . | podman import - "$base_image" >/dev/null
fi

# Build context: the tracked files the Dockerfiles copy, nothing else (the
# work tree holds build directories of several GB).
context=$(mktemp -d)
cleanup() {
  podman rm -f "$run_id-query" "$run_id-ingest" >/dev/null 2>&1 || true
  podman volume rm -f "$run_id-data" >/dev/null 2>&1 || true
  rm -rf "$context"
}
trap cleanup EXIT
git ls-files -z CMakeLists.txt proto common ingest-service query-service \
  cli data | tar --null -T - -c | tar -x -C "$context"
cp -r examples "$context/examples"

for service in ingest query; do
  step "build bulletin/$service-service"
  podman build --quiet --build-arg BASE_IMAGE="$base_image" \
    -f "deploy/docker/Dockerfile.$service" \
    -t "localhost/bulletin/$service-service:test" "$context" >/dev/null
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ingest_port=$(free_port)
query_port=$(free_port)
metrics_port=$(free_port)

step "run the pair (ingest :$ingest_port, query :$query_port)"
# As in deploy/k8s: read-only root, no capabilities, the non-root user the
# image names.
# podman's default open-file and process limits are above what a sandboxed
# runner may set (runc then fails with "error setting rlimits"): keep this
# shell's.
limits=(--ulimit="nofile=$(ulimit -Sn):$(ulimit -Hn)"
        --ulimit=nproc=4096:4096)
hardening=(--read-only --cap-drop=ALL --security-opt=no-new-privileges
           --network=host "${limits[@]}")
podman run -d --name "$run_id-ingest" "${hardening[@]}" \
  -v "$run_id-data:/var/lib/bulletin" \
  "localhost/bulletin/ingest-service:test" \
  --listen="127.0.0.1:$ingest_port" --data_dir=/var/lib/bulletin/ingest \
  --metrics_listen="127.0.0.1:$metrics_port" >/dev/null
podman run -d --name "$run_id-query" "${hardening[@]}" \
  "localhost/bulletin/query-service:test" \
  --listen="127.0.0.1:$query_port" --ingest_addr="127.0.0.1:$ingest_port" \
  >/dev/null

ctl() {
  podman run --rm --network=host "${limits[@]}" \
    -v "$PWD/examples:/examples:ro" \
    --entrypoint /usr/local/bin/bulletinctl \
    "localhost/bulletin/ingest-service:test" \
    --ingest_addr="127.0.0.1:$ingest_port" \
    --query_addr="127.0.0.1:$query_port" --wait_for_ready --timeout=60s "$@"
}

step "submit and search"
submitted=$(ctl submit /examples/chongqing-cppcc-roundup.txt)
read -r id seq _ <<<"$submitted"
found=$(ctl search --json --min_seq="$seq" 委员工作室)
if ! grep -q "\"$id\"" <<<"$found"; then
  echo "container-test: bulletin $id (seq $seq) not found; search said:" >&2
  echo "$found" >&2
  podman logs "$run_id-ingest" >&2 || true
  podman logs "$run_id-query" >&2 || true
  exit 1
fi
if ! podman exec "$run_id-ingest" id -u | grep -qx 10001; then
  echo "container-test: ingest does not run as uid 10001" >&2
  exit 1
fi
curl -sf "http://127.0.0.1:$metrics_port/metrics" |
  grep -q '^bulletin_log_head_seq 1$' || {
  echo "container-test: ingest metrics do not show head seq 1" >&2
  exit 1
}
step "passed: submitted $id at seq $seq and found it through query"
echo "container-test: 1 passed, 0 failed in $(( $(date +%s) - start ))s"
