#!/usr/bin/env bash
# scale_run_test.sh BUILD_DIR: runs bench/scale/run.sh at one small size on
# the binaries in BUILD_DIR and checks that it printed every figure, that
# every query kind found something, and that the replica started from the
# snapshot took nothing from the Feed; then bench/load/search_in_process
# runs the load mix's searches on that snapshot, on one thread and on three.
# run.sh stops the services it started when it exits.
set -euo pipefail

build_dir="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
data_root="$(mktemp -d "${TMPDIR:-/tmp}/bulletin-scale-test.XXXXXX")"
trap 'rm -rf "$data_root"' EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- output:" >&2; cat "$data_root/out.txt" >&2 || true
  exit 1
}

BUILD_DIR="$build_dir" SKIP_BUILD=1 DATA_ROOT="$data_root/run" \
  SIZES=300 REPS=1 QUERY_SECONDS=1 WARMUP=0s CONCURRENCY=2 \
  "$root/bench/scale/run.sh" >"$data_root/out.txt" 2>"$data_root/stderr.txt" ||
  fail "run.sh exited $?: $(tail -n 20 "$data_root/stderr.txt")"

out="$data_root/out.txt"
number='[0-9][0-9.e+-]*'
grep -q "^bulletins 300 (of 300 loaded)$" "$out" || fail "no bulletin count"
grep -q "^  RSS $number MiB = ${number}x the normalized text ($number MB); index ${number}x, stored records ${number}x$" \
  "$out" || fail "no memory line"
grep -q "^  snapshot: $number bytes, written in $number ms$" "$out" ||
  fail "no snapshot line"
grep -q "^  restart to SERVING: from the snapshot $number s, by full replay $number s" \
  "$out" || fail "no restart line"
grep -q "^  of which loading the snapshot: $number ms" "$out" ||
  fail "no snapshot load figure"
for kind in "one character" "common 2 characters" "rare name" \
  "common phrase (4+)" "filter only" "2-term AND" "term + region facet"; do
  grep -F "  $kind " "$out" |
    grep -Eq "p50 $number ms, p99 $number ms, server CPU $number us per call, median hits [1-9]" ||
    fail "no figures, or no hits, for $kind"
done
# The replica that started from the snapshot loaded all 300 and took no
# record from the Feed.
log="$data_root/run/snapshot-300-1.log"
grep '"event":"snapshot_loaded"' "$log" | grep -q '"bulletins":300' ||
  fail "the snapshot did not hold the 300 bulletins"
grep '"event":"caught_up"' "$log" | grep -q '"records_applied":0' ||
  fail "the replica started from the snapshot replayed records"
snapshot="$(ls "$data_root/run/snapshots-300/"*.snap | head -n 1)"
for threads in 1 3; do
  line="$("$build_dir/bench/load/search_in_process" --snapshot="$snapshot" \
    --rounds=1 --searches=200 --threads="$threads")" ||
    fail "search_in_process --threads=$threads exited $?"
  grep -Eq "^bulletins=300 threads=$threads searches=$((200 * threads)) cpu_us_per_search=$number median_total_hits=[0-9]+ bulletins_shown=[1-9]" \
    <<<"$line" || fail "search_in_process --threads=$threads printed: $line"
done
echo "ok"
