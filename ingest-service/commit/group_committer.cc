#include "ingest-service/commit/group_committer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/error_details.h"

namespace bulletin {
namespace {

// How often one change may lose its conditional append to other writers of
// a shared log (or fail with an earlier change of its batch that lost)
// before it is refused.
constexpr int kMaxConflicts = 32;

}  // namespace

struct GroupCommitter::Pending {
  Change change;
  // Times its conditional append lost to another writer; touched only by
  // the thread writing its batch.
  int conflicts = 0;
  // Set by the writing thread, under mutex_: taken while in a batch being
  // written (false again if requeued), done once its result is set.
  bool taken = false;
  bool done = false;
  absl::StatusOr<CommitResult> result;
  // Signalled, under mutex_, when done is set: each caller is woken for its
  // own change only, not for every batch written while it waits.
  CondVar finished;
};

absl::StatusOr<std::unique_ptr<GroupCommitter>> GroupCommitter::Start(
    BulletinLog* log, Options options) {
  absl::StatusOr<VersionIndex> index = VersionIndex::Rebuild(*log);
  // A log out of reach for now (a replicated log whose cluster is down) is
  // read later: every batch catches the index up with the log first.
  if (index.status().code() == absl::StatusCode::kUnavailable) {
    index = VersionIndex();
  }
  if (!index.ok()) return index.status();
  return std::unique_ptr<GroupCommitter>(
      new GroupCommitter(log, options, *std::move(index)));
}

GroupCommitter::GroupCommitter(BulletinLog* log, Options options,
                               VersionIndex index)
    : log_(log),
      options_(options),
      rules_(options.rules),
      index_(std::move(index)) {
  live_count_ = index_.live_count();
  thread_ = std::thread([this] { CommitLoop(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Stop() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
  }
  queued_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

int64_t GroupCommitter::live_count() const {
  MutexLock lock(&mutex_);
  return live_count_;
}

size_t GroupCommitter::pending_count() const {
  MutexLock lock(&mutex_);
  return queue_.size();
}

absl::StatusOr<CommitResult> GroupCommitter::Upsert(v1::Bulletin bulletin,
                                                    std::string version_digest,
                                                    std::string source,
                                                    WriteConditions conditions,
                                                    absl::Time deadline) {
  Pending pending;
  pending.change.id = bulletin.id();
  pending.change.bulletin = std::move(bulletin);
  pending.change.version_digest = std::move(version_digest);
  pending.change.source = std::move(source);
  pending.change.conditions = std::move(conditions);
  return Enqueue(&pending, deadline);
}

absl::StatusOr<CommitResult> GroupCommitter::Retract(std::string id,
                                                     std::string reason,
                                                     WriteConditions conditions,
                                                     absl::Time deadline) {
  Pending pending;
  pending.change.is_retraction = true;
  pending.change.id = std::move(id);
  pending.change.reason = std::move(reason);
  pending.change.conditions = std::move(conditions);
  return Enqueue(&pending, deadline);
}

absl::StatusOr<CommitResult> GroupCommitter::Enqueue(Pending* pending,
                                                     absl::Time deadline) {
  MutexLock lock(&mutex_);
  if (stopping_) {
    return Unavailable(kReasonShuttingDown,
                       "ingest is shutting down; retry elsewhere");
  }
  if (queue_.size() >= options_.max_pending) {
    return Overloaded(
        absl::StrCat("ingest is overloaded: ", queue_.size(),
                     " changes are waiting to be written; retry with backoff"));
  }
  if (!committing_ && queue_.empty()) {
    // Nobody is writing and nobody waits: write the change on this thread.
    // Handing it to the commit thread would cost two thread wake-ups (to
    // the commit thread and back), on a busy machine most of a lone
    // submit's latency.
    committing_ = true;
    pending->taken = true;
    std::deque<Pending*> batch = {pending};
    mutex_.Unlock();
    CommitBatch(batch);
    mutex_.Lock();
  } else {
    queue_.push_back(pending);
    // While a batch is being written the commit thread cannot take this
    // one (FinishBatch signals it then): waking it now would only put it
    // back to sleep, a context switch per queued change on a busy machine.
    if (!committing_) queued_.Signal();
  }
  if (!pending->finished.WaitUntil(&mutex_, deadline,
                                   [pending] { return pending->done; }) &&
      !pending->taken) {
    // Still queued: it leaves the queue unwritten, and the caller can tell.
    queue_.erase(std::find(queue_.begin(), queue_.end(), pending));
    return WithRetryInfo(
        WithErrorInfo(absl::DeadlineExceededError(
                          "the change waited to be written past the call's "
                          "deadline and was not written; retry with the same "
                          "request_id"),
                      kReasonDeadlinePassed),
        absl::Seconds(1));
  }
  // Taken into a batch: the log is deciding it, and its outcome, whatever
  // the deadline, is the answer (the log's own timeouts bound the wait).
  pending->finished.Wait(&mutex_, [pending] { return pending->done; });
  return std::move(pending->result);
}

void GroupCommitter::CommitLoop() {
  for (;;) {
    std::deque<Pending*> batch;
    {
      MutexLock lock(&mutex_);
      queued_.Wait(&mutex_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return !committing_ && (!queue_.empty() || stopping_);
      });
      if (queue_.empty()) return;  // Stopping with nothing left to write.
      committing_ = true;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(queue_.front());
        batch.back()->taken = true;
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
  }
}

void GroupCommitter::CommitBatch(std::deque<Pending*>& batch) {
  // A log that is not ready (a replicated log out of reach of its cluster)
  // may not even know its head: deciding against an index that could not
  // catch up would be wrong (a retraction of a bulletin the index has not
  // read would be NOT_FOUND).
  if (absl::Status ready = log_->Readiness(); !ready.ok()) {
    FinishBatch(
        batch, {},
        absl::UnavailableError(absl::StrCat("not written: ", ready.message())));
    return;
  }
  // Other writers of a shared log may have appended since the last batch.
  absl::Status caught_up = index_.CatchUp(*log_);
  if (!caught_up.ok()) {
    FinishBatch(
        batch, {},
        Unavailable(kReasonLogUnavailable, absl::StrCat("cannot read the log: ",
                                                        caught_up.message())));
    return;
  }
  const absl::Time now = absl::Now();
  const int64_t now_micros = absl::ToUnixMicros(now);
  std::vector<LogAppend> appends;
  std::vector<Pending*> written;        // Parallel to appends.
  std::vector<CommitResult> to_answer;  // Parallel to appends.
  // A bulletin changes at most once per batch: a second change's condition
  // is the first one's seq, known only once the first is appended.
  absl::flat_hash_set<std::string> changed;
  std::deque<Pending*> next_batch;
  for (Pending* pending : batch) {
    Change& change = pending->change;
    if (!changed.insert(change.id).second) {
      next_batch.push_back(pending);
      continue;
    }
    const VersionIndex::Entry* entry = index_.Find(change.id);
    WriteDecision decision = rules_.Decide(entry, change, now);
    if (decision.answer.has_value()) {
      pending->result = *std::move(decision.answer);
      continue;
    }
    const uint64_t last_seq = entry == nullptr ? 0 : entry->seq;
    LogAppend& append = appends.emplace_back();
    append.expected_last_seq = last_seq;
    append.read_through_seq = index_.applied_seq();
    append.record = std::move(decision.record);
    append.record.set_appended_at_micros(now_micros);
    if (append.record.has_upsert()) {
      append.record.mutable_upsert()->set_ingested_at_micros(now_micros);
    }
    // The same change decided against the same state is the same record:
    // a retried append of it is stored once.
    append.dedup_id =
        absl::StrCat(change.id, "@", last_seq, ":",
                     change.is_retraction ? "retract" : change.version_digest,
                     ":", change.conditions.request_id);
    written.push_back(pending);
    to_answer.push_back(std::move(decision.result));
  }

  absl::StatusOr<std::vector<AppendOutcome>> outcomes =
      appends.empty() ? std::vector<AppendOutcome>() : log_->Append(appends);
  if (!outcomes.ok()) {
    if (!log_->writable() && !log_failure_reported_ &&
        options_.on_log_failure) {
      log_failure_reported_ = true;
      options_.on_log_failure(outcomes.status());
    }
    for (Pending* pending : written) {
      absl::Status not_written(
          outcomes.status().code(),
          absl::StrCat("not written: ", outcomes.status().message()));
      if (not_written.code() == absl::StatusCode::kUnavailable) {
        not_written = Unavailable(kReasonLogUnavailable, not_written.message());
      }
      pending->result = not_written;
    }
    FinishBatch(batch, next_batch, absl::OkStatus());
    return;
  }
  // When this batch's records directly follow what the index has read,
  // nobody else wrote in between and the index need not read them back.
  uint64_t contiguous_through = index_.applied_seq();
  for (size_t i = 0; i < written.size(); ++i) {
    Pending* pending = written[i];
    const AppendOutcome& outcome = (*outcomes)[i];
    v1::LogRecord& record = appends[i].record;
    const std::string& id = pending->change.id;
    if (outcome.status.code() == absl::StatusCode::kFailedPrecondition) {
      // Another writer changed the bulletin since the index read it: catch
      // up and decide again, a bounded number of times.
      if (++pending->conflicts <= kMaxConflicts) {
        WriteRules::MoveBack(record, pending->change);
        next_batch.push_back(pending);
      } else {
        pending->result = WithRetryInfo(
            WithErrorInfo(
                absl::AbortedError(absl::StrCat(
                    "bulletin ", id, " kept changing under other writers (",
                    kMaxConflicts, " attempts); retry")),
                kReasonContended, {{"id", id}}),
            absl::Seconds(1));
      }
      continue;
    }
    if (!outcome.status.ok()) {
      pending->result = outcome.status;
      continue;
    }
    if (outcome.seq == contiguous_through + 1) contiguous_through = outcome.seq;
    record.set_seq(outcome.seq);
    index_.Apply(record);
    CommitResult& result = to_answer[i];
    result.seq = outcome.seq;
    pending->result = std::move(result);
  }
  index_.MarkAppliedThrough(contiguous_through);
  FinishBatch(batch, next_batch, absl::OkStatus());
}

void GroupCommitter::FinishBatch(std::deque<Pending*>& batch,
                                 const std::deque<Pending*>& requeue,
                                 const absl::Status& failure) {
  {
    MutexLock lock(&mutex_);
    committing_ = false;
    live_count_ = index_.live_count();
    // Requeued changes go first, in their order, ahead of newer ones.
    for (auto it = requeue.rbegin(); it != requeue.rend(); ++it) {
      (*it)->taken = false;
      queue_.push_front(*it);
    }
    for (Pending* pending : batch) {
      if (std::find(requeue.begin(), requeue.end(), pending) != requeue.end()) {
        continue;
      }
      if (!failure.ok()) pending->result = failure;
      pending->done = true;
      // Under mutex_: once it is released, the caller may return and take
      // its Pending, this CondVar with it, away.
      pending->finished.Signal();
    }
    // Changes that queued while a caller wrote its own are the commit
    // thread's.
    if (!queue_.empty() || stopping_) queued_.Signal();
  }
}

}  // namespace bulletin
