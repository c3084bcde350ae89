# Shell helpers shared by the bench scripts that run the real binaries
# (bench/load/run.sh, bench/scale/run.sh). Source it; it defines functions
# only.

# stop_started: kills every process whose id the script appended to its
# PIDS array, and waits for them (the scripts' EXIT trap).
stop_started() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# wait_port FILE PID: prints the port a service wrote to FILE (--port_file),
# or exits when PID died or nothing came within 20 s.
wait_port() {
  for _ in $(seq 400); do
    if [[ -s "$1" ]]; then cat "$1"; return; fi
    kill -0 "$2" 2>/dev/null || { echo "service $2 died; see its log" >&2; exit 1; }
    sleep 0.05
  done
  echo "no port in $1" >&2
  exit 1
}

# field LOG EVENT NAME: the value of NAME in the last EVENT line of the
# JSON-lines LOG; empty, and success, when there is none yet (callers poll
# under pipefail).
field() {
  { grep "\"event\":\"$2\"" "$1" || true; } | tail -1 |
    sed -n "s/.*\"$3\":\"\{0,1\}\([^,\"}]*\).*/\1/p"
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# wait_ready LOG PID: waits until the query replica that logs to LOG
# answers /readyz with 200; prints its metrics port.
wait_ready() {
  local metrics=""
  while [[ -z "$metrics" ]]; do
    kill -0 "$2" 2>/dev/null || { echo "replica died; see $1" >&2; exit 1; }
    metrics="$(field "$1" serving metrics_port)"
    [[ -n "$metrics" ]] || sleep 0.01
  done
  until curl -sf -o /dev/null "http://127.0.0.1:$metrics/readyz"; do
    kill -0 "$2" 2>/dev/null || { echo "replica died; see $1" >&2; exit 1; }
    sleep 0.02
  done
  echo "$metrics"
}
