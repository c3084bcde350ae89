// A real LevelDbLog in a temporary directory whose appends a test can hold
// back or make fail, for tests of what sits above the log (group commit, the
// Feed, a replica following it).
//
//   bulletin::testing::ControlledLog log;
//   log.Block();                       // Appends wait...
//   log.Unblock();                     // ...until now.
//   log.FailAppends(absl::UnavailableError("disk full"));
//   log.SetNotReady(absl::UnavailableError("NATS is out of reach"));
//
// Thread-safety: safe for concurrent use, as BulletinLog.

#ifndef BULLETIN_TESTS_INGEST_CONTROLLED_LOG_H_
#define BULLETIN_TESTS_INGEST_CONTROLLED_LOG_H_

#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/sync/mutex.h"
#include "gtest/gtest.h"
#include "ingest-service/log/leveldb_log.h"
#include "tests/testing/temp_dir.h"

namespace bulletin::testing {

class ControlledLog : public BulletinLog {
 public:
  ControlledLog() {
    absl::StatusOr<std::unique_ptr<LevelDbLog>> opened =
        LevelDbLog::Open(dir_.path() + "/log", {});
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (opened.ok()) log_ = *std::move(opened);
  }

  // While blocked, Append waits; Unblock lets it go on.
  void Block() {
    MutexLock lock(&mutex_);
    blocked_ = true;
  }
  void Unblock() {
    {
      MutexLock lock(&mutex_);
      blocked_ = false;
    }
    changed_.SignalAll();
  }
  // While failing, Append fails with `status` and writes nothing; the log
  // reports itself unwritable meanwhile unless the failure is `transient`
  // (as a replicated log's is).
  void FailAppends(absl::Status status, bool transient = false) {
    MutexLock lock(&mutex_);
    failure_ = std::move(status);
    transient_ = transient;
  }
  // While set, every entry's condition fails, as when other writers keep
  // winning the race for its bulletin; nothing is written.
  void LoseEveryCondition(bool lose) {
    MutexLock lock(&mutex_);
    lose_every_condition_ = lose;
  }
  // While `status` is not OK, Readiness returns it, as a replicated log
  // out of reach of its cluster does.
  void SetNotReady(absl::Status status) {
    MutexLock lock(&mutex_);
    not_ready_ = std::move(status);
  }
  int appends_waiting() {
    MutexLock lock(&mutex_);
    return waiting_;
  }
  // Append calls so far, and the thread that made the last one.
  int appends() {
    MutexLock lock(&mutex_);
    return appends_;
  }
  std::thread::id last_append_thread() {
    MutexLock lock(&mutex_);
    return last_append_thread_;
  }

  absl::StatusOr<std::vector<AppendOutcome>> Append(
      const std::vector<LogAppend>& entries) override {
    {
      MutexLock lock(&mutex_);
      ++appends_;
      last_append_thread_ = std::this_thread::get_id();
      ++waiting_;
      changed_.Wait(&mutex_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return !blocked_;
      });
      --waiting_;
      if (!failure_.ok()) return failure_;
      if (lose_every_condition_) {
        std::vector<AppendOutcome> lost(entries.size());
        for (AppendOutcome& outcome : lost) {
          outcome.status = absl::FailedPreconditionError("another writer won");
        }
        return lost;
      }
    }
    return log_->Append(entries);
  }
  absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const override {
    return log_->Read(after_seq, max_records);
  }
  uint64_t head_seq() const override { return log_->head_seq(); }
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const override {
    return log_->WaitForHeadAbove(seq, deadline);
  }
  LogIdentity identity() const override { return log_->identity(); }
  std::vector<EpochStart> epochs() const override { return log_->epochs(); }
  absl::Status CheckPosition(const LogIdentity& seen,
                             uint64_t applied_seq) const override {
    return log_->CheckPosition(seen, applied_seq);
  }
  bool writable() const override {
    {
      MutexLock lock(&mutex_);
      if (!failure_.ok() && !transient_) return false;
    }
    return log_->writable();
  }
  // Ready unless SetNotReady says otherwise; the appends FailAppends fails
  // do not change it (the committer finds out by appending).
  absl::Status Readiness() const override {
    {
      MutexLock lock(&mutex_);
      if (!not_ready_.ok()) return not_ready_;
    }
    return log_->Readiness();
  }
  void Close() override { log_->Close(); }
  bool closed() const override { return log_->closed(); }

 private:
  TempDir dir_;
  std::unique_ptr<LevelDbLog> log_;
  mutable Mutex mutex_;
  CondVar changed_;
  bool blocked_ ABSL_GUARDED_BY(mutex_) = false;
  int waiting_ ABSL_GUARDED_BY(mutex_) = 0;
  int appends_ ABSL_GUARDED_BY(mutex_) = 0;
  std::thread::id last_append_thread_ ABSL_GUARDED_BY(mutex_);
  absl::Status failure_ ABSL_GUARDED_BY(mutex_);
  bool transient_ ABSL_GUARDED_BY(mutex_) = false;
  bool lose_every_condition_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Status not_ready_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INGEST_CONTROLLED_LOG_H_
