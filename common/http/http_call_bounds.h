// The bounds of an HTTP/JSON call (CallBounds, common/server/call_deadline.h):
// its deadline, and whether its client has gone, so that the handlers the
// gateway calls stop work for an HTTP caller as they do for a gRPC one.
//
//   absl::StatusOr<bulletin::CallBounds> call =
//       bulletin::HttpCallBounds(request, /*max_timeout=*/absl::Seconds(30));
//   if (!call.ok()) ...                     // a malformed grpc-timeout: 400
//   service.Search(*call, &message, &answer);
//
// The deadline: now plus the request's `grpc-timeout` header, in gRPC's
// wire format (1 to 8 digits and a unit: H, M, S, m, u, n; "2S", "500m"),
// as gRPC clients and gateways send it; never later than `max_timeout`, the
// gateway's own bound, which is also the deadline of a call without one.
//
// The client gone: cpp-httplib gives a handler no socket, so the
// connection's socket is found among the process's descriptors by its two
// ends (the request's local port and remote address and port), the first
// time it is asked; the client has gone once it closed its end (POLLRDHUP,
// POLLHUP, POLLERR). A client that only shuts down its sending side after
// its request (a half-close, which HTTP/1.1 clients and proxies do not do
// while they wait for an answer) counts as gone too: on a socket the two
// look alike until a write fails, and waiting for that would spend the
// search this exists to stop. IsCancelled looks as seldom as CallBounds
// says (kCallerLookInterval).
//
// Thread-safety: HttpCallBounds may be called from any thread; the bounds
// it returns belong to the thread that handles the request (the socket is
// the connection's only while its handler runs).

#ifndef BULLETIN_COMMON_HTTP_HTTP_CALL_BOUNDS_H_
#define BULLETIN_COMMON_HTTP_HTTP_CALL_BOUNDS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/call_deadline.h"

namespace httplib {
struct Request;
}  // namespace httplib

namespace bulletin {

// The duration a `grpc-timeout` value stands for; INVALID_ARGUMENT, saying
// what the value should look like, when it is not one.
absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value);

// The bounds of `request`'s call; INVALID_ARGUMENT for a malformed
// grpc-timeout header.
absl::StatusOr<CallBounds> HttpCallBounds(const httplib::Request& request,
                                          absl::Duration max_timeout);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_CALL_BOUNDS_H_
