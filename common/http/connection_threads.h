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
// Ownership: owns its pool. cpp-httplib owns the queue (new_task_queue)
// and calls shutdown() before deleting it.
// Thread-safety: enqueue may be called from any thread; shutdown once.

#ifndef BULLETIN_COMMON_HTTP_CONNECTION_THREADS_H_
#define BULLETIN_COMMON_HTTP_CONNECTION_THREADS_H_

#include <cstddef>
#include <functional>
#include <utility>

#include "absl/time/time.h"
#include "common/sync/thread_pool.h"
#include "httplib.h"

namespace bulletin {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  ConnectionThreads(size_t max_threads, absl::Duration idle_timeout)
      : pool_(max_threads, idle_timeout) {}

  // Runs `job` (one connection, until it closes) on a thread of its own
  // (common/sync/thread_pool.h).
  void enqueue(std::function<void()> job) override {
    pool_.Run(std::move(job));
  }

  // Runs the jobs still queued, then ends and joins every thread.
  void shutdown() override { pool_.Shutdown(); }

  // Threads running now (busy or idle).
  size_t threads() { return pool_.threads(); }

 private:
  ThreadPool pool_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_CONNECTION_THREADS_H_
