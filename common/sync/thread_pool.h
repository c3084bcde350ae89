// A pool that runs each job on a thread of its own while fewer than
// `max_threads` run, made when a job arrives and no thread is idle; a
// thread idle for `idle_timeout` ends, so a burst does not leave its
// threads behind. Beyond max_threads, jobs wait in arrival order for a
// thread to come free.
//
//   bulletin::ThreadPool pool(/*max_threads=*/4, absl::Seconds(30));
//   pool.Run([] { ... });
//   pool.Shutdown();            // runs what is queued, joins
//
// Used for long jobs that each need a thread for their whole life (an
// HTTP connection, common/http/connection_threads.h) and for short ones
// that must not run on the thread that asks for them (Watch matching,
// query-service/watch_stream.h).
//
// Ownership: owns its threads.
// Thread-safety: Run and threads() may be called from any thread;
// Shutdown once, not from a job.

#ifndef BULLETIN_COMMON_SYNC_THREAD_POOL_H_
#define BULLETIN_COMMON_SYNC_THREAD_POOL_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/sync/mutex.h"

namespace bulletin {

class ThreadPool {
 public:
  ThreadPool(size_t max_threads, absl::Duration idle_timeout);
  ~ThreadPool();  // Calls Shutdown().
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs `job` on an idle thread, on a new one while fewer than
  // max_threads run, or when one comes free.
  void Run(std::function<void()> job);

  // Runs the jobs still queued, then ends and joins every thread.
  // Idempotent.
  void Shutdown();

  // Threads running now (busy or idle).
  size_t threads();

 private:
  void Work();
  // Joins threads that have ended; call without the mutex held.
  void JoinFinished();

  const size_t max_threads_;
  const absl::Duration idle_timeout_;
  Mutex mutex_;
  CondVar work_arrived_;
  CondVar thread_ended_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mutex_);
  // Threads still running, by id; one moves itself to finished_ as it ends.
  std::map<std::thread::id, std::thread> running_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::thread> finished_ ABSL_GUARDED_BY(mutex_);
  size_t idle_ ABSL_GUARDED_BY(mutex_) = 0;
  bool shutting_down_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SYNC_THREAD_POOL_H_
