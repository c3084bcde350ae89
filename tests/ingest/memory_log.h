// An in-memory BulletinLog for tests that need to make appends block or fail.

#ifndef BULLETIN_TESTS_INGEST_MEMORY_LOG_H_
#define BULLETIN_TESTS_INGEST_MEMORY_LOG_H_

#include <condition_variable>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/sync/wait.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin::testing {

class MemoryLog : public BulletinLog {
 public:
  // While blocked, Append waits; Unblock lets it go on.
  void Block() {
    std::lock_guard<std::mutex> lock(mutex_);
    blocked_ = true;
  }
  void Unblock() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      blocked_ = false;
    }
    changed_.notify_all();
  }
  // While failing, Append fails with `status` and writes nothing.
  void FailAppends(absl::Status status) {
    std::lock_guard<std::mutex> lock(mutex_);
    failure_ = std::move(status);
  }
  int appends_waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    return waiting_;
  }

  absl::Status Append(const std::vector<v1::LogRecord>& records) override {
    std::unique_lock<std::mutex> lock(mutex_);
    ++waiting_;
    changed_.wait(lock, [this] { return !blocked_; });
    --waiting_;
    if (!failure_.ok()) return failure_;
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].seq() != records_.size() + 1 + i) {
        return absl::FailedPreconditionError("out of order");
      }
    }
    records_.insert(records_.end(), records.begin(), records.end());
    changed_.notify_all();
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (after_seq > records_.size()) return absl::OutOfRangeError("beyond");
    std::vector<v1::LogRecord> out;
    for (uint64_t i = after_seq;
         i < records_.size() && out.size() < max_records; ++i) {
      out.push_back(records_[i]);
    }
    return out;
  }
  uint64_t head_seq() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return records_.size();
  }
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const override {
    std::unique_lock<std::mutex> lock(mutex_);
    WaitUntil(changed_, lock, deadline,
              [&] { return records_.size() > seq || closed_; });
    return records_.size();
  }
  void Close() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closed_ = true;
    }
    changed_.notify_all();
  }
  bool closed() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return closed_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<v1::LogRecord> records_ ABSL_GUARDED_BY(mutex_);
  bool blocked_ ABSL_GUARDED_BY(mutex_) = false;
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  int waiting_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INGEST_MEMORY_LOG_H_
