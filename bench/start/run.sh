#!/usr/bin/env bash
# What a service's start costs before it serves: the CPU time (user +
# system, from /proc/PID/stat) and the wall time from exec until it has
# written its --port_file, on an empty data directory, for each binary
# given, in turns, REPS times; prints the medians.
#
#   bench/start/run.sh BEFORE/ingest-service AFTER/ingest-service
#   REPS=9 bench/start/run.sh build-release/ingest-service/ingest-service
#
# Each start builds what the service builds before it serves (the
# Traditional-to-Simplified table, the parser's lexicons, its log), which
# every process that parses or folds text pays once: ingest and query
# replicas at each start, and each test process of the suite.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
REPS="${REPS:-7}"
WORK="$(mktemp -d)"
PIDS=()
trap 'stop_started; rm -rf "$WORK"' EXIT
TICKS="$(getconf CLK_TCK)"

for rep in $(seq "$REPS"); do
  for binary in "$@"; do
    dir="$WORK/$rep-$(basename "$(dirname "$binary")")-$RANDOM"
    mkdir -p "$dir"
    started="$(now)"
    "$binary" --listen=127.0.0.1:0 --port_file="$dir/port" \
      --data_dir="$dir/data" 2>"$dir/log" &
    pid=$!
    PIDS+=("$pid")
    wait_port "$dir/port" "$pid" >/dev/null
    ready="$(now)"
    # Fields 14 and 15: user and system time, in clock ticks.
    ticks="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    awk -v b="$binary" -v t="$ticks" -v hz="$TICKS" -v s="$started" \
      -v r="$ready" 'BEGIN { printf "%s cpu_ms=%.0f wall_ms=%.0f\n", b,
                             1000 * t / hz, 1000 * (r - s) }' >>"$WORK/runs"
  done
done

for binary in "$@"; do
  cpu="$(grep -F "$binary cpu_ms=" "$WORK/runs" |
    sed 's/.*cpu_ms=\([0-9]*\).*/\1/' | median)"
  wall="$(grep -F "$binary cpu_ms=" "$WORK/runs" |
    sed 's/.*wall_ms=\([0-9]*\).*/\1/' | median)"
  echo "$binary: median of $REPS starts to serving: CPU ${cpu} ms, wall ${wall} ms"
done
