#!/usr/bin/env bash
# How a query replica grows with the archive (issue 19), with the real
# binaries on loopback: one LevelDB ingest is filled with bench/load's
# generated bulletins up to each size in SIZES in turn; at each size a fresh
# replica replays the whole log and then gives
#   - RSS divided by the normalized text it indexes (Stats.text_bytes),
#     and Stats' index and stored bytes;
#   - per query kind (bench/load/corpus_texts.h: one character, a common
#     two-character term, a rare name, a common phrase, a filter alone, two
#     terms, a common term with a region facet), QUERY_SECONDS of
#     CONCURRENCY closed-loop searches: p50 and p99 latency, and the
#     replica's CPU per call (bulletin_load --server_pid);
#   - the snapshot it writes at SIGTERM: time and size;
#   - restart to SERVING (/readyz 200) from that snapshot and by full
#     replay, REPS times each (medians), and how long loading the snapshot
#     took of the former.
# Prints one block per size; the replicas' logs stay in DATA_ROOT.
# docs/benchmarks.md, "Scale", has the figures.
#
#   bench/scale/run.sh                                  # build Release, 100k..1M
#   SIZES="2000 4000" QUERY_SECONDS=1 REPS=1 SKIP_BUILD=1 BUILD_DIR=build \
#     bench/scale/run.sh                                # what CI runs
#
# Environment: BUILD_DIR (default build-release), SKIP_BUILD=1 to use what
# is built, SIZES (default "100000 300000 1000000", increasing), REPS (3),
# QUERY_SECONDS (10) after WARMUP (1s) per kind, CONCURRENCY (8), DATA_ROOT (default a new directory
# under /var/tmp: on disk, so that fsync and snapshot writes cost what they
# cost). A replica of 1M bulletins needs memory to match: see the figures.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
SIZES="${SIZES:-100000 300000 1000000}"
REPS="${REPS:-3}"
QUERY_SECONDS="${QUERY_SECONDS:-10}"
WARMUP="${WARMUP:-1s}"
CONCURRENCY="${CONCURRENCY:-8}"
DATA_ROOT="${DATA_ROOT:-$(mktemp -d /var/tmp/bulletin-scale.XXXXXX)}"
mkdir -p "$DATA_ROOT"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DBULLETIN_BUILD_BENCH=ON >/dev/null
  ninja -C "$BUILD_DIR" -j"$(nproc)" ingest-service query-service \
    bulletin_load bulletinctl
fi
INGEST_BIN="$BUILD_DIR/ingest-service/ingest-service"
QUERY_BIN="$BUILD_DIR/query-service/query-service"
LOAD="$BUILD_DIR/bench/load/bulletin_load"
CTL="$BUILD_DIR/cli/bulletinctl"

PIDS=()  # every service started; stop_started kills them
trap stop_started EXIT

# The query kinds, as bulletin_load --search_kind numbers them, in the
# order issue 19 lists them.
KINDS=(4 5 0 6 3 2 7)
declare -A KIND_NAME=([4]="one character" [5]="common 2 characters"
  [0]="rare name" [6]="common phrase (4+)" [3]="filter only"
  [2]="2-term AND" [7]="term + region facet")

# start_replica NAME [FLAGS...]: starts a query replica following the
# ingest; sets REPLICA_PID, REPLICA_PORT and REPLICA_SECONDS (from its
# start to ready).
start_replica() {
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
  REPLICA_PID=$!
  PIDS+=("$REPLICA_PID")
  REPLICA_PORT="$(wait_port "$DATA_ROOT/$name.port" "$REPLICA_PID")"
  wait_ready "$log" "$REPLICA_PID" >/dev/null
  REPLICA_SECONDS="$(awk -v ready="$(now)" -v started="$started" \
    'BEGIN { printf "%.3f", ready - started }')"
}

stop_replica() {
  kill -TERM "$REPLICA_PID"
  wait "$REPLICA_PID" || true
}

# stat NAME: a field of the replica's Stats, as bulletinctl prints it.
stat() {
  "$CTL" --query_addr="127.0.0.1:$REPLICA_PORT" stats --json |
    sed -n "s/.*\"$1\": *\"\{0,1\}\([0-9]*\).*/\1/p" | head -1
}

# kv LINE KEY: the value of KEY=value in a bulletin_load line.
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

