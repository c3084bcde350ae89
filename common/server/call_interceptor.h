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
// Thread-safety: interceptors are per call; the functions read only the
// call's own context.

#ifndef BULLETIN_COMMON_SERVER_CALL_INTERCEPTOR_H_
#define BULLETIN_COMMON_SERVER_CALL_INTERCEPTOR_H_

#include <memory>
#include <string>

#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"

namespace bulletin {

// The metadata key of the request id, both ways.
inline constexpr char kRequestIdKey[] = "x-request-id";

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
