// When a server's work for a call must end: a little before the caller's
// deadline, so that the answer, and the reason in its error details,
// reaches the caller before the caller's own deadline fires (its library
// would then report a bare DEADLINE_EXCEEDED), and never later than a cap
// the server chooses for calls that have no deadline.
//
//   const absl::Time stop_at = bulletin::WorkDeadline(*context,
//                                                     absl::Seconds(30));
//   if (!ready.WaitUntil(stop_at)) return DeadlineExceeded(...);
//
// CallBounds is the same question asked of any call, gRPC or not, together
// with whether its caller has gone: a handler written against it serves a
// gRPC call (CallBounds::Of) and the HTTP gateway's direct calls, which
// have no grpc::ServerContext of their own (common/http/http_call_bounds.h).
//
//   grpc::Status Search(const bulletin::CallBounds& call, ...) {
//     const absl::Time stop_at = call.WorkDeadline(absl::InfiniteDuration());
//     ... if (call.IsCancelled()) return CANCELLED ...
//   }
//   Search(bulletin::CallBounds::Of(*context), ...);
//
// Thread-safety: WorkDeadline is a pure function of the deadline and the
// clock. A CallBounds belongs to the thread handling its call (IsCancelled
// keeps when it last asked).

#ifndef BULLETIN_COMMON_SERVER_CALL_DEADLINE_H_
#define BULLETIN_COMMON_SERVER_CALL_DEADLINE_H_

#include <functional>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace bulletin {

// `caller_deadline` less a margin of a tenth of the time left, at most
// 200 ms; no later than `cap` from now. With no deadline
// (absl::InfiniteFuture()), now + `cap` (absl::InfiniteFuture() when `cap`
// is infinite).
absl::Time WorkDeadline(absl::Time caller_deadline, absl::Duration cap);

// WorkDeadline of the call's deadline.
absl::Time WorkDeadline(const grpc::ServerContextBase& context,
                        absl::Duration cap);

// The deadline of a call and a way to ask whether its caller has gone.
class CallBounds {
 public:
  // A gRPC call's deadline and cancellation. `context` must outlive the
  // bounds (the handler's).
  static CallBounds Of(const grpc::ServerContextBase& context);

  // `deadline` is absl::InfiniteFuture() for none; `caller_gone` is asked
  // by IsCancelled, null for a caller that cannot go.
  CallBounds(absl::Time deadline, std::function<bool()> caller_gone)
      : deadline_(deadline),
        caller_gone_(std::move(caller_gone)),
        next_look_(absl::Now() + kCallerLookInterval) {}

  // How often, at most, IsCancelled asks whether the caller has gone, and
  // how long a call runs before it first asks. Asking costs syscalls (a
  // gRPC call's completion queue is polled; an HTTP call's socket), and a
  // search polls its cancellation several times however short it is: with
  // this, most calls never ask, and a search's polls cost a clock read.
  static constexpr absl::Duration kCallerLookInterval = absl::Milliseconds(50);

  absl::Time deadline() const { return deadline_; }
  // True once the caller is known to have gone (cancelled, disconnected):
  // at most kCallerLookInterval after it went, or after the call started.
  bool IsCancelled() const;
  // bulletin::WorkDeadline of deadline().
  absl::Time WorkDeadline(absl::Duration cap) const {
    return bulletin::WorkDeadline(deadline_, cap);
  }

 private:
  absl::Time deadline_;
  std::function<bool()> caller_gone_;
  // When IsCancelled next asks caller_gone_, and what it answered.
  mutable absl::Time next_look_;
  mutable bool gone_ = false;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_CALL_DEADLINE_H_
