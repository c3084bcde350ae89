// Turns submits and retractions into log records with group commit: callers
// queue their change and block; the commit thread takes everything queued,
// decides each change against the VersionIndex by the WriteRules (versions,
// request-id retries, preconditions, sources: write_rules.h), and appends the
// whole batch at once, each record conditioned on its bulletin's last seq as
// the index saw it. Many concurrent submitters therefore share one fsync (or
// one round of PubAcks). A caller that finds nothing being written and
// nothing queued writes its change itself, on its own thread, the same way:
// a lone submit then waits for no other thread (docs/benchmarks.md, "Write
// path"). Either way one batch is written at a time, and only the thread
// writing it touches the VersionIndex.
//
// Other writers (ingest replicas sharing a replicated log) may append too:
// before each batch the index catches up with the log, and a change whose
// condition fails because another writer got there first is decided again
// against the newer state, so each bulletin keeps one linear history and
// two writers can never both replace the same version.
//
//   absl::StatusOr<std::unique_ptr<bulletin::GroupCommitter>> committer =
//       bulletin::GroupCommitter::Start(log.get(), {});
//   absl::StatusOr<bulletin::CommitResult> result =
//       (*committer)->Upsert(std::move(record), digest, "cms-a",
//                            {.request_id = "r-1"});   // durable when OK
//   (*committer)->Stop();   // finishes what is queued, then refuses more
//
// Ownership: does not own the log, which must outlive it.
// Thread-safety: Upsert, Retract and live_count may be called from any number
// of threads; Stop from one.

#ifndef BULLETIN_INGEST_SERVICE_COMMIT_GROUP_COMMITTER_H_
#define BULLETIN_INGEST_SERVICE_COMMIT_GROUP_COMMITTER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/v1/bulletin.pb.h"
#include "common/sync/mutex.h"
#include "ingest-service/commit/version_index.h"
#include "ingest-service/commit/write_rules.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

class GroupCommitter {
 public:
  struct Options {
    // Changes waiting beyond this are refused with RESOURCE_EXHAUSTED rather
    // than queued: memory stays bounded under overload.
    size_t max_pending = 4096;
    // Most changes written by one synced write.
    size_t max_batch = 1024;
    // Request-id retention and bounds.
    WriteRules::Options rules;
    // Called once, on the thread that wrote the batch (the commit thread or
    // a caller), when a failed write leaves the log
    // unwritable (BulletinLog::writable); from then on every change fails,
    // so ingest should report itself unhealthy and be restarted.
    std::function<void(const absl::Status&)> on_log_failure;
  };

  // Rebuilds the version index from `log` (or, while it is unavailable,
  // before the first batch) and starts the commit thread. DATA_LOSS if the
  // log is inconsistent.
  static absl::StatusOr<std::unique_ptr<GroupCommitter>> Start(BulletinLog* log,
                                                               Options options);

  ~GroupCommitter();  // Calls Stop().

  // Writes `bulletin` (id set; seq, version and source unset), submitted
  // by `source`, as the next version of its id, by the WriteRules. Blocks
  // until the record is durable. UNAVAILABLE if stopped or the log cannot be
  // written, RESOURCE_EXHAUSTED if too many changes are waiting; the rules'
  // own answers otherwise.
  //
  // `deadline`: a change still waiting in the queue when it passes leaves
  // the queue unwritten, DEADLINE_EXCEEDED (DEADLINE_PASSED, RetryInfo);
  // one the commit thread has taken into a batch is being written, and its
  // outcome is waited for.
  absl::StatusOr<CommitResult> Upsert(
      v1::Bulletin bulletin, std::string version_digest,
      std::string source = "", WriteConditions conditions = {},
      absl::Time deadline = absl::InfiniteFuture());

  // Writes a retraction of `id`. NOT_FOUND if no live bulletin has it.
  // ABORTED if other writers kept changing the bulletin (Upsert too).
  // `deadline` as for Upsert.
  absl::StatusOr<CommitResult> Retract(
      std::string id, std::string reason, WriteConditions conditions = {},
      absl::Time deadline = absl::InfiniteFuture());

  // Finishes the changes already queued, then stops the commit thread;
  // later calls fail with UNAVAILABLE. Idempotent.
  void Stop();

  // Live bulletins after the last committed batch.
  int64_t live_count() const;

  // Changes queued and not yet taken by the commit thread.
  size_t pending_count() const;

 private:
  struct Pending;

  GroupCommitter(BulletinLog* log, Options options, VersionIndex index);
  absl::StatusOr<CommitResult> Enqueue(Pending* pending, absl::Time deadline);
  void CommitLoop();
  void CommitBatch(std::deque<Pending*>& batch);
  // Marks the changes of `batch` done (with `failure` as their result when
  // it is not OK), except those in `requeue`, which go back to the front of
  // the queue to be decided again.
  void FinishBatch(std::deque<Pending*>& batch,
                   const std::deque<Pending*>& requeue,
                   const absl::Status& failure);

  BulletinLog* const log_;
  const Options options_;
  const WriteRules rules_;
  // Used only by the thread writing a batch (see committing_);
  // live_count_ mirrors it for other threads.
  VersionIndex index_;

  mutable Mutex mutex_;
  // Signalled when a change is queued, a caller's own write leaves
  // changes queued, or stopping_ is set.
  CondVar queued_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  // Whether a batch is being written, by the commit thread or by a caller
  // that found the committer idle: one at a time, and only the thread that
  // set it uses index_ and log_failure_reported_ until FinishBatch clears
  // it.
  bool committing_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t live_count_ ABSL_GUARDED_BY(mutex_) = 0;
  // Whether on_log_failure has run; touched by the writing thread only.
  bool log_failure_reported_ = false;
  std::thread thread_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_COMMIT_GROUP_COMMITTER_H_
