#include "query-service/replica_freshness.h"

#include <utility>

#include "absl/time/clock.h"

namespace bulletin {

ReplicaFreshness::ReplicaFreshness(Options options, HealthState* health,
                                   std::function<uint64_t()> head_seq,
                                   std::function<uint64_t()> applied_seq)
    : options_(options),
      health_(health),
      head_seq_(std::move(head_seq)),
      applied_seq_(std::move(applied_seq)) {}

ReplicaFreshness::~ReplicaFreshness() { Stop(); }

void ReplicaFreshness::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ReplicaFreshness::Stop() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
  }
  stop_requested_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void ReplicaFreshness::Run() {
  while (true) {
    Sample(absl::Now());
    MutexLock lock(&mutex_);
    if (stop_requested_.WaitUntil(&mutex_, absl::Now() + options_.interval,
                                  [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                                      mutex_) { return stopping_; })) {
      return;
    }
  }
}

void ReplicaFreshness::Sample(absl::Time now) {
  // Applied first: a head read after it can only be newer, so the replica
  // never looks further ahead than it is.
  const uint64_t applied = applied_seq_();
  const uint64_t head = head_seq_();
  absl::Duration lag;
  {
    MutexLock lock(&mutex_);
    while (!unapplied_.empty() && unapplied_.front().seq <= applied) {
      unapplied_.pop_front();
    }
    const uint64_t newest_known =
        unapplied_.empty() ? applied : unapplied_.back().seq;
    if (head > newest_known && unapplied_.size() < kMaxHeads) {
      unapplied_.push_back({head, now});
    }
    lag = unapplied_.empty() ? absl::ZeroDuration()
                             : now - unapplied_.front().first_seen;
  }
  if (options_.max_lag > absl::ZeroDuration()) {
    health_->Set(kCondition, HealthState::kNotReady, lag > options_.max_lag);
  }
}

absl::Duration ReplicaFreshness::Lag(absl::Time now) const {
  MutexLock lock(&mutex_);
  if (unapplied_.empty()) return absl::ZeroDuration();
  return now - unapplied_.front().first_seen;
}

}  // namespace bulletin
