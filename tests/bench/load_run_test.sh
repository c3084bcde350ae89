#!/usr/bin/env bash
# load_run_test.sh BUILD_DIR: runs bench/load/run.sh at a small size on the
# binaries in BUILD_DIR and checks what it prints and records: every
# bulletin_load call succeeded and reported its CPU, and every table row
# has its figures. run.sh stops the services it started when it exits.
# Each Submit run has 3,000 new bulletins ready (more than a sanitized
# ingest acknowledges in its 1.2 s; a run that used them all up would end
# at its last answer and still be measured), 200 for 24 freshness submits.
set -euo pipefail

build_dir="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
data_root="$(mktemp -d "${TMPDIR:-/tmp}/bulletin-load-test.XXXXXX")"
trap 'rm -rf "$data_root"' EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "--- table:" >&2; cat "$data_root/table.txt" >&2 || true
  echo "--- results:" >&2; cat "$data_root/results.txt" >&2 || true
  exit 1
}

BUILD_DIR="$build_dir" SKIP_BUILD=1 DATA_ROOT="$data_root/run" \
  RESULTS="$data_root/results.txt" BULLETINS=300 REPS=1 DURATION=1s \
  WARMUP=0.2s FRESH_DURATION=1s FRESH_RATE=20 FRESH_BULLETINS=200 \
  SUBMIT_BULLETINS=3000 \
  "$root/bench/load/run.sh" >"$data_root/table.txt" 2>"$data_root/stderr.txt" ||
  fail "run.sh exited $?: $(tail -n 20 "$data_root/stderr.txt")"

results="$data_root/results.txt"
table="$data_root/table.txt"

# 1 load + 1 catch-up; 2 servers x 4 concurrencies x (echo, search);
# 4 concurrencies x HTTP search on the replica; 1 replica catch-up;
# 1 freshness; 3 x (echo, submit).
lines=$(wc -l <"$results")
[[ "$lines" -eq 30 ]] || fail "expected 30 measurements, got $lines"
n=$(grep "service=query mode=http_search " "$results" |
    grep -c 'client_cpu_us=[0-9.]* server_cpu_us=[0-9.]*' || true)
[[ "$n" -eq 4 ]] || fail "query http_search: $n of 4 lines with CPU per call"
# 128 kept-alive HTTP clients connect at once: none may be reset (with
# cpp-httplib's listen backlog of 5, SYN cookies reset some).
if grep "mode=http_search " "$results" | grep -v ' http_retries=0 ' >/dev/null; then
  fail "an HTTP search was sent again after a broken connection"
fi
if grep -v 'mode=catchup' "$results" | grep -v ' failed=0 ' >/dev/null; then
  fail "a measurement had failed calls"
fi
for service in query ceiling; do
  for mode in echo search; do
    n=$(grep "service=$service mode=$mode " "$results" |
        grep -c 'client_cpu_us=[0-9.]* server_cpu_us=[0-9.]*' || true)
    [[ "$n" -eq 4 ]] || fail "$service $mode: $n of 4 lines with CPU per call"
  done
done
# What the mix finds, as described before each run: the ceiling relays
# the replica's answers, so it must describe the same.
describe() {
  grep "service=$1 mode=search " "$results" |
    grep -o 'empty_searches=[0-9]* median_total_hits=[0-9]*' | sort -u
}
query_mix="$(describe query)"
[[ -n "$query_mix" ]] || fail "no description of the search mix"
[[ "$(describe ceiling)" == "$query_mix" ]] ||
  fail "the ceiling found '$(describe ceiling)', the replica '$query_mix'"

# Each table row: its first column and no unfilled figure ("-" or nan).
for c in 1 8 32 128; do
  n=$(grep -cE "^\| $c \|" "$table" || true)
  # Search, ceiling and HTTP; 1, 8 and 32 also in the Submit table.
  case "$c" in 1 | 8 | 32) want=4 ;; *) want=3 ;; esac
  [[ "$n" -eq "$want" ]] || fail "rows for $c: $n, want $want"
done
if grep '^|' "$table" | grep -Eq -- '(\| -)|nan|inf'; then
  fail "a table cell is empty"
fi
grep -q '^The ceiling:' "$table" || fail "no ceiling table"
grep -q '^Freshness at 20 submits/s' "$table" || fail "no freshness line"
grep -q '^Catch-up of a new replica' "$table" || fail "no catch-up line"
echo "PASS: $lines measurements, every table filled"
