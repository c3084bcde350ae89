#include "ingest-service/commit/group_committer.h"

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace bulletin {

struct GroupCommitter::Pending {
  // The change: an upsert when `bulletin` has an id, else a retraction.
  bool is_retraction = false;
  v1::Bulletin bulletin;
  std::string version_digest;
  std::string retract_id;
  std::string reason;
  // Set by the commit thread, under mutex_.
  bool done = false;
  absl::StatusOr<CommitResult> result;
};

absl::StatusOr<std::unique_ptr<GroupCommitter>> GroupCommitter::Start(
    BulletinLog* log, Options options) {
  absl::StatusOr<VersionIndex> index = VersionIndex::Rebuild(*log);
  if (!index.ok()) return index.status();
  return std::unique_ptr<GroupCommitter>(
      new GroupCommitter(log, options, *std::move(index)));
}

GroupCommitter::GroupCommitter(BulletinLog* log, Options options,
                               VersionIndex index)
    : log_(log), options_(options), index_(std::move(index)) {
  live_count_ = index_.live_count();
  thread_ = std::thread([this] { CommitLoop(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t GroupCommitter::live_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_count_;
}

size_t GroupCommitter::pending_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

absl::StatusOr<CommitResult> GroupCommitter::Upsert(
    v1::Bulletin bulletin, std::string version_digest) {
  Pending pending;
  pending.bulletin = std::move(bulletin);
  pending.version_digest = std::move(version_digest);
  return Enqueue(&pending);
}

absl::StatusOr<CommitResult> GroupCommitter::Retract(std::string id,
                                                     std::string reason) {
  Pending pending;
  pending.is_retraction = true;
  pending.retract_id = std::move(id);
  pending.reason = std::move(reason);
  return Enqueue(&pending);
}

absl::StatusOr<CommitResult> GroupCommitter::Enqueue(Pending* pending) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) {
    return absl::UnavailableError("ingest is shutting down; retry elsewhere");
  }
  if (queue_.size() >= options_.max_pending) {
    return absl::ResourceExhaustedError(
        absl::StrCat("ingest is overloaded: ", queue_.size(),
                     " changes are waiting to be written; retry with backoff"));
  }
  queue_.push_back(pending);
  queued_.notify_one();
  committed_.wait(lock, [pending] { return pending->done; });
  return std::move(pending->result);
}

void GroupCommitter::CommitLoop() {
  for (;;) {
    std::deque<Pending*> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      queued_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // Stopping with nothing left to write.
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
  }
}

void GroupCommitter::CommitBatch(std::deque<Pending*>& batch) {
  // Decide every change against the index as it will be after the changes
  // before it in this batch: `overlay` holds those, and reaches the index
  // only once the batch is durable.
  absl::flat_hash_map<std::string, VersionIndex::Entry> overlay;
  auto current = [&](const std::string& id) -> const VersionIndex::Entry* {
    auto it = overlay.find(id);
    if (it != overlay.end()) return &it->second;
    return index_.Find(id);
  };

  const int64_t now_micros = absl::ToUnixMicros(absl::Now());
  uint64_t next_seq = log_->head_seq() + 1;
  std::vector<v1::LogRecord> records;
  std::vector<Pending*> written;  // Parallel to records.
  for (Pending* pending : batch) {
    if (pending->is_retraction) {
      const VersionIndex::Entry* entry = current(pending->retract_id);
      if (entry == nullptr || !entry->live) {
        pending->result = absl::NotFoundError(absl::StrCat(
            "no live bulletin has id '", pending->retract_id, "'"));
        continue;
      }
      v1::LogRecord& record = records.emplace_back();
      record.set_seq(next_seq++);
      record.set_appended_at_micros(now_micros);
      record.mutable_retraction()->set_id(pending->retract_id);
      record.mutable_retraction()->set_reason(pending->reason);
      overlay[pending->retract_id] =
          VersionIndex::Entry{entry->digest, record.seq(), false};
      written.push_back(pending);
      continue;
    }
    const std::string id = pending->bulletin.id();  // Copied: moved below.
    const VersionIndex::Entry* entry = current(id);
    if (entry != nullptr && entry->live &&
        entry->digest == pending->version_digest) {
      pending->result = CommitResult{id, entry->seq, /*duplicate=*/true};
      continue;
    }
    v1::LogRecord& record = records.emplace_back();
    record.set_seq(next_seq++);
    record.set_appended_at_micros(now_micros);
    record.set_version_digest(pending->version_digest);
    v1::Bulletin* bulletin = record.mutable_upsert();
    *bulletin = std::move(pending->bulletin);
    bulletin->set_seq(record.seq());
    bulletin->set_ingested_at_micros(now_micros);
    overlay[id] =
        VersionIndex::Entry{pending->version_digest, record.seq(), true};
    written.push_back(pending);
  }

  absl::Status appended = log_->Append(records);
  if (!appended.ok() && !log_failure_reported_ && options_.on_log_failure) {
    log_failure_reported_ = true;
    options_.on_log_failure(appended);
  }
  for (size_t i = 0; i < written.size(); ++i) {
    if (!appended.ok()) {
      written[i]->result = absl::Status(
          appended.code(), absl::StrCat("not written: ", appended.message()));
      continue;
    }
    const v1::LogRecord& record = records[i];
    index_.Apply(record);
    const std::string& id =
        record.has_upsert() ? record.upsert().id() : record.retraction().id();
    written[i]->result = CommitResult{id, record.seq(), false};
  }

  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_count_ = index_.live_count();
    for (Pending* pending : batch) pending->done = true;
  }
  committed_.notify_all();
}

}  // namespace bulletin
