#include "common/metrics/grpc_core_metrics.h"

#include <cstdint>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/grpc.h"
#include "grpc/support/alloc.h"

namespace bulletin {
namespace {

// A channelz int64 (a JSON string), 0 when absent.
absl::StatusOr<double> Int64Field(const google::protobuf::Struct& data,
                                  const std::string& name) {
  auto field = data.fields().find(name);
  if (field == data.fields().end()) return 0.0;
  int64_t value = 0;
  if (!field->second.has_string_value() ||
      !absl::SimpleAtoi(field->second.string_value(), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("channelz field ", name, " is not an int64 string"));
  }
  return static_cast<double>(value);
}

double ReadCallsStarted() {
  char* json = grpc_channelz_get_servers(0);
  if (json == nullptr) return 0;
  absl::StatusOr<double> started = ParseChannelzCallsStarted(json);
  gpr_free(json);
  // A shape this code does not know reports nothing rather than a guess.
  return started.ok() ? *started : 0;
}

std::vector<GaugeSample> One(double value) { return {{{}, value}}; }

}  // namespace

absl::StatusOr<double> ParseChannelzCallsStarted(const std::string& json) {
  google::protobuf::Struct root;
  if (!google::protobuf::util::JsonStringToMessage(json, &root).ok()) {
    return absl::InvalidArgumentError("channelz servers: not JSON");
  }
  double total = 0;
  auto servers = root.fields().find("server");
  if (servers == root.fields().end()) return total;
  if (!servers->second.has_list_value()) {
    return absl::InvalidArgumentError("channelz servers: server is no list");
  }
  for (const google::protobuf::Value& server :
       servers->second.list_value().values()) {
    if (!server.has_struct_value()) {
      return absl::InvalidArgumentError(
          "channelz servers: a server is no object");
    }
    auto data = server.struct_value().fields().find("data");
    if (data == server.struct_value().fields().end()) continue;
    if (!data->second.has_struct_value()) {
      return absl::InvalidArgumentError("channelz servers: data is no object");
    }
    absl::StatusOr<double> started =
        Int64Field(data->second.struct_value(), "callsStarted");
    if (!started.ok()) return started.status();
    total += *started;
  }
  return total;
}

void AddGrpcCoreMetrics(MetricsRegistry* registry) {
  registry->AddCounterFunction(
      "grpc_server_core_calls_started_total",
      "Calls gRPC's core started, including those it refused before any "
      "handler ran (requests over the size limit).",
      {}, [] { return One(ReadCallsStarted()); });
}

}  // namespace bulletin
