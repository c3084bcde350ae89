#include "common/sync/thread_pool.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace bulletin {

ThreadPool::ThreadPool(size_t max_threads, absl::Duration idle_timeout)
    : max_threads_(std::max<size_t>(max_threads, 1)),
      idle_timeout_(idle_timeout) {}

ThreadPool::~ThreadPool() { Shutdown(); }

void ThreadPool::Run(std::function<void()> job) {
  JoinFinished();
  MutexLock lock(&mutex_);
  jobs_.push_back(std::move(job));
  // An idle thread woken for an earlier job may not have taken it yet, so
  // compare with every queued job, not with this one alone.
  if (idle_ < jobs_.size() && running_.size() < max_threads_) {
    std::thread thread([this] { Work(); });
    const std::thread::id id = thread.get_id();
    // The new thread looks itself up only when it ends, under mutex_,
    // which this holds: it is in running_ by then.
    running_.emplace(id, std::move(thread));
  }
  work_arrived_.Signal();
}

void ThreadPool::Work() {
  mutex_.Lock();
  while (true) {
    ++idle_;
    work_arrived_.WaitUntil(&mutex_, absl::Now() + idle_timeout_,
                            [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                              return !jobs_.empty() || shutting_down_;
                            });
    --idle_;
    if (jobs_.empty()) break;  // Idle too long, or shutting down.
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    mutex_.Unlock();
    job();
    mutex_.Lock();
  }
  auto self = running_.extract(std::this_thread::get_id());
  finished_.push_back(std::move(self.mapped()));
  thread_ended_.SignalAll();
  mutex_.Unlock();
}

void ThreadPool::JoinFinished() {
  std::vector<std::thread> finished;
  {
    MutexLock lock(&mutex_);
    finished.swap(finished_);
  }
  // Each has left Work and only needs to return.
  for (std::thread& thread : finished) thread.join();
}

void ThreadPool::Shutdown() {
  {
    MutexLock lock(&mutex_);
    shutting_down_ = true;
    work_arrived_.SignalAll();
    thread_ended_.Wait(&mutex_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return running_.empty();
    });
  }
  JoinFinished();
}

size_t ThreadPool::threads() {
  MutexLock lock(&mutex_);
  return running_.size();
}

}  // namespace bulletin
