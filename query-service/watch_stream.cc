#include "query-service/watch_stream.h"

#include <string>
#include <utility>

#include "common/server/error_details.h"
#include "common/server/grpc_status.h"

namespace bulletin {
namespace {

// Ends with its status as soon as gRPC starts it.
class RefusedWatch final : public grpc::ServerWriteReactor<v1::WatchEvent> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::WatchEvent>* WatchStream::Refuse(
    const grpc::Status& status) {
  return new RefusedWatch(status);
}

WatchStream::WatchStream(WatchHub* hub, ThreadPool* matchers,
                         WatchCursor cursor, std::function<void()> on_done)
    : hub_(hub),
      matchers_(matchers),
      cursor_(std::move(cursor)),
      on_done_(std::move(on_done)) {
  // Tells the caller the watch is registered: everything applied from here
  // on is streamed.
  StartSendInitialMetadata();
  cursor_.watcher()->SetListener([this] { Wake(); });
  // For the catch-up, and what was published before the listener was set.
  Wake();
}

void WatchStream::Wake() {
  {
    MutexLock lock(&mutex_);
    if (finishing_ || finish_after_write_.has_value() || writing_) return;
    if (job_scheduled_) {
      look_again_ = true;
      return;
    }
    job_scheduled_ = true;
  }
  matchers_->Run([this] { Match(); });
}

void WatchStream::Match() {
  std::optional<grpc::Status> finish;
  bool write = false;
  mutex_.Lock();
  while (!finishing_ && !finish_after_write_.has_value() && !writing_) {
    look_again_ = false;
    // The cursor matches bulletins: not under mutex_, which the hub's
    // listener (on the applier's thread) takes.
    mutex_.Unlock();
    absl::StatusOr<std::optional<v1::WatchEvent>> next = cursor_.Next();
    mutex_.Lock();
    if (!next.ok()) {
      if (finishing_) break;
      finish = ToGrpcStatus(
          absl::IsCancelled(next.status())
              ? Unavailable(kReasonShuttingDown, next.status().message())
              : next.status());
      finishing_ = true;
      break;
    }
    if (!next->has_value()) {
      if (look_again_) continue;
      break;  // Nothing now: the listener wakes us.
    }
    if (!finishing_ && !finish_after_write_.has_value()) {
      event_ = **std::move(next);
      writing_ = true;
      write = true;
    }
  }
  job_scheduled_ = false;
  const bool deletable = DeletableLocked();
  mutex_.Unlock();
  if (write) StartWrite(&event_);
  if (finish.has_value()) Finish(*finish);
  if (deletable) delete this;
}

void WatchStream::OnWriteDone(bool ok) {
  std::optional<grpc::Status> finish;
  {
    MutexLock lock(&mutex_);
    writing_ = false;
    if (!ok && !finishing_) {
      // The client went away.
      finish = grpc::Status(grpc::StatusCode::CANCELLED, "the client left");
    } else if (finish_after_write_.has_value()) {
      finish = *finish_after_write_;
    }
    if (finish.has_value()) finishing_ = true;
  }
  if (finish.has_value()) {
    Finish(*finish);
  } else {
    Wake();
  }
}

void WatchStream::OnCancel() {
  const grpc::Status cancelled(grpc::StatusCode::CANCELLED, "the call ended");
  {
    MutexLock lock(&mutex_);
    if (finishing_) return;
    if (writing_) {
      finish_after_write_ = cancelled;
      return;
    }
    finishing_ = true;
  }
  Finish(cancelled);
}

void WatchStream::OnDone() {
  // Without mutex_: a listener call that is running takes it, and
  // SetListener(nullptr) waits for that call to return.
  cursor_.watcher()->SetListener(nullptr);
  hub_->Remove(cursor_.watcher());
  on_done_();
  bool deletable = false;
  {
    MutexLock lock(&mutex_);
    done_ = true;
    deletable = DeletableLocked();
  }
  if (deletable) delete this;
}

}  // namespace bulletin
