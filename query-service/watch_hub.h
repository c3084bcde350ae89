// Fans applied bulletins out to the standing queries of QueryService.Watch.
// The Feed applier publishes each upserted bulletin once; every watcher has
// its own bounded queue, and its stream takes from it and does its own
// matching on gRPC's threads (watch_stream.h), so watchers never slow the
// applier down, and one slow watcher never holds back another: a watcher
// that falls more than `max_queue` bulletins behind is told so (its stream
// ends with RESOURCE_EXHAUSTED) instead of growing memory.
//
//   bulletin::WatchHub hub;
//   std::shared_ptr<bulletin::WatchHub::Watcher> watcher = hub.Add();
//   watcher->SetListener([&] { ...schedule a TryNext... });
//   hub.Publish(record);                           // applier thread
//   auto next = watcher->TryNext();                // any thread
//   watcher->SetListener(nullptr);
//   hub.Remove(watcher);
//
// Thread-safety: all methods may be called from any thread.

#ifndef BULLETIN_QUERY_SERVICE_WATCH_HUB_H_
#define BULLETIN_QUERY_SERVICE_WATCH_HUB_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "bulletin/v1/log.pb.h"
#include "common/sync/mutex.h"

namespace bulletin {

class WatchHub {
 public:
  class Watcher {
   public:
    explicit Watcher(size_t max_queue) : max_queue_(max_queue) {}

    // The next published bulletin, or nullptr when there is none yet;
    // RESOURCE_EXHAUSTED when this watcher fell too far behind, CANCELLED
    // once the hub shut down. Never waits.
    absl::StatusOr<std::shared_ptr<const v1::Bulletin>> TryNext();

    // `listener` is called (on the publishing thread, so it must be quick)
    // whenever TryNext may have something new: a bulletin, an overflow, the
    // end. SetListener(nullptr) returns once no call of the old listener is
    // running, so what it refers to may then be destroyed.
    void SetListener(std::function<void()> listener);

   private:
    friend class WatchHub;
    void Push(std::shared_ptr<const v1::Bulletin> bulletin);
    void Close();
    void Notify();

    const size_t max_queue_;
    Mutex mutex_;
    std::deque<std::shared_ptr<const v1::Bulletin>> queue_
        ABSL_GUARDED_BY(mutex_);
    bool overflowed_ ABSL_GUARDED_BY(mutex_) = false;
    bool closed_ ABSL_GUARDED_BY(mutex_) = false;
    // Held while the listener runs, apart from mutex_ so that the listener
    // may call TryNext.
    Mutex listener_mutex_;
    std::function<void()> listener_ ABSL_GUARDED_BY(listener_mutex_);
  };

  explicit WatchHub(size_t max_queue = 4096) : max_queue_(max_queue) {}

  // A new watcher that receives everything published from now on; nullptr
  // after Shutdown.
  std::shared_ptr<Watcher> Add();
  void Remove(const std::shared_ptr<Watcher>& watcher);

  // Hands an applied upsert to every watcher; ignores retractions.
  void Publish(const v1::LogRecord& record);

  // Ends every watcher (Next returns CANCELLED) and refuses new ones.
  void Shutdown();

  size_t watcher_count() const;

 private:
  const size_t max_queue_;
  mutable Mutex mutex_;
  std::vector<std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mutex_);
  bool shut_down_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_WATCH_HUB_H_
