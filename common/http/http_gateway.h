// Serves gRPC services over HTTP/1.1 with JSON bodies, beside the gRPC port:
// each method's route comes from its `google.api.http` annotation
// (common/http/http_routes.h), bodies and answers are the proto3 JSON
// mapping with the proto field names, and the call reaches the same service
// object gRPC serves: through the gRPC server's in-process channel
// (common/http/grpc_bridge.h), so HTTP and gRPC share handlers,
// interceptors (request ids, failed-call logs, metrics), limits and
// deadlines; or, for the unary methods listed in direct_methods, by calling
// the handler directly with the call's CallBounds (deadline, client gone),
// which skips the channel's serialization and thread hand-offs (some 180 µs
// a call, more than a search) along with the interceptors: the gateway then
// gives the call its request id, counts it in rpc_metrics and logs its
// failure as the interceptors would. See docs/api.md.
//
//   bulletin::HttpGatewayOptions options;
//   options.listen_address = "127.0.0.1:8080";
//   options.services = {"bulletin.v1.QueryService"};
//   absl::StatusOr<std::unique_ptr<bulletin::HttpGateway>> http =
//       bulletin::HttpGateway::Start(
//           options, server->InProcessChannel(grpc::ChannelArguments()));
//   if (!http.ok()) ...;
//   ... (*http)->port() ...
//   (*http)->Stop();   // before the gRPC server shuts down
//
// Behaviour:
// - A unary method answers 200 with its response as JSON; an error answers
//   the HTTP status AIP-193 maps its code to, with google.rpc.Status JSON.
// - A server-streaming method answers 200 text/event-stream (server-sent
//   events) once the call has started (for Watch: once the standing query
//   is registered): one `data:` line of JSON per message, a `: ` comment
//   every few seconds so a vanished client is noticed, and at the end an
//   `event: status` whose data is the call's google.rpc.Status JSON. A
//   handler's error (a malformed query) comes that way too, inside the 200
//   stream, which is also the only way a browser's EventSource can read it.
// - A method an access rule names needs `Authorization: Bearer <token>`
//   with one of the rule's tokens, or a verified client certificate naming
//   one of its identities (http_caller.h); otherwise 401 with the same
//   message gRPC gives. The caller so found reaches the service as the
//   call's CallerOf (common/server/call_interceptor.h), so its logs and
//   per-caller limits see the same caller as over gRPC.
// - A unary call's deadline is its `grpc-timeout` header, at most
//   call_timeout, which is also the deadline of a call without one; a call
//   whose client closed its connection is cancelled, as a gRPC call whose
//   client went away is (common/http/http_call_bounds.h). Search then stops
//   with DEADLINE_EXCEEDED (DEADLINE_PASSED) or CANCELLED.
// - Bodies over max_request_bytes get 413 (RESOURCE_EXHAUSTED); more
//   server-streaming calls than max_streams get 429.
// - Each request has a request id, its usable X-Request-Id or a new one,
//   which the call carries as its x-request-id and the answer in its
//   X-Request-Id header.
// - GET /openapi.json describes the routes (common/http/openapi.h).
// - CORS: an Origin in cors_allowed_origins (or any, with "*") is echoed in
//   Access-Control-Allow-Origin, and OPTIONS preflights are answered.
//
// Ownership: owns its HTTP server and threads; shares the channel.
// Thread-safety: Start and Stop from one thread; requests run on the
// gateway's own threads.

#ifndef BULLETIN_COMMON_HTTP_HTTP_GATEWAY_H_
#define BULLETIN_COMMON_HTTP_HTTP_GATEWAY_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/grpc_bridge.h"
#include "common/http/http_listener.h"
#include "common/http/http_routes.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/auth.h"
#include "common/server/call_deadline.h"
#include "common/server/tls.h"
#include "grpcpp/grpcpp.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace bulletin {

// A unary method called in process, straight on the service object that
// gRPC also serves: `request` and `response` are the method's own types,
// and `call` the HTTP call's deadline and client.
using DirectUnaryMethod = std::function<grpc::Status(
    const CallBounds& call, const google::protobuf::Message& request,
    google::protobuf::Message* response)>;

