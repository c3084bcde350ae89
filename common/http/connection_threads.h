// cpp-httplib's task queue for a server with many kept-alive clients: each
// open connection gets a thread of its own, made when a connection arrives
// and no thread is idle, up to `max_threads`; a thread idle for
// `idle_timeout` ends, so a burst does not leave its threads behind.
//
//   httplib::Server server;
//   server.new_task_queue = [] {
//     return new bulletin::ConnectionThreads(256, absl::Seconds(30));
//   };
//
// Why not httplib::ThreadPool: cpp-httplib serves a kept-alive connection
// on one thread until the connection closes, and its fixed pool runs the
// first N connections only. With 64 clients calling on a pool of 32, the
// other 32 waited, unanswered, for as long as the first ones kept calling.
// Here every connection is served at once while fewer than `max_threads`
// are open; beyond that, new connections wait in arrival order for one to
// close (cpp-httplib's task queue cannot refuse a connection it accepted).
//
// Ownership: owns its threads. cpp-httplib owns the queue (new_task_queue)
// and calls shutdown() before deleting it.
// Thread-safety: enqueue may be called from any thread; shutdown once.

#ifndef BULLETIN_COMMON_HTTP_CONNECTION_THREADS_H_
#define BULLETIN_COMMON_HTTP_CONNECTION_THREADS_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/sync/mutex.h"
#include "httplib.h"

namespace bulletin {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  ConnectionThreads(size_t max_threads, absl::Duration idle_timeout);
  ~ConnectionThreads() override;  // Calls shutdown().

  // Runs `job` (one connection, until it closes) on an idle thread, on a
  // new one while fewer than max_threads run, or when one comes free.
  void enqueue(std::function<void()> job) override;

  // Runs the jobs still queued, then ends and joins every thread.
  // Idempotent.
  void shutdown() override;

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

#endif  // BULLETIN_COMMON_HTTP_CONNECTION_THREADS_H_
