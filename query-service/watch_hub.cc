#include "query-service/watch_hub.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace bulletin {

absl::StatusOr<std::shared_ptr<const v1::Bulletin>> WatchHub::Watcher::Next(
    absl::Time deadline) {
  MutexLock lock(&mutex_);
  ready_.WaitUntil(&mutex_, deadline,
                   [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                     return !queue_.empty() || overflowed_ || closed_;
                   });
  if (overflowed_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this watch fell more than ", max_queue_,
        " bulletins behind and was dropped; watch again, and catch up with "
        "Search"));
  }
  if (closed_) return absl::CancelledError("the replica is shutting down");
  if (queue_.empty()) return absl::DeadlineExceededError("nothing new yet");
  std::shared_ptr<const v1::Bulletin> next = std::move(queue_.front());
  queue_.pop_front();
  return next;
}

void WatchHub::Watcher::Push(std::shared_ptr<const v1::Bulletin> bulletin) {
  {
    MutexLock lock(&mutex_);
    if (overflowed_ || closed_) return;
    if (queue_.size() >= max_queue_) {
      overflowed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(std::move(bulletin));
    }
  }
  ready_.Signal();
}

void WatchHub::Watcher::Close() {
  {
    MutexLock lock(&mutex_);
    closed_ = true;
  }
  ready_.Signal();
}

std::shared_ptr<WatchHub::Watcher> WatchHub::Add() {
  MutexLock lock(&mutex_);
  if (shut_down_) return nullptr;
  watchers_.push_back(std::make_shared<Watcher>(max_queue_));
  return watchers_.back();
}

void WatchHub::Remove(const std::shared_ptr<Watcher>& watcher) {
  MutexLock lock(&mutex_);
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher),
                  watchers_.end());
}

void WatchHub::Publish(const v1::LogRecord& record) {
  if (!record.has_upsert()) return;
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    MutexLock lock(&mutex_);
    if (watchers_.empty()) return;  // The common case: copy nothing.
    watchers = watchers_;
  }
  auto bulletin = std::make_shared<const v1::Bulletin>(record.upsert());
  for (const auto& watcher : watchers) watcher->Push(bulletin);
}

void WatchHub::Shutdown() {
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    MutexLock lock(&mutex_);
    shut_down_ = true;
    watchers.swap(watchers_);
  }
  for (const auto& watcher : watchers) watcher->Close();
}

size_t WatchHub::watcher_count() const {
  MutexLock lock(&mutex_);
  return watchers_.size();
}

}  // namespace bulletin