echo "data and logs: $DATA_ROOT" >&2
"$INGEST_BIN" --listen=127.0.0.1:0 --port_file="$DATA_ROOT/ingest.port" \
  --data_dir="$DATA_ROOT/ingest" 2>>"$DATA_ROOT/ingest.log" &
INGEST_PID=$!
PIDS+=("$INGEST_PID")
INGEST_PORT="$(wait_port "$DATA_ROOT/ingest.port" "$INGEST_PID")"

loaded=0
for size in $SIZES; do
  if (( size > loaded )); then
    echo "loading bulletins $loaded..$((size - 1))" >&2
    "$LOAD" --mode=submit --target="127.0.0.1:$INGEST_PORT" --concurrency=32 \
      --warmup=0s --duration=inf --first_bulletin="$loaded" \
      --bulletins="$((size - loaded))" >>"$DATA_ROOT/submit.txt"
    loaded=$size
  fi
  snapshots="$DATA_ROOT/snapshots-$size"

  # A replica that replays everything: memory, queries, then its snapshot.
  start_replica "seed-$size" --snapshot_dir="$snapshots"
  rss_kib="$(awk '/^VmRSS:/ {print $2}' "/proc/$REPLICA_PID/status")"
  bulletins="$(stat bulletin_count)"
  text_bytes="$(stat text_bytes)"
  index_bytes="$(stat index_bytes)"
  stored_bytes="$(stat stored_bytes)"
  "$LOAD" --mode=search --search_kind="$(IFS=,; echo "${KINDS[*]}")" \
    --target="127.0.0.1:$REPLICA_PORT" --concurrency="$CONCURRENCY" \
    --warmup="$WARMUP" --duration="${QUERY_SECONDS}s" \
    --server_pid="$REPLICA_PID" >"$DATA_ROOT/search-$size.txt"
  queries=()
  for kind in "${KINDS[@]}"; do
    line="$(grep " search_kind=$kind " "$DATA_ROOT/search-$size.txt")"
    queries+=("$(printf '  %-22s p50 %s ms, p99 %s ms, server CPU %s us per call, median hits %s' \
      "${KIND_NAME[$kind]}" "$(kv "$line" p50_ms)" "$(kv "$line" p99_ms)" \
      "$(kv "$line" server_cpu_us)" "$(kv "$line" median_total_hits)")")
  done
  stop_replica
  write_ms="$(field "$DATA_ROOT/seed-$size.log" snapshot_written ms)"
  snapshot_bytes="$(field "$DATA_ROOT/seed-$size.log" snapshot_written bytes)"
  [[ -n "$snapshot_bytes" ]] ||
    { echo "no snapshot written; see $DATA_ROOT/seed-$size.log" >&2; exit 1; }

  replay=()
  from_snapshot=()
  load_ms=()
  for rep in $(seq "$REPS"); do
    start_replica "replay-$size-$rep"
    stop_replica
    replay+=("$REPLICA_SECONDS")
    start_replica "snapshot-$size-$rep" --snapshot_dir="$snapshots"
    stop_replica
    from_snapshot+=("$REPLICA_SECONDS")
    load_ms+=("$(field "$DATA_ROOT/snapshot-$size-$rep.log" snapshot_loaded ms)")
    echo "size $size run $rep: replay ${replay[-1]} s, from snapshot" \
      "${from_snapshot[-1]} s" >&2
  done

  echo "bulletins $bulletins (of $size loaded)"
  awk -v rss="$rss_kib" -v text="$text_bytes" -v postings="$index_bytes" \
    -v stored="$stored_bytes" 'BEGIN {
      printf "  RSS %.0f MiB = %.2fx the normalized text (%.1f MB); index %.2fx, stored records %.2fx\n",
        rss / 1024, rss * 1024 / text, text / 1e6, postings / text, stored / text }'
  printf '  snapshot: %s bytes, written in %s ms\n' "$snapshot_bytes" "$write_ms"
  printf '  restart to SERVING: from the snapshot %s s, by full replay %s s (medians of %s: %s / %s)\n' \
    "$(printf '%s\n' "${from_snapshot[@]}" | median)" \
    "$(printf '%s\n' "${replay[@]}" | median)" "$REPS" \
    "${from_snapshot[*]}" "${replay[*]}"
  printf '  of which loading the snapshot: %s ms (median)\n' \
    "$(printf '%s\n' "${load_ms[@]}" | median)"
  printf '  queries at concurrency %s, %s s each:\n' "$CONCURRENCY" "$QUERY_SECONDS"
  printf '%s\n' "${queries[@]}"
done
