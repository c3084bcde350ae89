#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the protos, in seconds: buf lint, buf breaking against the previous
#      main and buf generate (scripts/validate-protos.sh);
#   2. one clang build under ASan+UBSan with -Wthread-safety -Werror, the
#      benchmarks and the fuzzer: every source of every target is compiled
#      with the locking annotations (common/sync/mutex.h) checked, and a
#      known violation must fail first (scripts/check-thread-safety.py);
#      then the whole suite (unit and system tests, and bench/load/run.sh at
#      a small size) runs on it;
#   3. the concurrency tests and the system tests under TSan (GCC), built
#      in the background at the lowest priority while step 2's tests run;
#   4. the parser's libFuzzer target for a bounded time, from build 2;
#   5. deploy/'s manifests and units, offline.
# Each step prints how long it took. Build trees: build-asan/, build-tsan/.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-60}

scripts/install-deps.sh

started=$SECONDS
step() {
  echo "== [$(((SECONDS - started) / 60))m$(((SECONDS - started) % 60))s] $*"
}

step "protos: buf lint, breaking change check, generate"
scripts/validate-protos.sh

step "ASan+UBSan with clang -Wthread-safety: configure and prove the check"
# -g1: line tables and functions, all a sanitizer's report prints (file and
# line of each frame; inlined frames show as their caller's), for a quarter
# less compile time than -g. A tree configured with another compiler is
# configured afresh (CMake keeps the compiler of its first run).
if [ -f build-asan/CMakeCache.txt ] &&
  ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' build-asan/CMakeCache.txt; then
  rm -rf build-asan
fi
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1" \
  -DCMAKE_CXX_FLAGS_DEBUG="-g1" -DBULLETIN_SANITIZE=address,undefined \
  -DBULLETIN_THREAD_SAFETY=ON -DBULLETIN_BUILD_FUZZERS=ON \
  -DBULLETIN_BUILD_BENCH=ON >/dev/null
/usr/bin/python3 scripts/check-thread-safety.py build-asan

step "ASan+UBSan: build everything"
cmake --build build-asan -j "$jobs"

step "TSan: build the concurrency and system tests, beside the ASan tests"
# -g (not -g1): tests/tsan.supp matches frames inlined from gRPC's headers
# by name. GCC: with these targets it compiles every source of the services
# and of bulletinctl (what scripts/demo.sh builds with the default
# compiler); the other tests and the benchmarks are compiled by clang above.
# In the background at the lowest priority: the ASan tests below wait on
# processes and sockets for about half their time, and the build takes
# that half without slowing them (CI's budget is 30 minutes).
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1" -DBULLETIN_SANITIZE=thread \
  -DBULLETIN_BUILD_BENCH=ON >/dev/null
setsid nice -n 19 cmake --build build-tsan -j "$jobs" --target ingest_test \
  query_test concurrency_test bulletin_index_test hit_text_cache_test \
  freezer_test system_test fault_test \
  process_cpu_test sync_test snapshot_test http_test ingest-service \
  query-service bulletinctl >build-tsan/build.log 2>&1 &
tsan_build=$!
# Nothing this script starts outlives it, a failed step included: the
# build is a process group of its own (setsid), killed whole.
trap 'kill -- -"$tsan_build" 2>/dev/null || true' EXIT

step "ASan+UBSan: every test (and the load tools, run small)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

step "TSan: wait for its build"
if ! wait "$tsan_build"; then
  tail -n 60 build-tsan/build.log
  echo "the TSan build failed; its whole output is in build-tsan/build.log" >&2
  exit 1
fi

step "TSan: run them"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure -j "$jobs" \
  -R '^(LevelDbLog|VersionIndex|GroupCommitter|FeedService|IngestService|FeedFollower|QueryService|WatchHub|WatchCursor|WatchResume|ServedLog|ConnectionThreads|Concurrency|BulletinIndex|HitTextCache|Freezer|Pair|Cli|BadInput|Fault|CpuWindowSampler|Mutex|CondVar|SharedCondVar|Snapshotter|Snapshot|JetStreamLog|JetStreamClusterLog|RestoredStream|SourceText)Test\.'

step "libFuzzer: ParseSubmission for ${fuzz_seconds}s"
tests/fuzz/run.sh build-asan "$fuzz_seconds"

step "deploy/: render, schema-check and lint manifests and units (offline)"
scripts/validate-deploy.sh

step "all passed"
