#include "query-service/watch_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace bulletin {

absl::StatusOr<std::shared_ptr<const WatchChange>>
WatchHub::Watcher::TryNext() {
  MutexLock lock(&mutex_);
  if (overflowed_) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "this watch fell more than ", max_queue_,
        " changes behind and was dropped; watch again with after_seq set to "
        "the seq of the last event you processed"));
  }
  if (!end_.ok()) return end_;
  if (queue_.empty()) return nullptr;
  std::shared_ptr<const WatchChange> next = std::move(queue_.front());
  queue_.pop_front();
  return next;
}

bool WatchHub::Watcher::TakeBookmarkDue() {
  MutexLock lock(&mutex_);
  return std::exchange(bookmark_due_, false);
}

void WatchHub::Watcher::SetListener(std::function<void()> listener) {
  MutexLock lock(&listener_mutex_);
  listener_ = std::move(listener);
}

void WatchHub::Watcher::Notify() {
  MutexLock lock(&listener_mutex_);
  if (listener_) listener_();
}

void WatchHub::Watcher::Push(std::shared_ptr<const WatchChange> change) {
  {
    MutexLock lock(&mutex_);
    if (overflowed_ || !end_.ok()) return;
    if (queue_.size() >= max_queue_) {
      overflowed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(std::move(change));
    }
  }
  Notify();
}

void WatchHub::Watcher::MarkBookmarkDue() {
  {
    MutexLock lock(&mutex_);
    if (overflowed_ || !end_.ok()) return;
    bookmark_due_ = true;
  }
  Notify();
}

void WatchHub::Watcher::End(const absl::Status& why) {
  {
    MutexLock lock(&mutex_);
    if (end_.ok()) end_ = why;
    queue_.clear();
  }
  Notify();
}

WatchHub::WatchHub() : WatchHub(Options()) {}

WatchHub::WatchHub(Options options) : options_(options) {
  if (options_.bookmark_interval > absl::ZeroDuration()) {
    timer_ = std::thread([this] { RunTimer(); });
  }
}

WatchHub::~WatchHub() { Shutdown(); }

std::shared_ptr<WatchHub::Watcher> WatchHub::Add() {
  MutexLock lock(&mutex_);
  if (shut_down_) return nullptr;
  watchers_.push_back(std::make_shared<Watcher>(options_.max_queue));
  return watchers_.back();
}

void WatchHub::Remove(const std::shared_ptr<Watcher>& watcher) {
  MutexLock lock(&mutex_);
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher),
                  watchers_.end());
}

std::vector<std::shared_ptr<WatchHub::Watcher>> WatchHub::Watchers() const {
  MutexLock lock(&mutex_);
  return watchers_;
}

void WatchHub::Publish(const v1::LogRecord& record,
                       const std::shared_ptr<const StoredRecord>& replaced) {
  if (!record.has_upsert() && !record.has_retraction()) return;
  const std::vector<std::shared_ptr<Watcher>> watchers = Watchers();
  if (watchers.empty()) return;  // The common case: decode nothing.
  auto change = std::make_shared<WatchChange>();
  change->seq = record.seq();
  if (record.has_upsert()) {
    auto current = std::make_shared<v1::Bulletin>(record.upsert());
    current->set_seq(record.seq());
    change->id = current->id();
    change->current = std::move(current);
  } else {
    change->id = record.retraction().id();
  }
  if (replaced != nullptr) {
    absl::StatusOr<v1::Bulletin> previous = replaced->ToBulletin();
    if (previous.ok()) {
      change->previous =
          std::make_shared<const v1::Bulletin>(*std::move(previous));
    } else {
      change->previous_unknown = true;
    }
  }
  std::shared_ptr<const WatchChange> shared = std::move(change);
  for (const auto& watcher : watchers) watcher->Push(shared);
}

void WatchHub::EndAll(const absl::Status& why) {
  for (const auto& watcher : Watchers()) watcher->End(why);
}

void WatchHub::Tick() {
  for (const auto& watcher : Watchers()) watcher->MarkBookmarkDue();
}

void WatchHub::RunTimer() {
  for (;;) {
    {
      MutexLock lock(&mutex_);
      if (shutting_down_.WaitUntil(
              &mutex_, absl::Now() + options_.bookmark_interval,
              [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                return shut_down_;
              })) {
        return;
      }
    }
    Tick();
  }
}

void WatchHub::Shutdown() {
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    MutexLock lock(&mutex_);
    shut_down_ = true;
    watchers.swap(watchers_);
  }
  shutting_down_.SignalAll();
  for (const auto& watcher : watchers) {
    watcher->End(absl::CancelledError("the replica is shutting down"));
  }
  // Shutdown runs on one thread at a time (main, or the destructor after
  // it); the timer never calls it.
  if (timer_.joinable()) timer_.join();
}

size_t WatchHub::watcher_count() const {
  MutexLock lock(&mutex_);
  return watchers_.size();
}

}  // namespace bulletin
