// Which log the index a query replica serves belongs to, as the Feed last
// said (its id, epoch and history): what a Watch position (the log_id,
// log_epoch and seq of an event, QueryService.Watch) is checked against when
// a client resumes, and what each event is stamped with. The FeedFollower
// keeps it up to date; the Watch streams read it.
//
//   bulletin::ServedLog served;
//   served.Loaded(index.log_identity());     // a snapshot's, or none
//   // The follower, at the first heartbeat of each stream into the index:
//   if (served.Heard(identity, epochs)) hub.EndAll(served.ReplacedStatus());
//   // ... and around the swap to an index rebuilt from another log:
//   served.BeginReplace();  index.ReplaceWith(rebuilt);
//   served.Replaced(identity, epochs);  hub.EndAll(served.ReplacedStatus());
//   // A Watch: the generation first, then the watcher and the catch-up:
//   const uint64_t generation = served.generation();
//   ...
//   absl::Status ok = served.CheckResume(generation, seen, after_seq);
//   absl::StatusOr<LogIdentity> stamp = served.IdentityOf(generation, seq);
//
// Generations: each replacement of the served log moves the generation on
// twice, once before the index is swapped (odd: under way) and once after.
// A Watch that reads the generation before it registers its watcher and
// takes its catch-up, and finds it unchanged afterwards, has a catch-up and
// a position check from the same log; a replacement after that ends its
// watcher (WatchHub::EndAll) and fails IdentityOf, so no event of one log is
// stamped with another's identity.
//
// Thread-safety: all methods may be called from any thread.

#ifndef BULLETIN_QUERY_SERVICE_SERVED_LOG_H_
#define BULLETIN_QUERY_SERVICE_SERVED_LOG_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/feed/log_identity.h"
#include "common/feed/log_position.h"
#include "common/sync/mutex.h"

namespace bulletin {

class ServedLog {
 public:
  ServedLog() = default;  // No log yet: an empty index.

  // The served index was loaded from a snapshot of this log; its history
  // is unknown until the first heartbeat.
  void Loaded(const LogIdentity& identity);

  // The first heartbeat of a stream into the served index named this log
  // and history. True when that is another log than the one served before
  // (an empty replica met a new log): the generation moved on, and the
  // caller ends the Watch streams.
  bool Heard(const LogIdentity& identity, std::vector<EpochStart> epochs);

  // Around the swap to an index rebuilt from another log: BeginReplace
  // before the index changes, Replaced with the rebuilt index's log after.
  void BeginReplace();
  void Replaced(const LogIdentity& identity, std::vector<EpochStart> epochs);

  uint64_t generation() const;
  LogIdentity identity() const;

  // OK when a Watch that read `generation` before it took its catch-up may
  // stream from `after_seq` (not yet 0 checked) under `seen`: the same log,
  // an epoch in its history, a seq within what that epoch wrote
  // (CheckLogPosition). `seen` with no log id (a client older than
  // identities) is checked by seq alone. FAILED_PRECONDITION
  // (RESYNC_REQUIRED) for a position in another log, or one the log no
  // longer holds; UNAVAILABLE (LOG_UNAVAILABLE, RetryInfo) while this
  // replica cannot tell: it has not heard the log's history yet, has not
  // reached the position's epoch, or is swapping logs.
  absl::Status CheckResume(uint64_t generation, const LogIdentity& seen,
                           uint64_t after_seq) const;

  // The log id and the epoch that wrote `seq`, to stamp an event of a
  // Watch opened at `generation` with (or a Search answer); ReplacedStatus()
  // once the replica serves another log, or while it swaps.
  absl::StatusOr<LogIdentity> IdentityOf(uint64_t generation,
                                         uint64_t seq) const;

  // FAILED_PRECONDITION (RESYNC_REQUIRED, metadata: the log now served):
  // what a Watch stream of a log the replica no longer serves ends with.
  absl::Status ReplacedStatus() const;

 private:
  absl::Status Replacing() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status ReplacedStatusLocked() const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  mutable Mutex mutex_;
  uint64_t generation_ ABSL_GUARDED_BY(mutex_) = 0;
  LogIdentity identity_ ABSL_GUARDED_BY(mutex_);
  // Empty until heard.
  std::vector<EpochStart> epochs_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_SERVED_LOG_H_
