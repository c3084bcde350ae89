#!/usr/bin/env bash
# restart_run_test.sh BUILD_DIR: runs bench/restart/run.sh at a small size
# on the binaries in BUILD_DIR and checks that it printed every figure and
# that the replica started from the snapshot took nothing from the Feed.
# run.sh stops the services it started when it exits.
set -euo pipefail

build_dir="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
data_root="$(mktemp -d "${TMPDIR:-/tmp}/bulletin-restart-test.XXXXXX")"
trap 'rm -rf "$data_root"' EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- output:" >&2; cat "$data_root/out.txt" >&2 || true
  exit 1
}

BUILD_DIR="$build_dir" SKIP_BUILD=1 DATA_ROOT="$data_root/run" \
  BULLETINS=200 REPS=1 \
  "$root/bench/restart/run.sh" >"$data_root/out.txt" 2>"$data_root/stderr.txt" ||
  fail "run.sh exited $?: $(tail -n 20 "$data_root/stderr.txt")"

number='[0-9][0-9.]*'
grep -q "^snapshot: $number bytes, written in $number ms at exit$" \
  "$data_root/out.txt" || fail "no snapshot line"
grep -q "^restart to SERVING, full replay: $number s" "$data_root/out.txt" ||
  fail "no full replay figure"
grep -q "^restart to SERVING, from snapshot: $number s" "$data_root/out.txt" ||
  fail "no snapshot figure"
grep -q "^snapshot load alone: $number ms" "$data_root/out.txt" ||
  fail "no load figure"
# The replica that started from the snapshot loaded all 200 and took no
# record from the Feed.
log="$data_root/run/snapshot-1.log"
grep '"event":"snapshot_loaded"' "$log" | grep -q '"bulletins":200' ||
  fail "the snapshot did not hold the 200 bulletins"
grep '"event":"caught_up"' "$log" | grep -q '"records_applied":0' ||
  fail "the replica started from the snapshot replayed records"
echo "ok"
