#include "query-service/snapshot/snapshotter.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "common/log/json_log.h"

namespace bulletin {

Snapshotter::Snapshotter(const BulletinIndex* index,
                         SnapshotDirectory* directory, absl::Duration interval)
    : index_(index),
      directory_(directory),
      interval_(interval),
      last_seq_(index->applied_seq()),
      last_identity_(index->log_identity()) {}

Snapshotter::~Snapshotter() { Stop(); }

void Snapshotter::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Snapshotter::Stop() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
  }
  stop_requested_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

uint64_t Snapshotter::last_seq() const {
  MutexLock lock(&mutex_);
  return last_seq_;
}

int64_t Snapshotter::failures() const {
  MutexLock lock(&mutex_);
  return failures_;
}

void Snapshotter::Run() {
  // Background work, like the index's freezer: best effort, a failure
  // leaves the default priority.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  for (;;) {
    {
      MutexLock lock(&mutex_);
      if (stop_requested_.WaitUntil(&mutex_, absl::Now() + interval_,
                                    [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                                        mutex_) { return stopping_; })) {
        return;
      }
    }
    // Failures are logged; the next period tries again.
    (void)SnapshotIfChanged();
  }
}

absl::Status Snapshotter::SnapshotIfChanged() {
  MutexLock writing(&write_mutex_);
  const uint64_t applied = index_->applied_seq();
  const LogIdentity identity = index_->log_identity();
  {
    MutexLock lock(&mutex_);
    if (applied == 0 || (applied == last_seq_ && identity == last_identity_)) {
      return absl::OkStatus();
    }
  }
  const absl::Time started = absl::Now();
  const BulletinIndex::Checkpoint checkpoint = index_->TakeCheckpoint();
  absl::StatusOr<WrittenSnapshot> written = directory_->Write(checkpoint);
  if (!written.ok()) {
    {
      MutexLock lock(&mutex_);
      ++failures_;
    }
    LogError("snapshot_failed", {{"dir", directory_->path()},
                                 {"applied_seq", checkpoint.applied_seq()},
                                 {"error", written.status().ToString()}});
    return written.status();
  }
  {
    MutexLock lock(&mutex_);
    last_seq_ = checkpoint.applied_seq();
    last_identity_ = checkpoint.log_identity();
  }
  LogInfo("snapshot_written",
          {{"file", written->path},
           {"applied_seq", written->summary.applied_seq},
           {"bulletins", written->summary.bulletins},
           {"bytes", written->summary.bytes},
           {"ms", absl::ToDoubleMilliseconds(absl::Now() - started)}});
  return absl::OkStatus();
}

}  // namespace bulletin
