// gRPC core's own count of the calls the gRPC servers of this process
// received, read from channelz at each scrape:
//
//   grpc_server_core_calls_started_total
//
//   bulletin::MetricsRegistry registry;
//   bulletin::AddGrpcCoreMetrics(&registry);
//
// Why: gRPC 1.51 refuses a request larger than the server's receive limit
// in its core, once the whole message has arrived, and never hands the call
// to the server: no handler and no interceptor sees it, so
// grpc_server_handled_total (common/metrics/rpc_metrics.h) cannot count it.
// The core counts every call it starts, those included, so the calls that
// never reached a handler (an oversized request, a refusal by the access
// processor, a client cancelling before its request arrived) are
//   increase(grpc_server_core_calls_started_total[5m])
//     - sum(increase(grpc_server_handled_total[5m]))
// give or take the calls running (docs/operations.md, "Capacity and
// admission control"). channelz's callsFailed would be the direct count,
// but gRPC 1.51's C++ server never records a call it refused that way.
//
// Thread-safety: the callbacks added may run on any thread.

#ifndef BULLETIN_COMMON_METRICS_GRPC_CORE_METRICS_H_
#define BULLETIN_COMMON_METRICS_GRPC_CORE_METRICS_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/metrics/metrics.h"

namespace bulletin {

// The calls started, summed over the servers in channelz's JSON for them
// (grpc_channelz_get_servers), e.g.
//   {"server":[{"data":{"callsStarted":"3","callsFailed":"2"}}],"end":true}
// (int64 fields as strings, absent when zero). INVALID_ARGUMENT when `json`
// is not that shape.
absl::StatusOr<double> ParseChannelzCallsStarted(const std::string& json);

void AddGrpcCoreMetrics(MetricsRegistry* registry);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_GRPC_CORE_METRICS_H_
