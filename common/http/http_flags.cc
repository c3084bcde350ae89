#include "common/http/http_flags.h"

#include <utility>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, http_listen, "",
          "Address to serve the HTTP/JSON API on (host:port; port 0 picks a "
          "free one); empty: no HTTP. See docs/api.md.");
ABSL_FLAG(std::vector<std::string>, http_cors_allowed_origins, {},
          "Origins (scheme://host[:port]) whose browser pages may call the "
          "HTTP API; '*' allows any. Empty: same-origin only.");
ABSL_FLAG(int32_t, http_threads, 256,
          "HTTP connections served at once, each on a thread of its own "
          "while open (more wait for one to close); a quarter of them may be "
          "streams (Watch).");

ABSL_FLAG(absl::Duration, http_call_timeout, absl::Seconds(30),
          "The longest an HTTP/JSON call may run: its deadline when it has "
          "no grpc-timeout header, and the cap on one it has (docs/api.md).");

namespace bulletin {

absl::StatusOr<std::unique_ptr<HttpGateway>> StartHttpGatewayFromFlags(
    const ServerOptions& grpc_options, const std::vector<std::string>& services,
    grpc::Server* grpc_server, HttpGateway::ExtraRoutes extra_routes,
    std::map<std::string, DirectUnaryMethod> direct_methods) {
  if (absl::GetFlag(FLAGS_http_listen).empty()) {
    return std::unique_ptr<HttpGateway>();
  }
  HttpGatewayOptions options;
  options.listen_address = absl::GetFlag(FLAGS_http_listen);
  options.services = services;
  options.access_rules = grpc_options.access_rules;
  options.tls = grpc_options.tls;
  options.cors_allowed_origins = absl::GetFlag(FLAGS_http_cors_allowed_origins);
  // JSON spells `bytes` in base64, four characters for three bytes.
  options.max_request_bytes =
      static_cast<size_t>(grpc_options.max_receive_message_bytes) / 3 * 4 +
      (64 << 10);
  options.threads = absl::GetFlag(FLAGS_http_threads);
  options.call_timeout = absl::GetFlag(FLAGS_http_call_timeout);
  options.max_streams = std::max(1, options.threads / 4);
  options.direct_methods = std::move(direct_methods);
  options.rpc_metrics = grpc_options.rpc_metrics;
  return HttpGateway::Start(
      std::move(options),
      grpc_server->InProcessChannel(grpc::ChannelArguments()),
      std::move(extra_routes));
}

}  // namespace bulletin
