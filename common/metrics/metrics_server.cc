#include "common/metrics/metrics_server.h"

#include <sys/socket.h>

#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace bulletin {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, const MetricsRegistry* registry,
    const HealthState* health) {
  const size_t colon = address.rfind(':');
  int requested_port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &requested_port) ||
      requested_port < 0 || requested_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address '", address, "' is not host:port"));
  }
  std::string host = address.substr(0, colon);
  // [::1]:9090 names an IPv6 host; httplib wants it without brackets.
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }

  auto server = std::make_unique<httplib::Server>();
  // httplib's default sets SO_REUSEPORT, which lets a second process bind
  // the same port and silently split the scrapes; SO_REUSEADDR alone still
  // allows a quick restart past TIME_WAIT.
  server->set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server->Get("/metrics", [registry](const httplib::Request&,
                                     httplib::Response& response) {
    response.set_content(registry->Render(),
                         "text/plain; version=0.0.4; charset=utf-8");
  });
  // Both probes read the state gRPC health follows, so they cannot differ.
  server->Get("/healthz",
              [health](const httplib::Request&, httplib::Response& response) {
                const bool live = health == nullptr || health->live();
                response.status = live ? 200 : 503;
                response.set_content(live ? "ok\n" : health->Describe() + "\n",
                                     "text/plain");
              });
  server->Get("/readyz", [health](const httplib::Request&,
                                  httplib::Response& response) {
    const bool ready = health == nullptr || health->ready();
    response.status = ready ? 200 : 503;
    response.set_content(ready ? "ready\n" : health->Describe() + "\n",
                         "text/plain");
  });
  int port = requested_port;
  if (requested_port == 0) {
    port = server->bind_to_any_port(host);
  } else if (!server->bind_to_port(host, requested_port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, " for metrics"));
  }
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(std::move(server), port));
}

MetricsServer::MetricsServer(std::unique_ptr<httplib::Server> server, int port)
    : server_(std::move(server)), port_(port) {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    finished_.store(true);
  });
}

MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::Stop() {
  if (!thread_.joinable()) return;
  // httplib's stop() does nothing until listen_after_bind has marked the
  // server running, so a Stop right after Start must retry until one lands.
  while (!finished_.load()) {
    if (server_->is_running()) server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  thread_.join();
}

}  // namespace bulletin
