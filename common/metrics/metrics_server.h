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
// cpp-httplib's own threads, which only call MetricsRegistry::Render and
// HealthState's accessors.

#ifndef BULLETIN_COMMON_METRICS_METRICS_SERVER_H_
#define BULLETIN_COMMON_METRICS_METRICS_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"
#include "common/server/health_state.h"

namespace httplib {
class Server;
}  // namespace httplib

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

  ~MetricsServer();  // Calls Stop().
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Stops accepting, finishes the request in progress, joins. Idempotent.
  void Stop();

  int port() const { return port_; }

 private:
  MetricsServer(std::unique_ptr<httplib::Server> server, int port);

  std::unique_ptr<httplib::Server> server_;
  const int port_;
  // Set by the serving thread when listen_after_bind has returned.
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_METRICS_SERVER_H_
