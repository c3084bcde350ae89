// Parser throughput on one core: MB/s and bulletins/s over a realistic mix
// of bulletins (the seed and the twelve variants from tests/parser: round-
// ups and single reports, UTF-8, GB18030, UTF-16, traditional characters).
//
//   bench_parse --benchmark_repetitions=5 --benchmark_report_aggregates_only
//
// "bytes_per_second" is submitted bytes parsed per second; "items_per_second"
// is bulletins per second.

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ingest-service/parser/parse_submission.h"

namespace {

std::string Read(const std::string& name) {
  std::ifstream in(std::string(BULLETIN_PARSER_TESTDATA) + "/" + name,
                   std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

const std::vector<std::string>& Mix() {
  static const auto* const mix = [] {
    auto* m = new std::vector<std::string>;
    for (const char* name :
         {"seed_000.txt", "variants/sichuan_roundup.txt",
          "variants/single_article.txt", "variants/xinhua_dateline.txt",
          "variants/traditional.txt", "variants/zhi_san_crlf.txt",
          "variants/federations.txt", "variants/guangdong.gb18030.txt",
          "variants/hunan.utf16le.txt", "variants/fullwidth_byline.txt",
          "variants/chongqing_congress.txt",
          "variants/jiangsu_womens_federations.txt",
          "variants/democratic_parties.txt"}) {
      m->push_back(Read(name));
    }
    return m;
  }();
  return *mix;
}

void Run(benchmark::State& state, const std::vector<std::string>& bulletins) {
  const bulletin::ParseOptions options;
  // Builds the lexicons, the gazetteer and the fold table once, outside
  // the measurement, as a long-running service does at its first request.
  for (const std::string& b : bulletins) {
    if (!bulletin::ParseSubmission(b, options).ok()) {
      state.SkipWithError("a bulletin of the mix does not parse");
      return;
    }
  }
  int64_t bytes = 0;
  int64_t count = 0;
  for (auto _ : state) {
    for (const std::string& b : bulletins) {
      auto parsed = bulletin::ParseSubmission(b, options);
      benchmark::DoNotOptimize(parsed);
      bytes += static_cast<int64_t>(b.size());
      ++count;
    }
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(count);
}

void BM_ParseMix(benchmark::State& state) { Run(state, Mix()); }
BENCHMARK(BM_ParseMix)->Unit(benchmark::kMicrosecond);

// The seed alone: a long round-up, the common case for ingest.
void BM_ParseSeed(benchmark::State& state) { Run(state, {Mix().front()}); }
BENCHMARK(BM_ParseSeed)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
