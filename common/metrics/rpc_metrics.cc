#include "common/metrics/rpc_metrics.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace bulletin {
namespace {

// One per call: notes when the call started, records it when the status is
// about to be sent.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(RpcMetrics* metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->RecordCall(method_, methods->GetSendStatus().error_code(),
                           absl::ToDoubleSeconds(absl::Now() - start_));
    }
    methods->Proceed();
  }

 private:
  RpcMetrics* const metrics_;
  const std::string method_;
  const absl::Time start_;
};

class MetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(RpcMetrics* metrics) : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, info->method());
  }

 private:
  RpcMetrics* const metrics_;
};

}  // namespace

LabelValues ServiceAndMethod(absl::string_view full_method) {
  absl::string_view path = absl::StripPrefix(full_method, "/");
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return {std::string(path), ""};
  return {std::string(path.substr(0, slash)),
          std::string(path.substr(slash + 1))};
}

RpcMetrics::RpcMetrics(MetricsRegistry* registry)
    : handled_(registry->AddCounter(
          "grpc_server_handled_total",
          "RPCs completed on the server, by method and status code.",
          {"grpc_service", "grpc_method", "grpc_code"})),
      latency_(registry->AddHistogram(
          "grpc_server_handling_seconds",
          "Time from a call's start to its status, by method and status code.",
          {"grpc_service", "grpc_method", "grpc_code"}, LatencyBuckets())),
      auth_failures_(registry->AddCounter(
          "bulletin_auth_failures_total",
          "Calls refused for a missing or wrong token or client identity.",
          {"grpc_service", "grpc_method"})) {}

void RpcMetrics::RecordCall(absl::string_view full_method,
                            grpc::StatusCode code, double seconds) {
  LabelValues labels = ServiceAndMethod(full_method);
  labels.push_back(absl::StatusCodeToString(
      static_cast<absl::StatusCode>(static_cast<int>(code))));
  handled_->Increment(labels);
  latency_->Observe(labels, seconds);
}

void RpcMetrics::RecordAuthFailure(absl::string_view full_method) {
  auth_failures_->Increment(ServiceAndMethod(full_method));
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
RpcMetrics::NewInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(this);
}

}  // namespace bulletin
