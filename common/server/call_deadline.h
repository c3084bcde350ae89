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
// Thread-safe: a pure function of the context's deadline and the clock.

#ifndef BULLETIN_COMMON_SERVER_CALL_DEADLINE_H_
#define BULLETIN_COMMON_SERVER_CALL_DEADLINE_H_

#include "absl/time/time.h"
#include "grpcpp/server_context.h"

namespace bulletin {

// The caller's deadline less a margin of a tenth of the time left, at most
// 200 ms; no later than `cap` from now. With no deadline on the call,
// now + `cap` (absl::InfiniteFuture() when `cap` is infinite).
absl::Time WorkDeadline(const grpc::ServerContextBase& context,
                        absl::Duration cap);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_CALL_DEADLINE_H_
