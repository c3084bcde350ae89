// Prometheus metrics for every RPC a server handles, taken by a gRPC server
// interceptor so that no service implementation has to count anything:
//
//   grpc_server_handled_total{grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_service,grpc_method,grpc_code}
//   bulletin_auth_failures_total{grpc_service,grpc_method}
//
// (the first two use go-grpc-prometheus's names, so existing dashboards and
// alerts fit). A streaming call is counted once, when it ends.
//
//   bulletin::MetricsRegistry registry;
//   bulletin::RpcMetrics rpc_metrics(&registry);
//   bulletin::ServerOptions options;
//   options.rpc_metrics = &rpc_metrics;   // StartGrpcServer installs it
//
// Ownership: does not own the registry, which must outlive it; the
// interceptors it creates refer to it, so it must outlive the server.
// Thread-safety: every method may be called from any thread.

#ifndef BULLETIN_COMMON_METRICS_RPC_METRICS_H_
#define BULLETIN_COMMON_METRICS_RPC_METRICS_H_

#include <memory>

#include "absl/strings/string_view.h"
#include "common/metrics/metrics.h"
#include "grpcpp/support/server_interceptor.h"

namespace bulletin {

class RpcMetrics {
 public:
  explicit RpcMetrics(MetricsRegistry* registry);

  // `full_method` is gRPC's "/package.Service/Method".
  void RecordCall(absl::string_view full_method, grpc::StatusCode code,
                  double seconds);
  // A call refused by authentication before any handler ran.
  void RecordAuthFailure(absl::string_view full_method);

  // A factory for ServerBuilder::experimental().SetInterceptorCreators.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  NewInterceptorFactory();

  const Counter& handled() const { return *handled_; }

 private:
  Counter* const handled_;
  Histogram* const latency_;
  Counter* const auth_failures_;
};

// "grpc.health.v1.Health", "Check" from "/grpc.health.v1.Health/Check".
LabelValues ServiceAndMethod(absl::string_view full_method);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_RPC_METRICS_H_
