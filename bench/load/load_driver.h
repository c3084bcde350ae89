// Drives asynchronous gRPC calls at a fixed concurrency (closed loop) or at a
// fixed rate (open loop) and records their latencies. Each poller thread owns
// one CompletionQueue; an operation is started and finished on its thread.
//
//   bulletin::load::LoadOptions options;
//   options.concurrency = 32;             // or options.rate = 100 (calls/s)
//   bulletin::load::LoadResult result = bulletin::load::RunLoad(
//       options, [&](int64_t n) { return std::make_unique<MyOp>(n); });
//   std::printf("%.0f/s p99 %.2f ms\n", result.throughput(),
//               result.LatencyMillis(0.99));
//
// Closed loop: `concurrency` operations are always outstanding; each one that
// finishes starts the next. Open loop: operation k is due at start + k/rate
// whether or not earlier ones have finished, and its latency counts from when
// it was due, so a stalled server shows up as latency rather than as fewer
// requests (no coordinated omission).
//
// Thread-safety: RunLoad may be called from one thread at a time; the factory
// is called from the poller threads concurrently and must be thread-safe.

#ifndef BULLETIN_BENCH_LOAD_LOAD_DRIVER_H_
#define BULLETIN_BENCH_LOAD_LOAD_DRIVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace bulletin::load {

// One measured operation: one RPC, or a chain of them (Submit, then Search).
class Op {
 public:
  virtual ~Op() = default;
  // Starts the first RPC on `cq` with `this` as its tag.
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // Called when the RPC started last completes. Returns true when the
  // operation is over (see succeeded()), or false after starting another RPC
  // on `cq` with `this` as its tag.
  virtual bool Proceed(grpc::CompletionQueue* cq) = 0;
  // Whether the finished operation did what it should; `error()` says why not.
  virtual bool succeeded() const = 0;
  virtual std::string error() const = 0;
  // A second duration this operation measured, in nanoseconds, or -1
  // (freshness: acknowledgement to visibility).
  virtual int64_t extra_nanos() const { return -1; }
};

// Makes operation number `n` (0, 1, 2, ...), or returns null when there are
// no more operations to run.
using OpFactory = std::function<std::unique_ptr<Op>(int64_t n)>;

struct LoadOptions {
  // Closed loop with this many outstanding operations, when > 0.
  int concurrency = 0;
  // Open loop at this many operations per second, when > 0.
  double rate = 0;
  // Operations finishing before this are run but not recorded.
  absl::Duration warmup = absl::Seconds(2);
  // Length of the recorded window; no operation starts after it ends.
  absl::Duration duration = absl::Seconds(10);
  // Poller threads, each with its own CompletionQueue.
  int threads = 2;
};

struct LoadResult {
  int64_t succeeded = 0;
  int64_t failed = 0;
  // The first failure's error, for the report.
  std::string first_error;
  // Length of the recorded window actually observed.
  double seconds = 0;
  // Sorted latencies of the successful operations in the window.
  std::vector<int64_t> latency_nanos;
  // Sorted Op::extra_nanos() of the successful operations that had one.
  std::vector<int64_t> extra_nanos;

  double throughput() const { return seconds > 0 ? succeeded / seconds : 0; }
  // The q-quantile (0 < q <= 1) in milliseconds; 0 when there are none.
  double LatencyMillis(double q) const;
  double ExtraMillis(double q) const;
};

// Runs operations from `factory` as `options` say and returns what happened
// in the recorded window. Returns early when the factory runs out.
LoadResult RunLoad(const LoadOptions& options, const OpFactory& factory);

}  // namespace bulletin::load

#endif  // BULLETIN_BENCH_LOAD_LOAD_DRIVER_H_
