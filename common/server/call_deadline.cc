#include "common/server/call_deadline.h"

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"

namespace bulletin {
namespace {

// gRPC reports "no deadline" as the latest time point, which absl would
// take for a date in 2262.
absl::Time DeadlineOf(const grpc::ServerContextBase& context) {
  if (context.deadline() == std::chrono::system_clock::time_point::max()) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(context.deadline());
}

}  // namespace

absl::Time WorkDeadline(absl::Time caller_deadline, absl::Duration cap) {
  const absl::Time now = absl::Now();
  if (caller_deadline == absl::InfiniteFuture()) return now + cap;
  const absl::Duration margin =
      std::min(absl::Milliseconds(200), (caller_deadline - now) / 10);
  return std::min(caller_deadline - margin, now + cap);
}

absl::Time WorkDeadline(const grpc::ServerContextBase& context,
                        absl::Duration cap) {
  return WorkDeadline(DeadlineOf(context), cap);
}

bool CallBounds::IsCancelled() const {
  if (gone_) return true;
  if (!caller_gone_) return false;
  const absl::Time now = absl::Now();
  if (now < next_look_) return false;
  next_look_ = now + kCallerLookInterval;
  gone_ = caller_gone_();
  return gone_;
}

CallBounds CallBounds::Of(const grpc::ServerContextBase& context) {
  return CallBounds(DeadlineOf(context),
                    [&context] { return context.IsCancelled(); });
}

}  // namespace bulletin
