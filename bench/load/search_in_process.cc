// search_in_process: the load mix's searches (bulletin_load --mode=search)
// run in this process against an index loaded from a replica's snapshot,
// with no RPC: the search's own CPU, and a driver to profile it under
// callgrind, where no hardware counter is available for perf.
//
//   search_in_process --snapshot=DIR/snapshot-00000001.snap --rounds=20
//   valgrind --tool=callgrind --toggle-collect='*BulletinIndex::Search*'
//       search_in_process --snapshot=... --rounds=1   (one command line)
//
// Prints one line: searches, CPU µs per search, median total_hits, and how
// many bulletins the pages show (a text cache's working set).
//
// --threads=N runs the rounds on N threads at once, each starting at its
// own place in the searches, as a replica's handler threads do; the CPU is
// then the process's over the timed part. A per-search CPU that grows
// with N on a machine of fewer cores is what the searches cost each other
// (shared locks, caches, the allocator), apart from any RPC.

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bench/load/corpus_texts.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/snapshot/snapshot_file.h"

ABSL_FLAG(std::string, snapshot, "", "A replica's snapshot file to load.");
ABSL_FLAG(int, rounds, 10, "Times the searches are run.");
ABSL_FLAG(int, threads, 1,
          "Threads running the rounds at once, each over every search.");
ABSL_FLAG(int, searches, 1000,
          "Searches per round: the first this many of the 1,000 (fewer for a "
          "kind that costs tens of ms a call).");
ABSL_FLAG(int, search_kind, -1,
          "Only this kind of query (corpus_texts.h); -1: the mix.");

namespace {

double ProcessCpuMicros() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 +
         static_cast<double>(t.tv_nsec) / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs the load mix's searches in process on a snapshot.");
  absl::ParseCommandLine(argc, argv);
  bulletin::BulletinIndex index;
  absl::StatusOr<bulletin::SnapshotSummary> loaded =
      bulletin::LoadSnapshotFile(absl::GetFlag(FLAGS_snapshot), &index);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    return 1;
  }
  std::vector<bulletin::v1::SearchRequest> searches =
      bulletin::load::MakeSearches(1000, absl::GetFlag(FLAGS_search_kind));
  searches.resize(std::min<size_t>(
      static_cast<size_t>(std::max(absl::GetFlag(FLAGS_searches), 1)),
      searches.size()));
  std::vector<int64_t> totals;
  // The bulletins the pages show: what a cache of decoded text would hold.
  absl::flat_hash_set<std::string> shown;
  for (const bulletin::v1::SearchRequest& request : searches) {
    absl::StatusOr<bulletin::v1::SearchResponse> response =
        index.Search(request);
    if (!response.ok()) {
      std::fprintf(stderr, "%s\n", response.status().ToString().c_str());
      return 1;
    }
    totals.push_back(response->total_hits());
    for (const bulletin::v1::Hit& hit : response->hits()) {
      shown.insert(hit.bulletin_id());
    }
  }
  std::sort(totals.begin(), totals.end());
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int threads = std::max(absl::GetFlag(FLAGS_threads), 1);
  // Each thread writes only its own slot.
  std::vector<char> failed(static_cast<size_t>(threads), 0);
  auto run = [&](int thread) {
    const size_t first = searches.size() * static_cast<size_t>(thread) /
                         static_cast<size_t>(threads);
    for (int r = 0; r < rounds; ++r) {
      for (size_t i = 0; i < searches.size(); ++i) {
        const bulletin::v1::SearchRequest& request =
            searches[(first + i) % searches.size()];
        if (!index.Search(request).ok()) {
          failed[static_cast<size_t>(thread)] = 1;
          return;
        }
      }
    }
  };
  const double start = ProcessCpuMicros();
  if (threads == 1) {
    run(0);
  } else {
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t) running.emplace_back(run, t);
    for (std::thread& t : running) t.join();
  }
  const double cpu = ProcessCpuMicros() - start;
  if (std::find(failed.begin(), failed.end(), 1) != failed.end()) return 1;
  const double calls = static_cast<double>(rounds) * threads *
                       static_cast<double>(searches.size());
  std::printf(
      "bulletins=%lld threads=%d searches=%.0f cpu_us_per_search=%.1f "
      "median_total_hits=%lld bulletins_shown=%zu\n",
      static_cast<long long>(loaded->bulletins), threads, calls, cpu / calls,
      static_cast<long long>(totals[totals.size() / 2]), shown.size());
  return 0;
}
