#!/usr/bin/env bash
# Runs the load measurements of docs/benchmarks.md ("Load") against the real
# ingest-service and query-service on loopback, and prints the table.
#
#   bench/load/run.sh                       # build Release, measure, print
#   REPS=5 DURATION=10s bench/load/run.sh   # more runs per figure
#
# Each figure is the median of REPS runs. Search and its Echo floor are
# measured back to back in each run, at each concurrency, against the same
# query-service process, and their ratio is taken per run before the median,
# so machine noise shared by the pair cancels out. The same is done against
# search_ceiling_server, which answers the same searches with no search
# work behind the same server code: the best ratio any engine could reach.
#
# Environment: BUILD_DIR (default build-release, under the repository),
# SKIP_BUILD=1 to use what is built, BULLETINS (default 100000) loaded before
# searching, REPS (3), DURATION (10s), WARMUP (2s), FRESH_DURATION (20s),
# FRESH_RATE (100), SUBMIT_BULLETINS (60000: new bulletins made ready for
# each Submit run, enough for 5,000/s over WARMUP + DURATION),
# FRESH_BULLETINS (10000, the same for each freshness run), DATA_ROOT (default a new directory under /var/tmp: on
# disk, so that fsync costs what it costs), RESULTS (raw lines; default in
# DATA_ROOT).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=bench/common.sh
source "$ROOT/bench/common.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-release}"
BULLETINS="${BULLETINS:-100000}"
REPS="${REPS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
FRESH_DURATION="${FRESH_DURATION:-20s}"
FRESH_RATE="${FRESH_RATE:-100}"
SUBMIT_BULLETINS="${SUBMIT_BULLETINS:-60000}"
FRESH_BULLETINS="${FRESH_BULLETINS:-10000}"
DATA_ROOT="${DATA_ROOT:-$(mktemp -d /var/tmp/bulletin-load.XXXXXX)}"
mkdir -p "$DATA_ROOT"
RESULTS="${RESULTS:-$DATA_ROOT/results.txt}"
SEARCH_CONCURRENCY=(1 8 32 128)
HTTP_CONCURRENCY=(1 8 32 128)
SUBMIT_CONCURRENCY=(1 8 32)

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$BUILD_DIR" -j"$(nproc)" ingest-service query-service bulletin_load \
    search_ceiling_server
fi
INGEST_BIN="$BUILD_DIR/ingest-service/ingest-service"
QUERY_BIN="$BUILD_DIR/query-service/query-service"
LOAD="$BUILD_DIR/bench/load/bulletin_load"
CEILING_BIN="$BUILD_DIR/bench/load/search_ceiling_server"

PIDS=()  # every service started; stop_started kills them
trap stop_started EXIT

# start_query NAME: starts a replica of the ingest, with its HTTP/JSON API
# on a free port; sets QUERY_PID, QUERY_PORT, QUERY_HTTP_PORT.
start_query() {
  rm -f "$DATA_ROOT/$1.port"
  "$QUERY_BIN" --listen=127.0.0.1:0 --port_file="$DATA_ROOT/$1.port" \
    --ingest_addr="127.0.0.1:$INGEST_PORT" --replica_id="$1" --enable_echo \
    --http_listen=127.0.0.1:0 2>>"$DATA_ROOT/$1.log" &
  QUERY_PID=$!
  PIDS+=("$QUERY_PID")
  QUERY_PORT="$(wait_port "$DATA_ROOT/$1.port" "$QUERY_PID")"
  # The "serving" line, which names the HTTP port, follows the port file.
  QUERY_HTTP_PORT=""
  for _ in $(seq 200); do
    # (|| true: until the line is there grep fails, and pipefail with it.)
    QUERY_HTTP_PORT="$(grep -o '"http_port":[0-9]*' "$DATA_ROOT/$1.log" |
      tail -n 1 | cut -d: -f2 || true)"
    [[ -n "$QUERY_HTTP_PORT" ]] && break
    sleep 0.05
  done
  [[ -n "$QUERY_HTTP_PORT" ]] || { echo "no http_port in $DATA_ROOT/$1.log" >&2; exit 1; }
}

rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# measure REP SERVICE ARGS...: one bulletin_load run against SERVICE (ingest
# or query), its line kept with the rep and the service.
measure() {
  local rep="$1" service="$2"
  shift 2
  local line
  # A run with failed calls still reports them (failed=N); keep going.
  line="$("$LOAD" "$@" || true)"
  echo "rep=$rep service=$service $line" | tee -a "$RESULTS" >&2
}

# search_and_echo SERVICE PORT PID [HTTP_PORT]: for each rep and
# concurrency, Echo then Search against PORT (served by process PID), back
# to back, so their ratio is taken within a run; with HTTP_PORT, then the
# same searches over HTTP/JSON on the same process.
search_and_echo() {
  local rep c mode
  for rep in $(seq "$REPS"); do
    for c in "${SEARCH_CONCURRENCY[@]}"; do
      for mode in echo search; do
        measure "$rep" "$1" --mode=$mode --target="127.0.0.1:$2" \
          --server_pid="$3" --concurrency="$c" --warmup="$WARMUP" \
          --duration="$DURATION"
      done
      if [[ -n "${4:-}" && " ${HTTP_CONCURRENCY[*]} " == *" $c "* ]]; then
        measure "$rep" "$1" --mode=http_search --target="127.0.0.1:$4" \
          --server_pid="$3" --concurrency="$c" --warmup="$WARMUP" \
          --duration="$DURATION"
      fi
    done
  done
}

# The next unused submission number: every submit run takes a fresh range.
NEXT_BULLETIN="$BULLETINS"
take_bulletins() {
  FIRST="$NEXT_BULLETIN"
  NEXT_BULLETIN=$((NEXT_BULLETIN + $1))
}

: >"$RESULTS"
echo "data and logs: $DATA_ROOT" >&2
"$INGEST_BIN" --listen=127.0.0.1:0 --port_file="$DATA_ROOT/ingest.port" \
  --data_dir="$DATA_ROOT/ingest" --enable_echo 2>>"$DATA_ROOT/ingest.log" &
INGEST_PID=$!
PIDS+=("$INGEST_PID")
INGEST_PORT="$(wait_port "$DATA_ROOT/ingest.port" "$INGEST_PID")"
start_query query
MAIN_QUERY_PORT="$QUERY_PORT"

echo "loading $BULLETINS bulletins" >&2
measure 0 ingest --mode=submit --target="127.0.0.1:$INGEST_PORT" --concurrency=32 \
  --warmup=0s --duration=inf --first_bulletin=0 --bulletins="$BULLETINS"
measure 0 query --mode=catchup --target="127.0.0.1:$MAIN_QUERY_PORT" \
  --min_seq="$BULLETINS"

MAIN_QUERY_PID="$QUERY_PID"
search_and_echo query "$MAIN_QUERY_PORT" "$MAIN_QUERY_PID" "$QUERY_HTTP_PORT"

# The ceiling of search / echo: the same server code answering Search with
# kept copies of the replica's answers, no search work at all
# (search_ceiling_server.cc), and Echo beside it, back to back as above.
"$CEILING_BIN" --listen=127.0.0.1:0 --port_file="$DATA_ROOT/ceiling.port" \
  --replica="127.0.0.1:$MAIN_QUERY_PORT" 2>>"$DATA_ROOT/ceiling.log" &
CEILING_PID=$!
PIDS+=("$CEILING_PID")
CEILING_PORT="$(wait_port "$DATA_ROOT/ceiling.port" "$CEILING_PID")"
search_and_echo ceiling "$CEILING_PORT" "$CEILING_PID"
kill "$CEILING_PID"
wait "$CEILING_PID" || true

for rep in $(seq "$REPS"); do
  started="$(date +%s%N)"
  start_query "replica$rep"
  line="$("$LOAD" --mode=catchup --target="127.0.0.1:$QUERY_PORT" \
    --min_seq="$BULLETINS" --since_unix_nanos="$started")"
  echo "rep=$rep service=query $line rss_mib=$(rss_mib "$QUERY_PID")" | tee -a "$RESULTS" >&2
  kill "$QUERY_PID"
  wait "$QUERY_PID" || true
