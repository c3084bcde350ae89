#!/usr/bin/env bash
# start_run_test.sh BUILD_DIR: runs bench/start/run.sh twice on this
# build's ingest-service and checks that it printed a median of each kind
# for it, and that the service it started is gone (run.sh stops it).
set -euo pipefail

build_dir="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$build_dir/ingest-service/ingest-service"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

REPS=2 "$root/bench/start/run.sh" "$binary" >"$out"
cat "$out"
grep -Eq "^$binary: median of 2 starts to serving: CPU [0-9]+ ms, wall [1-9][0-9]* ms$" \
  "$out" || { echo "FAIL: no medians for $binary" >&2; exit 1; }
if pgrep -f -- "^$binary --listen=127.0.0.1:0 --port_file=" >/dev/null; then
  echo "FAIL: a service run.sh started outlived it" >&2
  exit 1
fi
