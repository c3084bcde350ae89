#include "query-service/watch_hub.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace bulletin {

absl::StatusOr<std::shared_ptr<const v1::Bulletin>>
WatchHub::Watcher::TryNext() {
  MutexLock lock(&mutex_);
  if (overflowed_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this watch fell more than ", max_queue_,
        " bulletins behind and was dropped; watch again, and catch up with "
        "Search"));
  }
  if (closed_) return absl::CancelledError("the replica is shutting down");
  if (queue_.empty()) return nullptr;
  std::shared_ptr<const v1::Bulletin> next = std::move(queue_.front());
  queue_.pop_front();
  return next;
}

void WatchHub::Watcher::SetListener(std::function<void()> listener) {
  MutexLock lock(&listener_mutex_);
  listener_ = std::move(listener);
}

void WatchHub::Watcher::Notify() {
  MutexLock lock(&listener_mutex_);
  if (listener_) listener_();
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
  Notify();
}

void WatchHub::Watcher::Close() {
  {
    MutexLock lock(&mutex_);
    closed_ = true;
  }
  Notify();
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
