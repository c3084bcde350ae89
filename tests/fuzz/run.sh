#!/usr/bin/env bash
# Runs the parser's libFuzzer target for a bounded time over the seed corpus
# in tests/fuzz/corpus/. Exits non-zero when the fuzzer finds a crash, a
# leak, a sanitizer report or a timeout; the input that did it is kept in
# the printed artifact directory.
#
#   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja \
#       -DBULLETIN_BUILD_FUZZERS=ON -DBULLETIN_SANITIZE=address,undefined
#   cmake --build build-fuzz --target parse_fuzzer -j2
#   tests/fuzz/run.sh build-fuzz 60
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fuzzer="$build_dir/tests/fuzz/parse_fuzzer"
if [[ ! -x "$fuzzer" ]]; then
  fuzzer=$(find "$build_dir" -type f -name parse_fuzzer -perm -u+x | head -n 1)
fi
if [[ -z "$fuzzer" || ! -x "$fuzzer" ]]; then
  echo "$0: no parse_fuzzer under $build_dir; build it with" \
       "-DBULLETIN_BUILD_FUZZERS=ON first" >&2
  exit 1
fi

# New inputs go to a scratch corpus so the checked-in one stays as reviewed.
work=$(mktemp -d)
trap 'rm -rf "$work/corpus"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
echo "fuzzing $fuzzer for ${seconds}s; artifacts in $work/artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$fuzzer" "$work/corpus" "$here/corpus" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1
