// The events of one QueryService.Watch stream, in the order it sends them:
// first a catch-up from the client's after_seq (the index's ChangesSince:
// one event per bulletin changed since, for its current version), then the
// changes the hub hands its watcher as the replica applies them, with
// bookmarks where the position moved and nothing matched. Every event's
// seq is above the last one's, and above after_seq: a client that resumes
// from the seq of the last event it processed misses nothing and gets
// nothing twice (query.proto, QueryService.Watch). Every event carries the
// log id and epoch its seq belongs to (ServedLog::IdentityOf), and a resume
// names them with its after_seq: a position in another log than the one the
// replica serves is refused, and a stream ends, with FAILED_PRECONDITION
// (RESYNC_REQUIRED) once the replica swaps to another log.
//
//   absl::StatusOr<WatchCursor> cursor = WatchCursor::Open(
//       request, std::move(query), &hub, index, served_log,
//       /*max_catch_up=*/50000);
//   absl::StatusOr<std::optional<v1::WatchEvent>> next = cursor->Next();
//   // nullopt: nothing now; ask again when the watcher's listener calls.
//
// The watcher must be added to the hub before the catch-up is taken from
// the index: a change the index applied after the catch-up is then in the
// watcher's queue, and one in both is sent once (changes at or below the
// catch-up's position are skipped in the queue).
//
// Thread-compatible: one caller at a time (the stream's one job).

#ifndef BULLETIN_QUERY_SERVICE_WATCH_CURSOR_H_
#define BULLETIN_QUERY_SERVICE_WATCH_CURSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "bulletin/v1/query.pb.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/served_log.h"
#include "query-service/watch_hub.h"

namespace bulletin {

class WatchCursor {
 public:
  // A cursor for `request` (its after_seq, log_id, log_epoch and
  // send_bookmarks) over `query`: registers a watcher with `hub`, then takes
  // the catch-up from `index`, which follows `served_log` (not owned; both
  // must outlive the cursor). UNAVAILABLE (SHUTTING_DOWN) once the hub shut
  // down; FAILED_PRECONDITION (RESYNC_REQUIRED) when the position is not in
  // the served log or more than `max_catch_up` bulletins changed after
  // after_seq; UNAVAILABLE (LOG_UNAVAILABLE) while the replica cannot tell
  // (ServedLog::CheckResume).
  static absl::StatusOr<WatchCursor> Open(const v1::WatchRequest& request,
                                          StandingQuery query, WatchHub* hub,
                                          const BulletinIndex& index,
                                          const ServedLog* served_log,
                                          size_t max_catch_up);

  // `catch_up` holds the changes after `after_seq` (nothing when unset:
  // the stream starts at catch_up.applied_seq), taken from `served_log`'s
  // index at `generation`.
  WatchCursor(StandingQuery query, std::shared_ptr<WatchHub::Watcher> watcher,
              BulletinIndex::Changes catch_up,
              std::optional<uint64_t> after_seq, bool send_bookmarks,
              const ServedLog* served_log, uint64_t generation);

  // The next event to send, nullopt when there is none now, or the
  // watcher's end (RESOURCE_EXHAUSTED: it fell behind; CANCELLED: the hub
  // shut down). Matches bulletins on the calling thread.
  absl::StatusOr<std::optional<v1::WatchEvent>> Next();

  const std::shared_ptr<WatchHub::Watcher>& watcher() const { return watcher_; }

 private:
  v1::WatchEvent Bookmark();
  // `event` with its log identity, or RESYNC_REQUIRED once the replica
  // serves another log.
  absl::StatusOr<std::optional<v1::WatchEvent>> Stamped(v1::WatchEvent event);

  // Not const, so that a cursor moves (into its stream) without copies.
  StandingQuery query_;
  std::shared_ptr<WatchHub::Watcher> watcher_;
  BulletinIndex::Changes catch_up_;
  bool send_bookmarks_;
  // The next catch-up change to look at.
  size_t next_catch_up_ = 0;
  // Changes up to here reached the client through the catch-up, or before
  // the stream (after_seq): the watcher's copies of them are skipped.
  uint64_t floor_;
  // The seq up to which every change has been looked at.
  uint64_t position_ = 0;
  // The seq of the last event sent (or after_seq): a bookmark is sent only
  // above it.
  uint64_t last_sent_ = 0;
  // The client gave after_seq.
  bool resumed_;
  // The bookmark that ends the catch-up (or starts a stream without
  // after_seq) is still to be sent.
  bool start_bookmark_due_ = false;
  const ServedLog* served_log_;
  // The served log's generation when the catch-up was taken.
  uint64_t generation_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_WATCH_CURSOR_H_
