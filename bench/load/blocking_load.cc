#include "bench/load/blocking_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace bulletin::load {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What one worker recorded; only its thread touches it until it is joined.
struct WorkerResult {
  int64_t succeeded = 0;
  int64_t failed = 0;
  std::string first_error;
  int64_t last_completion = 0;
  std::vector<int64_t> latency_nanos;
};

}  // namespace

LoadResult RunBlockingLoad(
    const LoadOptions& options,
    const std::function<BlockingCall(int)>& make_worker) {
  const int64_t start = NowNanos();
  const int64_t window_start = start + absl::ToInt64Nanoseconds(options.warmup);
  const int64_t window_end =
      options.duration == absl::InfiniteDuration()
          ? std::numeric_limits<int64_t>::max()
          : window_start + absl::ToInt64Nanoseconds(options.duration);
  std::atomic<int64_t> next_call{0};

  const int workers = std::max(options.concurrency, 1);
  std::vector<WorkerResult> results(static_cast<size_t>(workers));
  std::vector<BlockingCall> calls;
  for (int i = 0; i < workers; ++i) calls.push_back(make_worker(i));
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&, i] {
      WorkerResult& mine = results[static_cast<size_t>(i)];
      for (;;) {
        const int64_t started = NowNanos();
        if (started >= window_end) return;
        const absl::Status status = calls[static_cast<size_t>(i)](
            next_call.fetch_add(1, std::memory_order_relaxed));
        const int64_t now = NowNanos();
        if (!status.ok() && mine.first_error.empty()) {
          mine.first_error = status.ToString();
        }
        if (now < window_start || now >= window_end) continue;
        mine.last_completion = std::max(mine.last_completion, now);
        if (!status.ok()) {
          ++mine.failed;
          continue;
        }
        ++mine.succeeded;
        mine.latency_nanos.push_back(now - started);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  LoadResult result;
  int64_t last_completion = window_start;
  for (const WorkerResult& worker : results) {
    result.succeeded += worker.succeeded;
    result.failed += worker.failed;
    if (result.first_error.empty()) result.first_error = worker.first_error;
    last_completion = std::max(last_completion, worker.last_completion);
    result.latency_nanos.insert(result.latency_nanos.end(),
                                worker.latency_nanos.begin(),
                                worker.latency_nanos.end());
  }
  result.seconds = (std::min(window_end, last_completion) - window_start) / 1e9;
  std::sort(result.latency_nanos.begin(), result.latency_nanos.end());
  return result;
}

}  // namespace bulletin::load
