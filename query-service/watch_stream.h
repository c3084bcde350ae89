// One QueryService.Watch stream on gRPC's callback API, so that a stream
// holds no thread while it waits for changes: 2,000 Watch streams on the
// synchronous API held 2,000 threads. The stream's WatchCursor (registered
// with the WatchHub, and holding its catch-up) decides what to send; when
// the hub has something for it, the cursor runs as a job on a small shared
// pool (never on the applier's thread that published), and an event is
// written with the callback API's non-blocking StartWrite. At most one job
// and one write per stream are under way at a time.
//
//   grpc::ServerWriteReactor<v1::WatchEvent>* Watch(
//       grpc::CallbackServerContext* context,
//       const v1::WatchRequest* request) override {
//     ...
//     return new bulletin::WatchStream(&hub, &matchers, std::move(cursor),
//                                      [this] { --watches_; });
//   }
//   return bulletin::WatchStream::Refuse(status);   // ends at once
//
// The stream sends its initial metadata at once (its watcher is registered
// before it is made: a client may wait for it before publishing), and ends
// with UNAVAILABLE when the hub shuts down, RESOURCE_EXHAUSTED when it fell
// too far behind, or when the client cancels.
//
// Ownership: gRPC owns the reactor; it deletes itself once gRPC is done
// with it and no job of its own is under way. The hub and the pool must
// outlive every stream (the server's shutdown ends them).
// Thread-safety: gRPC's callbacks, the hub's listener and the pool's jobs
// may run on any threads; the stream's state is guarded by its mutex.

#ifndef BULLETIN_QUERY_SERVICE_WATCH_STREAM_H_
#define BULLETIN_QUERY_SERVICE_WATCH_STREAM_H_

#include <functional>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/sync/mutex.h"
#include "common/sync/thread_pool.h"
#include "query-service/watch_cursor.h"
#include "query-service/watch_hub.h"

namespace bulletin {

class WatchStream final : public grpc::ServerWriteReactor<v1::WatchEvent> {
 public:
  // Starts the stream of `cursor`, whose watcher `hub` holds (and drops
  // when the stream ends); `on_done` runs once it is over (to give back its
  // place among the streams a replica allows).
  WatchStream(WatchHub* hub, ThreadPool* matchers, WatchCursor cursor,
              std::function<void()> on_done);

  // A stream that ends at once with `status`.
  static grpc::ServerWriteReactor<v1::WatchEvent>* Refuse(
      const grpc::Status& status);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  ~WatchStream() override = default;

  // The hub's listener: asks the pool to run Match, unless a write is under
  // way or the stream is ending; during a job, has the job look again.
  void Wake();
  // The pool's job: asks the cursor for the next event until there is one
  // (and writes it), there is none now, or the stream ends.
  void Match();
  // True when gRPC is done with the stream and no job is under way.
  bool DeletableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return done_ && !job_scheduled_;
  }

  WatchHub* const hub_;
  ThreadPool* const matchers_;
  // Used only by the job under way (at most one).
  WatchCursor cursor_;
  const std::function<void()> on_done_;
  // gRPC's operations (StartWrite, Finish) are started without mutex_ held,
  // as gRPC may run a reaction inline; the flags below, set under mutex_,
  // make sure at most one is under way and Finish comes once, after the
  // last write.
  Mutex mutex_;
  // The message being written; only whoever set writing_ touches it.
  v1::WatchEvent event_;
  bool writing_ ABSL_GUARDED_BY(mutex_) = false;
  bool job_scheduled_ ABSL_GUARDED_BY(mutex_) = false;
  // A Wake came while the job asked the cursor: it asks again before it
  // ends, so that nothing published meanwhile waits for the next change.
  bool look_again_ ABSL_GUARDED_BY(mutex_) = false;
  // Finish has been (or is being) called.
  bool finishing_ ABSL_GUARDED_BY(mutex_) = false;
  // The status to finish with once the write under way completes.
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mutex_);
  bool done_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_WATCH_STREAM_H_
