// The flags that put a service's HTTP/JSON API beside its gRPC port, shared
// by ingest-service and query-service so both spell them the same way:
// --http_listen, --http_cors_allowed_origins, --http_threads,
// --http_call_timeout.
//
//   absl::StatusOr<std::unique_ptr<bulletin::HttpGateway>> http =
//       bulletin::StartHttpGatewayFromFlags(server_options,
//                                           {"bulletin.v1.QueryService"},
//                                           server->server.get());
//   if (!http.ok()) ...;          // *http is null when --http_listen is empty
//
// Link target: bulletin_http_flags, for service binaries only.
// Thread-safety: read flags after absl::ParseCommandLine.

#ifndef BULLETIN_COMMON_HTTP_HTTP_FLAGS_H_
#define BULLETIN_COMMON_HTTP_HTTP_FLAGS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http_gateway.h"
#include "common/server/grpc_server.h"

ABSL_DECLARE_FLAG(std::string, http_listen);
ABSL_DECLARE_FLAG(std::vector<std::string>, http_cors_allowed_origins);
ABSL_DECLARE_FLAG(int32_t, http_threads);
ABSL_DECLARE_FLAG(absl::Duration, http_call_timeout);

namespace bulletin {

// Starts the HTTP gateway for `services` of `grpc_server` when --http_listen
// is set (nullptr otherwise), with the gRPC port's TLS, access rules and
// message limit (a body may be a third larger, for base64 `bytes`).
absl::StatusOr<std::unique_ptr<HttpGateway>> StartHttpGatewayFromFlags(
    const ServerOptions& grpc_options, const std::vector<std::string>& services,
    grpc::Server* grpc_server, HttpGateway::ExtraRoutes extra_routes = nullptr,
    std::map<std::string, DirectUnaryMethod> direct_methods = {});

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_FLAGS_H_
