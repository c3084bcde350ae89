#!/usr/bin/env bash
# Builds the pair, starts ingest-service and query-service on their default
# addresses (127.0.0.1:50051 and 127.0.0.1:50052), submits the bulletins in
# examples/, prints a search, and keeps both running until Ctrl-C.
#
#   scripts/demo.sh             # then, in another shell: build/cli/bulletinctl ...
#   DEMO_EXIT=1 scripts/demo.sh # stop both after the search
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBULLETIN_BUILD_TESTS=OFF -DBULLETIN_BUILD_BENCH=OFF >/dev/null
cmake --build build --target ingest-service query-service bulletinctl

data_dir=$(mktemp -d /tmp/bulletin-demo-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT INT TERM

build/ingest-service/ingest-service --data_dir="$data_dir/ingest" 2>"$data_dir/ingest.log" &
pids+=($!)
build/query-service/query-service 2>"$data_dir/query.log" &
pids+=($!)

echo "== submitting examples/"
build/cli/bulletinctl submit --wait_for_ready --timeout=30s examples/*.txt |
  tee "$data_dir/submitted"
last_seq=$(awk '{print $2}' "$data_dir/submitted" | sort -n | tail -1)

echo
echo "== bulletinctl search 委员工作室"
build/cli/bulletinctl search --wait_for_ready --timeout=30s \
  --min_seq="$last_seq" 委员工作室
echo
echo "== bulletinctl search --region 忠县 --facets=organization_kind 政协"
build/cli/bulletinctl search --min_seq="$last_seq" --region 忠县 \
  --facets=organization_kind 政协

if [ "${DEMO_EXIT:-0}" = "1" ]; then
  exit 0
fi
echo
echo "Both services are running (logs in $data_dir). Try:"
echo "  build/cli/bulletinctl get --json $(head -1 "$data_dir/submitted" | cut -d' ' -f1)"
echo "Press Ctrl-C to stop them."
wait
