#include "common/metrics/metrics_server.h"

#include <utility>

#include "httplib.h"

namespace bulletin {

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const std::string& address, const MetricsRegistry* registry,
    const HealthState* health) {
  auto server = std::make_unique<httplib::Server>();
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
  HttpListenerOptions options;
  options.address = address;
  options.name = "metrics";
  // A scraper and the kubelet's probes: a few connections at most.
  options.max_connections = 8;
  absl::StatusOr<std::unique_ptr<HttpListener>> listener =
      HttpListener::Start(std::move(server), options);
  if (!listener.ok()) return listener.status();
  return std::unique_ptr<MetricsServer>(
      new MetricsServer(*std::move(listener)));
}

}  // namespace bulletin
