#!/usr/bin/env bash
# Restart of a query replica, with the real binaries on loopback: how long
# from the process's start until it reports SERVING (/readyz 200), by a
# full replay of the log against from its snapshot (--snapshot_dir), with
# BULLETINS generated bulletins in the log (bench/load's corpus). Also the
# snapshot's write time and size. Prints medians of REPS runs of each, and
# keeps the replicas' logs in DATA_ROOT. docs/benchmarks.md, "Restart from a
# snapshot", has the figures.
#
#   bench/restart/run.sh                        # build Release, measure
#   SKIP_BUILD=1 BUILD_DIR=build REPS=5 bench/restart/run.sh
#
# Environment: BUILD_DIR (default build-release, under the repository),
# SKIP_BUILD=1 to use what is built, BULLETINS (100000), REPS (3), DATA_ROOT
# (default a new directory under /var/tmp: on disk, so that fsync costs
# what it costs).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
BULLETINS="${BULLETINS:-100000}"
REPS="${REPS:-3}"
DATA_ROOT="${DATA_ROOT:-$(mktemp -d /var/tmp/bulletin-restart.XXXXXX)}"
mkdir -p "$DATA_ROOT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD_DIR" -j"$(nproc)" ingest-service query-service bulletin_load
fi
INGEST_BIN="$BUILD_DIR/ingest-service/ingest-service"
QUERY_BIN="$BUILD_DIR/query-service/query-service"
LOAD="$BUILD_DIR/bench/load/bulletin_load"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

now() { date +%s.%N; }

# wait_port FILE PID: prints the port a service wrote to FILE.
wait_port() {
  for _ in $(seq 400); do
    if [[ -s "$1" ]]; then cat "$1"; return; fi
    kill -0 "$2" 2>/dev/null || { echo "service $2 died; see $DATA_ROOT" >&2; exit 1; }
    sleep 0.05
  done
  echo "no port in $1" >&2
  exit 1
}

# field LOG EVENT NAME: the value of NAME in the last EVENT line of LOG.
field() {
  grep "\"event\":\"$2\"" "$1" | tail -1 |
    sed -n "s/.*\"$3\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# restart NAME [FLAGS...]: starts a replica, waits until /readyz answers
# 200, stops it with SIGTERM (which writes a snapshot when it has a
# --snapshot_dir and applied anything since its last), and prints the
# seconds from its start to ready.
restart() {
  local name="$1"
  shift
  local log="$DATA_ROOT/$name.log"
  : >"$log"
  rm -f "$DATA_ROOT/$name.port"
  local started
  started="$(now)"
  "$QUERY_BIN" --listen=127.0.0.1:0 --port_file="$DATA_ROOT/$name.port" \
    --ingest_addr="127.0.0.1:$INGEST_PORT" --metrics_listen=127.0.0.1:0 \
    --lame_duck_period=0s "$@" 2>>"$log" &
  local pid=$!
  PIDS+=("$pid")
  wait_port "$DATA_ROOT/$name.port" "$pid" >/dev/null
  local metrics=""
  while [[ -z "$metrics" ]]; do
    metrics="$(field "$log" serving metrics_port)"
    [[ -n "$metrics" ]] || sleep 0.01
  done
  until curl -sf -o /dev/null "http://127.0.0.1:$metrics/readyz"; do
    kill -0 "$pid" 2>/dev/null || { echo "replica died; see $log" >&2; exit 1; }
    sleep 0.02
  done
  local ready
  ready="$(now)"
  kill -TERM "$pid"
  wait "$pid" || true
  awk -v ready="$ready" -v started="$started" \
    'BEGIN { printf "%.3f\n", ready - started }'
}

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "data and logs: $DATA_ROOT" >&2
"$INGEST_BIN" --listen=127.0.0.1:0 --port_file="$DATA_ROOT/ingest.port" \
  --data_dir="$DATA_ROOT/ingest" 2>>"$DATA_ROOT/ingest.log" &
INGEST_PID=$!
PIDS+=("$INGEST_PID")
INGEST_PORT="$(wait_port "$DATA_ROOT/ingest.port" "$INGEST_PID")"
echo "loading $BULLETINS bulletins" >&2
"$LOAD" --mode=submit --target="127.0.0.1:$INGEST_PORT" --concurrency=32 \
  --warmup=0s --duration=inf --first_bulletin=0 --bulletins="$BULLETINS" \
  >>"$DATA_ROOT/submit.txt"

# The first replica replays everything and writes the snapshot at SIGTERM.
SNAPSHOTS="$DATA_ROOT/snapshots"
restart seed --snapshot_dir="$SNAPSHOTS" >/dev/null
write_ms="$(field "$DATA_ROOT/seed.log" snapshot_written ms)"
bytes="$(field "$DATA_ROOT/seed.log" snapshot_written bytes)"
[[ -n "$bytes" ]] || { echo "no snapshot written; see $DATA_ROOT/seed.log" >&2; exit 1; }

replay=()
snapshot=()
load_ms=()
for rep in $(seq "$REPS"); do
  replay+=("$(restart "replay-$rep")")
  snapshot+=("$(restart "snapshot-$rep" --snapshot_dir="$SNAPSHOTS")")
  load_ms+=("$(field "$DATA_ROOT/snapshot-$rep.log" snapshot_loaded ms)")
  echo "run $rep: replay ${replay[-1]} s, from snapshot ${snapshot[-1]} s" \
    "(load ${load_ms[-1]} ms)" >&2
done
printf 'bulletins %s\n' "$BULLETINS"
printf 'snapshot: %s bytes, written in %s ms at exit\n' "$bytes" "$write_ms"
printf 'restart to SERVING, full replay: %s s (median of %s: %s)\n' \
  "$(printf '%s\n' "${replay[@]}" | median)" "$REPS" "${replay[*]}"
printf 'restart to SERVING, from snapshot: %s s (median of %s: %s)\n' \
  "$(printf '%s\n' "${snapshot[@]}" | median)" "$REPS" "${snapshot[*]}"
printf 'snapshot load alone: %s ms (median)\n' \
  "$(printf '%s\n' "${load_ms[@]}" | median)"
