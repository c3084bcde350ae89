// How far behind the log a query replica is, in seconds, and the readiness
// that follows from it: a replica whose lag passes a limit reports not ready
// (condition "lagging") until it is back within it.
//
// The lag is the age of the oldest log head the replica has not applied yet:
// each sample notes when the reported head seq first reached a value, and
// the lag is how long ago the head first passed the replica's applied seq
// (0 when the replica has applied the newest head it heard of). Unlike
// "time since applied == head", it stays small under a steady stream of
// writes that the replica follows closely.
//
//   bulletin::ReplicaFreshness::Options options;
//   options.max_lag = absl::Seconds(30);
//   bulletin::ReplicaFreshness freshness(
//       options, &health,
//       [&] { return follower.head_seq(); },
//       [&] { return index.applied_seq(); });
//   freshness.Start();                         // samples every interval
//   double lag = absl::ToDoubleSeconds(freshness.Lag(absl::Now()));
//   freshness.Stop();
//
// Limitation: the head is what ingest last reported; while the Feed is cut
// the replica cannot know how far the log moved on, and its lag grows only
// from the heads it heard before the cut.
//
// Ownership: does not own the health state, which must outlive it.
// Thread-safety: Start and Stop from one thread; Sample and Lag from any.
// The callbacks are called on the sampling thread and must be thread-safe.

#ifndef BULLETIN_QUERY_SERVICE_REPLICA_FRESHNESS_H_
#define BULLETIN_QUERY_SERVICE_REPLICA_FRESHNESS_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/server/health_state.h"
#include "common/sync/mutex.h"

namespace bulletin {

class ReplicaFreshness {
 public:
  struct Options {
    // Past this lag the replica is not ready; zero: never for lag.
    absl::Duration max_lag = absl::Seconds(30);
    // How often Start's thread samples.
    absl::Duration interval = absl::Milliseconds(250);
  };

  // The health condition raised while the lag is past the limit.
  static constexpr char kCondition[] = "lagging";

  ReplicaFreshness(Options options, HealthState* health,
                   std::function<uint64_t()> head_seq,
                   std::function<uint64_t()> applied_seq);
  ~ReplicaFreshness();  // Calls Stop().
  ReplicaFreshness(const ReplicaFreshness&) = delete;
  ReplicaFreshness& operator=(const ReplicaFreshness&) = delete;

  // Samples every options.interval on a thread of its own.
  void Start();
  // Joins the thread. Idempotent.
  void Stop();

  // Takes one sample as of `now` and updates the health condition; `now`
  // must not go back between calls.
  void Sample(absl::Time now);
  // The lag as of `now`, from the samples taken so far.
  absl::Duration Lag(absl::Time now) const;

 private:
  struct HeadSeen {
    uint64_t seq;
    absl::Time first_seen;
  };

  // Bounds the samples kept while the replica falls behind: one per head
  // change, so at the default interval over 40 minutes of steady writes.
  static constexpr size_t kMaxHeads = 10000;

  void Run();

  const Options options_;
  HealthState* const health_;
  const std::function<uint64_t()> head_seq_;
  const std::function<uint64_t()> applied_seq_;

  mutable Mutex mutex_;
  CondVar stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  // Heads the replica has not applied yet, oldest first, each with the time
  // it was first reported.
  std::deque<HeadSeen> unapplied_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_REPLICA_FRESHNESS_H_
