// Turns submits and retractions into log records with group commit: callers
// queue their change and block; one commit thread takes everything queued,
// decides each change against the VersionIndex (new version, duplicate,
// correction, unknown id), assigns consecutive seqs, and appends the whole
// batch with one synced write. Many concurrent submitters therefore share
// one fsync, and seqs stay gap-free because only this thread assigns them.
//
//   absl::StatusOr<std::unique_ptr<bulletin::GroupCommitter>> committer =
//       bulletin::GroupCommitter::Start(log.get(), {});
//   absl::StatusOr<bulletin::CommitResult> result =
//       (*committer)->Upsert(std::move(record), digest);   // durable when OK
//   (*committer)->Stop();   // finishes what is queued, then refuses more
//
// Ownership: does not own the log, which must outlive it.
// Thread-safety: Upsert, Retract and live_count may be called from any number
// of threads; Stop from one.

#ifndef BULLETIN_INGEST_SERVICE_COMMIT_GROUP_COMMITTER_H_
#define BULLETIN_INGEST_SERVICE_COMMIT_GROUP_COMMITTER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"
#include "ingest-service/commit/version_index.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

struct CommitResult {
  // The bulletin's id.
  std::string id;
  // The seq of the record written, or, for a duplicate, of the record that
  // already holds this version.
  uint64_t seq = 0;
  // True when nothing was written because the version was already there.
  bool duplicate = false;
};

class GroupCommitter {
 public:
  struct Options {
    // Changes waiting beyond this are refused with RESOURCE_EXHAUSTED rather
    // than queued: memory stays bounded under overload.
    size_t max_pending = 4096;
    // Most changes written by one synced write.
    size_t max_batch = 1024;
    // Called once, on the commit thread, when the log first fails a write;
    // from then on every change fails (the log is fail-stop), so ingest
    // should report itself unhealthy and be restarted.
    std::function<void(const absl::Status&)> on_log_failure;
  };

  // Rebuilds the version index from `log` and starts the commit thread.
  // DATA_LOSS if the log is inconsistent.
  static absl::StatusOr<std::unique_ptr<GroupCommitter>> Start(BulletinLog* log,
                                                               Options options);

  ~GroupCommitter();  // Calls Stop().

  // Writes `bulletin` (id set, seq unset) as the current version of its id,
  // unless the live version already has `version_digest`. Blocks until the
  // record is durable. UNAVAILABLE if stopped or the log cannot be written,
  // RESOURCE_EXHAUSTED if too many changes are waiting.
  absl::StatusOr<CommitResult> Upsert(v1::Bulletin bulletin,
                                      std::string version_digest);

  // Writes a retraction of `id`. NOT_FOUND if no live bulletin has it.
  absl::StatusOr<CommitResult> Retract(std::string id, std::string reason);

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
  absl::StatusOr<CommitResult> Enqueue(Pending* pending);
  void CommitLoop();
  void CommitBatch(std::deque<Pending*>& batch);

  BulletinLog* const log_;
  const Options options_;
  // Owned by the commit thread; live_count_ mirrors it for other threads.
  VersionIndex index_;

  mutable std::mutex mutex_;
  // Signalled when a change is queued or stopping_ is set.
  std::condition_variable queued_;
  // Signalled when a batch is done: its callers wake and take their result.
  std::condition_variable committed_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t live_count_ ABSL_GUARDED_BY(mutex_) = 0;
  // Whether on_log_failure has run; touched by the commit thread only.
  bool log_failure_reported_ = false;
  std::thread thread_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_COMMIT_GROUP_COMMITTER_H_
