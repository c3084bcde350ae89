// An in-memory BulletinLog for tests that need to make appends block or fail.

#ifndef BULLETIN_TESTS_INGEST_MEMORY_LOG_H_
#define BULLETIN_TESTS_INGEST_MEMORY_LOG_H_

#include <vector>

#include "absl/synchronization/mutex.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin::testing {

class MemoryLog : public BulletinLog {
 public:
  // While blocked, Append waits; Unblock lets it go on.
  void Block() {
    absl::MutexLock lock(&mutex_);
    blocked_ = true;
  }
  void Unblock() {
    absl::MutexLock lock(&mutex_);
    blocked_ = false;
  }
  // While failing, Append fails with `status` and writes nothing.
  void FailAppends(absl::Status status) {
    absl::MutexLock lock(&mutex_);
    failure_ = std::move(status);
  }
  int appends_waiting() {
    absl::MutexLock lock(&mutex_);
    return waiting_;
  }

  absl::Status Append(const std::vector<v1::LogRecord>& records) override {
    absl::MutexLock lock(&mutex_);
    ++waiting_;
    mutex_.Await(absl::Condition(
        +[](bool* blocked) { return !*blocked; }, &blocked_));
    --waiting_;
    if (!failure_.ok()) return failure_;
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].seq() != records_.size() + 1 + i) {
        return absl::FailedPreconditionError("out of order");
      }
    }
    records_.insert(records_.end(), records.begin(), records.end());
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const override {
    absl::MutexLock lock(&mutex_);
    if (after_seq > records_.size()) return absl::OutOfRangeError("beyond");
    std::vector<v1::LogRecord> out;
    for (uint64_t i = after_seq; i < records_.size() && out.size() < max_records;
         ++i) {
      out.push_back(records_[i]);
    }
    return out;
  }
  uint64_t head_seq() const override {
    absl::MutexLock lock(&mutex_);
    return records_.size();
  }
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const override {
    absl::MutexLock lock(&mutex_);
    auto moved = [this, seq]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
      return records_.size() > seq || closed_;
    };
    mutex_.AwaitWithDeadline(absl::Condition(&moved), deadline);
    return records_.size();
  }
  void Close() override {
    absl::MutexLock lock(&mutex_);
    closed_ = true;
  }
  bool closed() const override {
    absl::MutexLock lock(&mutex_);
    return closed_;
  }

 private:
  mutable absl::Mutex mutex_;
  std::vector<v1::LogRecord> records_ ABSL_GUARDED_BY(mutex_);
  bool blocked_ ABSL_GUARDED_BY(mutex_) = false;
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  int waiting_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INGEST_MEMORY_LOG_H_
