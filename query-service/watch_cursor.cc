#include "query-service/watch_cursor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/server/error_details.h"
#include "query-service/index/bulletin_index.h"

namespace bulletin {

absl::StatusOr<WatchCursor> WatchCursor::Open(const v1::WatchRequest& request,
                                              StandingQuery query,
                                              WatchHub* hub,
                                              const BulletinIndex& index,
                                              const ServedLog* served_log,
                                              size_t max_catch_up) {
  // Read before the watcher and the catch-up, and checked after them: a
  // swap to another log in between is then seen (served_log.h).
  const uint64_t generation = served_log->generation();
  std::shared_ptr<WatchHub::Watcher> watcher = hub->Add();
  if (watcher == nullptr) {
    return Unavailable(kReasonShuttingDown,
                       "the replica is shutting down; watch another");
  }
  std::optional<uint64_t> after_seq;
  if (request.has_after_seq()) after_seq = request.after_seq();
  BulletinIndex::Changes catch_up;
  if (after_seq.has_value()) {
    catch_up = index.ChangesSince(*after_seq, max_catch_up);
  } else {
    catch_up.applied_seq = index.applied_seq();
  }
  absl::Status position = served_log->CheckResume(
      generation,
      after_seq.has_value() ? LogIdentity{request.log_id(), request.log_epoch()}
                            : LogIdentity{},
      after_seq.value_or(0));
  if (!position.ok()) {
    hub->Remove(watcher);
    return position;
  }
  if (catch_up.over_limit) {
    hub->Remove(watcher);
    return WithErrorInfo(
        absl::FailedPreconditionError(absl::StrCat(
            "more than ", max_catch_up, " bulletins changed after after_seq ",
            *after_seq,
            "; resync: Search for the current matches, then Watch with "
            "after_seq, log_id and log_epoch set to that response's "
            "applied_seq, log_id and log_epoch")),
        kReasonResyncRequired,
        {{"after_seq", absl::StrCat(*after_seq)},
         {"applied_seq", absl::StrCat(catch_up.applied_seq)},
         {"max_catch_up", absl::StrCat(max_catch_up)}});
  }
  return WatchCursor(std::move(query), std::move(watcher), std::move(catch_up),
                     after_seq, request.send_bookmarks(), served_log,
                     generation);
}

WatchCursor::WatchCursor(StandingQuery query,
                         std::shared_ptr<WatchHub::Watcher> watcher,
                         BulletinIndex::Changes catch_up,
                         std::optional<uint64_t> after_seq, bool send_bookmarks,
                         const ServedLog* served_log, uint64_t generation)
    : query_(std::move(query)),
      watcher_(std::move(watcher)),
      catch_up_(std::move(catch_up)),
      send_bookmarks_(send_bookmarks),
      floor_(std::max(after_seq.value_or(0), catch_up_.applied_seq)),
      position_(after_seq.value_or(0)),
      last_sent_(after_seq.value_or(0)),
      resumed_(after_seq.has_value()),
      start_bookmark_due_(send_bookmarks),
      served_log_(served_log),
      generation_(generation) {}

absl::StatusOr<std::optional<v1::WatchEvent>> WatchCursor::Stamped(
    v1::WatchEvent event) {
  absl::StatusOr<LogIdentity> log =
      served_log_->IdentityOf(generation_, event.seq());
  if (!log.ok()) return log.status();
  event.set_log_id(log->log_id);
  event.set_log_epoch(log->epoch);
  return event;
}

v1::WatchEvent WatchCursor::Bookmark() {
  v1::WatchEvent event;
  event.set_type(v1::WatchEvent::TYPE_BOOKMARK);
  event.set_seq(position_);
  last_sent_ = position_;
  return event;
}

absl::StatusOr<std::optional<v1::WatchEvent>> WatchCursor::Next() {
  while (next_catch_up_ < catch_up_.changes.size()) {
    const BulletinIndex::Change& change = catch_up_.changes[next_catch_up_++];
    position_ = change.seq;
    std::optional<v1::WatchEvent> event;
    if (change.record != nullptr) {
      // DATA_LOSS when the stored record does not decode: the stream ends
      // with it, as a Get of the bulletin would.
      absl::StatusOr<v1::Bulletin> current = change.record->ToBulletin();
      if (!current.ok()) return current.status();
      event = query_.CatchUpEventFor(change.seq, current->id(), &*current);
    } else {
      event = query_.CatchUpEventFor(change.seq, change.retracted_id, nullptr);
    }
    if (event.has_value()) {
      last_sent_ = change.seq;
      return Stamped(*std::move(event));
    }
  }
  position_ = std::max(position_, floor_);
  if (start_bookmark_due_) {
    start_bookmark_due_ = false;
    // A client that gave no position learns the one it starts from; one
    // that did learns where the catch-up got it, if its last event did not.
    if (!resumed_ || position_ > last_sent_) return Stamped(Bookmark());
  }
  for (;;) {
    absl::StatusOr<std::shared_ptr<const WatchChange>> next =
        watcher_->TryNext();
    if (!next.ok()) return next.status();
    const std::shared_ptr<const WatchChange>& change = *next;
    if (change == nullptr) break;
    if (change->seq <= floor_) continue;  // The catch-up covered it.
    position_ = change->seq;
    std::optional<v1::WatchEvent> event =
        change->previous_unknown
            ? query_.CatchUpEventFor(change->seq, change->id,
                                     change->current.get())
            : query_.EventFor(change->seq, change->id, change->current.get(),
                              change->previous.get());
    if (event.has_value()) {
      last_sent_ = change->seq;
      return Stamped(*std::move(event));
    }
  }
  if (send_bookmarks_ && watcher_->TakeBookmarkDue() &&
      position_ > last_sent_) {
    return Stamped(Bookmark());
  }
  return std::nullopt;
}

}  // namespace bulletin
