#!/usr/bin/env bash
# Runs the parser's libFuzzer target for a bounded time, seeded with every
# bulletin in tests/parser/testdata/ (the seed, the variants, the small
# cases), so the fuzzer starts from what the parser tests check and no
# copies are kept here. Exits non-zero when the fuzzer finds a crash, a
# leak, a sanitizer report or a timeout; the input that did it is kept in
# the printed artifact directory.
#
#   CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja \
#       -DBULLETIN_BUILD_FUZZERS=ON -DBULLETIN_SANITIZE=address,undefined
#   cmake --build build-asan --target parse_fuzzer -j2
#   tests/fuzz/run.sh build-asan 60
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$1
seconds=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
testdata="$here/../parser/testdata"

fuzzer="$build_dir/tests/fuzz/parse_fuzzer"
if [[ ! -x "$fuzzer" ]]; then
  fuzzer=$(find "$build_dir" -type f -name parse_fuzzer -perm -u+x | head -n 1)
fi
if [[ -z "$fuzzer" || ! -x "$fuzzer" ]]; then
  echo "$0: no parse_fuzzer under $build_dir; build it with" \
       "-DBULLETIN_BUILD_FUZZERS=ON first" >&2
  exit 1
fi

# New inputs go to a scratch corpus; the seeds are the test bulletins (not
# the golden records), flattened into one directory.
work=$(mktemp -d)
trap 'rm -rf "$work/corpus" "$work/seeds"' EXIT
mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
find "$testdata" -type f ! -name '*.json' | while read -r f; do
  cp "$f" "$work/seeds/$(basename "$(dirname "$f")")_$(basename "$f")"
done
echo "seeds: $(ls "$work/seeds" | wc -l) bulletins from $testdata"
echo "fuzzing $fuzzer for ${seconds}s; artifacts in $work/artifacts"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$fuzzer" "$work/corpus" "$work/seeds" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1
