// What every call gets on its way in and out, so that an operator can follow
// one call through the logs and a client mistake never pages anyone:
//
//  - A request id: the client's `x-request-id` header when it is usable
//    (1 to 128 characters of [A-Za-z0-9._:-]), else a generated one (16 hex
//    digits). It is sent back in trailing metadata `x-request-id`, and
//    handlers read it with RequestIdOf(context) to put it in their logs.
//  - Client mistakes reported as such: a request message gRPC cannot parse
//    comes back INVALID_ARGUMENT (gRPC's own answer is INTERNAL).
//  - One log line per failed call (`rpc_failed`: method, code, message,
//    request id, caller, seconds); health and reflection calls excepted,
//    and RESOURCE_EXHAUSTED logged at most once a second (refusals for
//    load come in floods; the metrics count every one).
//
//   bulletin::ServerOptions options;   // StartGrpcServer installs it first
//   ...
//   grpc::Status Submit(grpc::ServerContext* context, ...) {
//     LogInfo("submit_acked", {{"request_id", RequestIdOf(*context)},
//                              {"caller", CallerOf(*context)}});
//
// CallerOf names who called, never with a secret: "cert:NAME" for a client
// certificate, "bearer:FINGERPRINT" for a bearer token (8 hex digits of its
// SHA-256, see common/server/auth.h), or "anonymous".
//
// A call from inside the process on behalf of a caller that was
// authenticated there (the HTTP gateway, common/http/http_caller.h) names
// that caller in kForwardedCallerKey, with InProcessKey() in
// kInProcessKeyKey. The interceptor honours the name only with the key, a
// random value made at start that never leaves the process, so a network
// client cannot claim an identity this way; it removes the key from every
// call, and an unproven name too, before any handler runs.
//
// The HTTP gateway's direct calls (which bypass interceptors) use
// AcceptOrMakeRequestId and LogFailedCall, so that they carry request ids
// and are logged as every other call.
//
// Thread-safety: interceptors are per call; the functions read only the
// call's own context.

#ifndef BULLETIN_COMMON_SERVER_CALL_INTERCEPTOR_H_
#define BULLETIN_COMMON_SERVER_CALL_INTERCEPTOR_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"

namespace bulletin {

// The metadata key of the request id, both ways.
inline constexpr char kRequestIdKey[] = "x-request-id";
// Who an in-process call is made for, and the proof that it is in-process.
inline constexpr char kForwardedCallerKey[] = "x-bulletin-caller";
inline constexpr char kInProcessKeyKey[] = "x-bulletin-in-process-key";

// This process's key for kInProcessKeyKey: 32 random hex digits.
const std::string& InProcessKey();

// `presented` when it is a usable request id (1 to 128 characters of
// [A-Za-z0-9._:-]), else a new one (16 hex digits).
std::string AcceptOrMakeRequestId(absl::string_view presented);

// The `rpc_failed` log line of a failed call, as described above.
void LogFailedCall(absl::string_view full_method, const grpc::Status& status,
                   absl::string_view request_id, absl::string_view caller,
                   absl::Duration elapsed);

// A factory for ServerBuilder::experimental().SetInterceptorCreators; put
// it before any interceptor that reads the status (RpcMetrics), so that
// they see the status as rewritten.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallInterceptorFactory();

// The call's request id; empty only on a server without the interceptor.
std::string RequestIdOf(const grpc::ServerContextBase& context);

// Who made the call, as described above.
std::string CallerOf(const grpc::ServerContextBase& context);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_CALL_INTERCEPTOR_H_