done

for rep in $(seq "$REPS"); do
  take_bulletins "$FRESH_BULLETINS"
  measure "$rep" ingest --mode=freshness --target="127.0.0.1:$INGEST_PORT" \
    --query_target="127.0.0.1:$MAIN_QUERY_PORT" --rate="$FRESH_RATE" \
    --warmup="$WARMUP" --duration="$FRESH_DURATION" \
    --first_bulletin="$FIRST" --bulletins="$FRESH_BULLETINS"
done

for rep in $(seq "$REPS"); do
  for c in "${SUBMIT_CONCURRENCY[@]}"; do
    measure "$rep" ingest --mode=echo --target="127.0.0.1:$INGEST_PORT" \
      --server_pid="$INGEST_PID" --concurrency="$c" --warmup="$WARMUP" --duration="$DURATION"
    take_bulletins "$SUBMIT_BULLETINS"
    measure "$rep" ingest --mode=submit --target="127.0.0.1:$INGEST_PORT" \
      --server_pid="$INGEST_PID" --concurrency="$c" --warmup="$WARMUP" --duration="$DURATION" \
      --first_bulletin="$FIRST" --bulletins="$SUBMIT_BULLETINS"
  done
done

# The table: medians over reps of the raw lines in $RESULTS.
awk -v reps="$REPS" '
  function median(key,   n, i, j, t, v) {
    n = count[key]
    for (i = 1; i <= n; i++) v[i] = values[key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
      t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
    }
    if (n == 0) return "-"
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function add(key, value) { values[key, ++count[key]] = value }
  {
    delete f
    for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    m = f["mode"]; c = f["concurrency"]; r = f["rep"]
    if (m == "echo") m = f["service"] "_echo"
    if (m == "search" && f["service"] == "ceiling") m = "ceiling_search"
    if (m == "catchup" && r > 0) {
      add("catchup_s", f["seconds"]); add("catchup_rate", f["rate"])
      add("rss", f["rss_mib"] * 100000 / f["bulletins"])
      add("index_mib", (f["index_bytes"] + f["stored_bytes"] + f["text_bytes"]) / 1048576 * 100000 / f["bulletins"])
    } else if (m == "freshness") {
      add("fresh50", f["fresh_p50_ms"]); add("fresh99", f["fresh_p99_ms"])
      add("fresh_max", f["fresh_max_ms"]); add("fresh_submit99", f["p99_ms"])
    } else if (m == "submit" && r == 0) {
      load_rate = f["throughput"]
    } else if (m ~ /echo$/ || m ~ /search$/ || m == "submit") {
      if (m == "search") { empty = f["empty_searches"]; median_hits = f["median_total_hits"] }
      add(m c "_tput", f["throughput"]); add(m c "_p50", f["p50_ms"])
      add(m c "_p99", f["p99_ms"]); tput[m, c, r] = f["throughput"]
      add(m c "_scpu", f["server_cpu_us"]); add(m c "_ccpu", f["client_cpu_us"])
    }
  }
  END {
    for (k in tput) {
      split(k, p, SUBSEP)
      if (p[1] == "search") add("ratio" p[2], tput["search", p[2], p[3]] / tput["query_echo", p[2], p[3]])
      if (p[1] == "http_search") add("hratio" p[2], tput["http_search", p[2], p[3]] / tput["search", p[2], p[3]])
      if (p[1] == "ceiling_search") add("cratio" p[2], tput["ceiling_search", p[2], p[3]] / tput["ceiling_echo", p[2], p[3]])
      if (p[1] == "submit") add("sratio" p[2], tput["submit", p[2], p[3]] / tput["ingest_echo", p[2], p[3]])
    }
    printf "Search on query-service, and Echo on the same server (medians of %d runs):\n\n", reps
    print "| concurrency | echo calls/s | echo p50 / p99 ms | search calls/s | search p50 / p99 ms | search / echo | CPU µs per call, server / client: echo; search |"
    print "|---:|---:|---:|---:|---:|---:|---:|"
    split("1 8 32 128", cs, " ")
    for (i = 1; i <= 4; i++) { c = cs[i]
      printf "| %d | %.0f | %.2f / %.2f | %.0f | %.2f / %.2f | %.0f%% | %.0f / %.0f; %.0f / %.0f |\n", c,
        median("query_echo" c "_tput"), median("query_echo" c "_p50"), median("query_echo" c "_p99"),
        median("search" c "_tput"), median("search" c "_p50"), median("search" c "_p99"),
        100 * median("ratio" c),
        median("query_echo" c "_scpu"), median("query_echo" c "_ccpu"),
        median("search" c "_scpu"), median("search" c "_ccpu")
    }
    printf "\nThe mix: 1,000 searches, of which %d find nothing; their median total of hits is %d.\n", empty, median_hits
    printf "\nThe same searches over HTTP/JSON (POST /v1/bulletins:search) on the same replica, right after each gRPC run:\n\n"
    print "| concurrency | HTTP calls/s | HTTP p50 / p99 ms | gRPC search calls/s | HTTP / gRPC | CPU µs per call, server / client: HTTP |"
    print "|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= 4; i++) { c = cs[i]
      printf "| %d | %.0f | %.2f / %.2f | %.0f | %.0f%% | %.0f / %.0f |\n", c,
        median("http_search" c "_tput"), median("http_search" c "_p50"), median("http_search" c "_p99"),
        median("search" c "_tput"), 100 * median("hratio" c),
        median("http_search" c "_scpu"), median("http_search" c "_ccpu")
    }
    printf "\nThe ceiling: the same mix answered with kept copies of those answers (no search work) by search_ceiling_server, and Echo on the same server:\n\n"
    print "| concurrency | echo calls/s | replayed search calls/s | p50 / p99 ms | replayed / echo | CPU µs per call, server / client: echo; replayed |"
    print "|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= 4; i++) { c = cs[i]
      printf "| %d | %.0f | %.0f | %.2f / %.2f | %.0f%% | %.0f / %.0f; %.0f / %.0f |\n", c,
        median("ceiling_echo" c "_tput"), median("ceiling_search" c "_tput"),
        median("ceiling_search" c "_p50"), median("ceiling_search" c "_p99"),
        100 * median("cratio" c),
        median("ceiling_echo" c "_scpu"), median("ceiling_echo" c "_ccpu"),
        median("ceiling_search" c "_scpu"), median("ceiling_search" c "_ccpu")
    }
    printf "\nSubmit on ingest-service: acknowledged (durable) new bulletins, with a replica following:\n\n"
    print "| submitters | bulletins/s | p50 / p99 ms | echo calls/s | submit / echo | CPU µs per submit, server / client |"
    print "|---:|---:|---:|---:|---:|---:|"
    split("1 8 32", ss, " ")
    for (i = 1; i <= 3; i++) { c = ss[i]
      printf "| %d | %.0f | %.2f / %.2f | %.0f | %.0f%% | %.0f / %.0f |\n", c,
        median("submit" c "_tput"), median("submit" c "_p50"), median("submit" c "_p99"),
        median("ingest_echo" c "_tput"), 100 * median("sratio" c),
        median("submit" c "_scpu"), median("submit" c "_ccpu")
    }
    printf "\nInitial load of the corpus at 32 submitters: %.0f bulletins/s (one run).\n", load_rate
    printf "\nFreshness at %s submits/s, Submit acknowledged to visible in Search: p50 %.2f ms, p99 %.2f ms (max %.1f ms; Submit p99 %.2f ms).\n",
      FRESH_RATE, median("fresh50"), median("fresh99"), median("fresh_max"), median("fresh_submit99")
    printf "\nCatch-up of a new replica: %.1f s (%.0f bulletins/s) per 100,000 bulletins; resident memory %.0f MiB per 100,000 bulletins (text, index and stored records: %.0f MiB).\n",
      median("catchup_s") * 100000 / BULLETINS, median("catchup_rate"), median("rss"), median("index_mib")
  }' FRESH_RATE="$FRESH_RATE" BULLETINS="$BULLETINS" "$RESULTS"
