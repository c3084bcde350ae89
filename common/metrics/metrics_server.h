// Serves a MetricsRegistry over HTTP for Prometheus to scrape, on its own
// port so that the gRPC port needs no HTTP/1 handling and the metrics port
// can be opened to the monitoring namespace alone.
//
//   absl::StatusOr<std::unique_ptr<bulletin::MetricsServer>> metrics =
//       bulletin::MetricsServer::Start("0.0.0.0:9090", &registry);
//   if (!metrics.ok()) ...;
//   // GET http://host:(*metrics)->port()/metrics
//   (*metrics)->Stop();   // or let it go out of scope
//
// Serves GET /metrics (text format 0.0.4), GET /healthz (200 when the
// service's HealthState is live, else 503) and GET /readyz (200 when it is
// ready, else 503), so that HTTP probes can stand in for kubelet's gRPC
// probes, which cannot speak TLS, and always agree with gRPC health (the
// same HealthState sets it). A 503's body names the conditions raised.
// Anything else is 404.
//
// Ownership: does not own the registry or the health state, which must
// outlive the server.
// Thread-safety: Start and Stop from one thread; requests are answered on
// the listener's threads (common/http/http_listener.h), which only call
// MetricsRegistry::Render and HealthState's accessors.

#ifndef BULLETIN_COMMON_METRICS_METRICS_SERVER_H_
#define BULLETIN_COMMON_METRICS_METRICS_SERVER_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/http/http_listener.h"
#include "common/metrics/metrics.h"
#include "common/server/health_state.h"

namespace bulletin {

class MetricsServer {
 public:
  // Binds `address` (host:port; port 0 picks a free one) and starts serving.
  // UNAVAILABLE when the address cannot be bound, INVALID_ARGUMENT when it is
  // not host:port.
  // `health` (optional) decides /healthz and /readyz; without it both are
  // always 200.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address, const MetricsRegistry* registry,
      const HealthState* health = nullptr);

  ~MetricsServer() = default;  // Stops.
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Stops accepting, finishes the request in progress, joins. Idempotent.
  void Stop() { listener_->Stop(); }

  int port() const { return listener_->port(); }

 private:
  explicit MetricsServer(std::unique_ptr<HttpListener> listener)
      : listener_(std::move(listener)) {}

  std::unique_ptr<HttpListener> listener_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_METRICS_SERVER_H_
