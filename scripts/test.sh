#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the whole suite (unit and system tests, and bench/load/run.sh at a
#      small size) under ASan+UBSan, with the benchmarks built;
#   2. the concurrency tests and the system tests under TSan;
#   3. the parser's libFuzzer target for a bounded time under ASan+UBSan;
#   4. every target's sources analysed by clang with -Wthread-safety
#      -Werror (-fsyntax-only: the analysis needs no code generated), so
#      that the locking annotations (common/sync/mutex.h) are checked.
# First, in seconds, the protos: buf lint, buf breaking against the previous
# main and buf generate (scripts/validate-protos.sh).
# Build trees: build-asan/, build-tsan/, build-fuzz/, build-tsa/. Exits
# non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-60}

scripts/install-deps.sh

echo "== protos: buf lint, breaking change check, generate"
scripts/validate-protos.sh

echo "== ASan+UBSan: build and run every test (and the load tools, run small)"
# -g1: line tables and functions, all a sanitizer's report prints (file and
# line of each frame; inlined frames show as their caller's), for a quarter
# less compile time than -g. Not for TSan: tests/tsan.supp matches frames
# inlined from gRPC's headers by name.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1" -DCMAKE_CXX_FLAGS_DEBUG="-g1" \
  -DBULLETIN_SANITIZE=address,undefined -DBULLETIN_BUILD_BENCH=ON >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== TSan: concurrency and system tests"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-O1" -DBULLETIN_SANITIZE=thread \
  -DBULLETIN_BUILD_BENCH=ON >/dev/null
cmake --build build-tsan -j "$jobs" --target ingest_test query_test \
  concurrency_test bulletin_index_test freezer_test system_test fault_test \
  process_cpu_test sync_test snapshot_test ingest-service query-service \
  bulletinctl
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
  ctest --test-dir build-tsan --output-on-failure -j "$jobs" \
  -R '^(LevelDbLog|VersionIndex|GroupCommitter|FeedService|IngestService|FeedFollower|QueryService|WatchHub|WatchCursor|WatchResume|Concurrency|BulletinIndex|Freezer|Pair|Cli|BadInput|Fault|CpuWindowSampler|Mutex|CondVar|SharedCondVar|Snapshotter|Snapshot|JetStreamLog|RestoredStream)Test\.'

echo "== libFuzzer: ParseSubmission for ${fuzz_seconds}s"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1" \
  -DBULLETIN_SANITIZE=address,undefined -DBULLETIN_BUILD_FUZZERS=ON \
  -DBULLETIN_BUILD_TESTS=ON -DBULLETIN_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$jobs" --target parse_fuzzer
tests/fuzz/run.sh build-fuzz "$fuzz_seconds"

echo "== clang -Wthread-safety: analyse every target's sources (no code made)"
# The analysis is part of clang's semantic checks: every source of every
# target (compile_commands.json) is compiled with -fsyntax-only, after the
# sources that are generated (protos, embedded files), and a known
# violation must fail first (scripts/check-thread-safety.py).
CC=clang CXX=clang++ cmake -S . -B build-tsa -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g0" \
  -DBULLETIN_THREAD_SAFETY=ON -DBULLETIN_BUILD_BENCH=ON >/dev/null
# Only the generators' own commands (-s): building their outputs through
# ninja would build the libraries their targets link first.
mapfile -t generated < <(ninja -C build-tsa -t targets all |
  sed -n 's/^\([^/][^:]*\): CUSTOM_COMMAND$/\1/p' | grep -v '\.util$')
[ "${#generated[@]}" -gt 0 ] || { echo "build-tsa lists no generators" >&2; exit 1; }
ninja -C build-tsa -t commands -s "${generated[@]}" | awk '!seen[$0]++' |
  (cd build-tsa && bash -e)
/usr/bin/python3 scripts/check-thread-safety.py build-tsa "$jobs"

echo "== deploy/: render, schema-check and lint manifests and units (offline)"
scripts/validate-deploy.sh