// DirectUnaryMethod for `method` of `service` (not owned), the overload of
// a gRPC method that takes CallBounds instead of a ServerContext:
//   DirectUnary(&query, &QueryServiceImpl::Search)
template <typename Service, typename Request, typename Response>
DirectUnaryMethod DirectUnary(Service* service,
                              grpc::Status (Service::*method)(const CallBounds&,
                                                              const Request*,
                                                              Response*)) {
  return [service, method](const CallBounds& call,
                           const google::protobuf::Message& request,
                           google::protobuf::Message* response) {
    return (service->*method)(call, static_cast<const Request*>(&request),
                              static_cast<Response*>(response));
  };
}

struct HttpGatewayOptions {
  // host:port; port 0 picks a free one.
  std::string listen_address;
  // Full names of the services whose annotated methods are served.
  std::vector<std::string> services;
  // The same rules the gRPC port enforces (only their tokens apply here).
  // Non-empty rules need TLS, as on the gRPC port.
  std::vector<AccessRule> access_rules;
  // HTTPS with this certificate when enabled (the gRPC port's), re-read
  // every tls.reload_interval when its files change (https_server.h).
  ServerTls tls;
  // Origins allowed to call from a browser page on another origin; "*"
  // allows any. Empty: same-origin only.
  std::vector<std::string> cors_allowed_origins;
  // Largest request body accepted, in bytes.
  size_t max_request_bytes = 1 << 20;
  // The latest deadline of a unary call (a `grpc-timeout` header may ask
  // for less), and the deadline of a stream's start.
  absl::Duration call_timeout = absl::Seconds(30);
  // Connections served at once, each on a thread of its own while it is
  // open (http_listener.h); more wait for one to close.
  int threads = 256;
  // Server-streaming calls open at once; each holds one of `threads`.
  int max_streams = 16;
  // Unary methods, by full name ("/package.Service/Method"), to call
  // directly on the service instead of through the in-process channel.
  std::map<std::string, DirectUnaryMethod> direct_methods;
  // The gRPC server's (not owned; must outlive the gateway): direct calls
  // and refused requests are counted in it, as the interceptors count the
  // calls that pass through the channel.
  RpcMetrics* rpc_metrics = nullptr;
};

class HttpGateway {
 public:
  // Routes of the caller's own (e.g. a page at "/"), registered before the
  // gateway's, so they win for their paths.
  using ExtraRoutes = std::function<void(httplib::Server&)>;

  // Reads the routes, binds and starts serving. INVALID_ARGUMENT for a bad
  // address, an unsupported route or access rules without TLS; UNAVAILABLE
  // when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpGateway>> Start(
      HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel,
      ExtraRoutes extra_routes = nullptr);

  ~HttpGateway();  // Calls Stop().
  HttpGateway(const HttpGateway&) = delete;
  HttpGateway& operator=(const HttpGateway&) = delete;

  // Ends open streams, stops accepting, finishes requests in progress and
  // joins. Idempotent.
  void Stop();

  int port() const { return listener_->port(); }
  const HttpRoutes& routes() const { return routes_; }

 private:
  HttpGateway(HttpGatewayOptions options, HttpRoutes routes,
              std::shared_ptr<grpc::Channel> channel);

  void Handle(const httplib::Request& request, httplib::Response& response);
  void HandlePreflight(const httplib::Request& request,
                       httplib::Response& response);
  // Serves a server-streaming call as server-sent events.
  void Stream(const HttpRoute& route, const google::protobuf::Message& message,
              const GrpcBridge::Origin& origin, httplib::Response& response);
  // Counts and logs a call no interceptor saw (a direct one, or one refused
  // before it could be made), as the interceptors do for the others.
  void Finished(const std::string& full_method, const grpc::Status& status,
                const GrpcBridge::Origin& origin, absl::Time start) const;
  void AllowOrigin(const httplib::Request& request,
                   httplib::Response& response) const;

  const HttpGatewayOptions options_;
  const HttpRoutes routes_;
  GrpcBridge bridge_;
  std::atomic<int> open_streams_{0};
  // Set by Stop: open streams end at their next poll.
  std::atomic<bool> stopping_{false};
  // Last: its threads call into the members above until it stops.
  std::unique_ptr<HttpListener> listener_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_GATEWAY_H_
