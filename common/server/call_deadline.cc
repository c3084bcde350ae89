#include "common/server/call_deadline.h"

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"

namespace bulletin {

absl::Time WorkDeadline(const grpc::ServerContextBase& context,
                        absl::Duration cap) {
  const absl::Time now = absl::Now();
  // gRPC reports "no deadline" as the latest time point, which absl would
  // take for a date in 2262.
  if (context.deadline() == std::chrono::system_clock::time_point::max()) {
    return now + cap;
  }
  const absl::Time caller_deadline = absl::FromChrono(context.deadline());
  const absl::Duration margin =
      std::min(absl::Milliseconds(200), (caller_deadline - now) / 10);
  return std::min(caller_deadline - margin, now + cap);
}

}  // namespace bulletin
