// Fans the changes the replica applies out to the standing queries of
// QueryService.Watch. The Feed applier publishes each change once, with
// the version it replaced (so that a stream can tell a bulletin left its
// results); every watcher has its own bounded queue, and its stream takes
// from it and does its own matching on gRPC's threads (watch_stream.h), so
// watchers never slow the applier down, and one slow watcher never holds
// back another: a watcher that falls more than `max_queue` changes behind
// is told so (its stream ends with RESOURCE_EXHAUSTED) instead of growing
// memory.
//
// Bookmarks: every `bookmark_interval` the hub's one timer thread marks a
// bookmark due on every watcher and wakes it (Tick); a stream sends one if
// its position moved without an event. One thread for all watchers.
//
//   bulletin::WatchHub hub({.max_queue = 4096,
//                           .bookmark_interval = absl::Seconds(10)});
//   std::shared_ptr<bulletin::WatchHub::Watcher> watcher = hub.Add();
//   watcher->SetListener([&] { ...schedule a TryNext... });
//   hub.Publish(record, replaced);                 // applier thread
//   auto next = watcher->TryNext();                // any thread
//   watcher->SetListener(nullptr);
//   hub.Remove(watcher);
//
// Thread-safety: all methods may be called from any thread.

#ifndef BULLETIN_QUERY_SERVICE_WATCH_HUB_H_
#define BULLETIN_QUERY_SERVICE_WATCH_HUB_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/v1/log.pb.h"
#include "common/sync/mutex.h"
#include "query-service/index/bulletin_index.h"

namespace bulletin {

// One change the replica applied to a bulletin.
struct WatchChange {
  uint64_t seq = 0;
  std::string id;
  // The version now, seq set; null when the change was a retraction.
  std::shared_ptr<const v1::Bulletin> current;
  // The version it replaced or removed; null when none was live.
  std::shared_ptr<const v1::Bulletin> previous;
  // The replaced version's stored record did not decode (DATA_LOSS): the
  // stream decides as a catch-up does, not knowing what it was.
  bool previous_unknown = false;
};

class WatchHub {
 public:
  struct Options {
    // Changes a watcher may fall behind before it is dropped.
    size_t max_queue = 4096;
    // How often Tick runs on the hub's own thread; zero: never (tests call
    // Tick themselves).
    absl::Duration bookmark_interval = absl::ZeroDuration();
  };

  class Watcher {
   public:
    explicit Watcher(size_t max_queue) : max_queue_(max_queue) {}

    // The next published change, or nullptr when there is none yet;
    // RESOURCE_EXHAUSTED when this watcher fell too far behind, CANCELLED
    // once the hub shut down, EndAll's status once ended so. Never waits.
    absl::StatusOr<std::shared_ptr<const WatchChange>> TryNext();

    // True when a Tick came since the last call that returned true.
    bool TakeBookmarkDue();

    // `listener` is called (on the publishing thread, so it must be quick)
    // whenever TryNext or TakeBookmarkDue may have something new: a change,
    // an overflow, the end, a tick. SetListener(nullptr) returns once no
    // call of the old listener is running, so what it refers to may then
    // be destroyed.
    void SetListener(std::function<void()> listener);

   private:
    friend class WatchHub;
    void Push(std::shared_ptr<const WatchChange> change);
    void MarkBookmarkDue();
    // Ends the watcher: TryNext returns `why` (not OK) from now on.
    void End(const absl::Status& why);
    void Notify();

    const size_t max_queue_;
    Mutex mutex_;
    std::deque<std::shared_ptr<const WatchChange>> queue_
        ABSL_GUARDED_BY(mutex_);
    bool overflowed_ ABSL_GUARDED_BY(mutex_) = false;
    // OK while the watcher is open.
    absl::Status end_ ABSL_GUARDED_BY(mutex_);
    bool bookmark_due_ ABSL_GUARDED_BY(mutex_) = false;
    // Held while the listener runs, apart from mutex_ so that the listener
    // may call TryNext.
    Mutex listener_mutex_;
    std::function<void()> listener_ ABSL_GUARDED_BY(listener_mutex_);
  };

  WatchHub();  // Default Options.
  explicit WatchHub(Options options);
  ~WatchHub();  // Calls Shutdown().
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // A new watcher that receives everything published from now on; nullptr
  // after Shutdown.
  std::shared_ptr<Watcher> Add();
  void Remove(const std::shared_ptr<Watcher>& watcher);

  // Hands an applied change to every watcher: `record` as applied, and
  // `replaced`, the version it replaced or removed (BulletinIndex::Apply).
  // Costs nothing while no one watches.
  void Publish(const v1::LogRecord& record,
               const std::shared_ptr<const StoredRecord>& replaced = nullptr);

  // Marks a bookmark due on every watcher and wakes it.
  void Tick();

  // Ends every current watcher with `why` (not OK), dropping what it had
  // not taken: the replica swapped its index for one of another log, in
  // which the watchers' positions mean nothing. Watchers added later are
  // not affected.
  void EndAll(const absl::Status& why);

  // Ends every watcher (TryNext returns CANCELLED), refuses new ones and
  // stops the timer thread. Idempotent.
  void Shutdown();

  size_t watcher_count() const;

 private:
  // Copies of the watchers, to call outside mutex_.
  std::vector<std::shared_ptr<Watcher>> Watchers() const;
  void RunTimer();

  const Options options_;
  mutable Mutex mutex_;
  // Signalled by Shutdown, to cut the timer's sleep short.
  CondVar shutting_down_;
  std::vector<std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mutex_);
  bool shut_down_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread timer_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_WATCH_HUB_H_
