#include "common/server/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "common/server/error_details.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace bulletin {
namespace {

// What every error carries at least (see the header).
absl::Status WithDefaultDetails(absl::Status status) {
  if (!ErrorInfoOf(status).has_value()) {
    status = WithErrorInfo(status, absl::StatusCodeToString(status.code()));
  }
  const bool retry_helps = status.code() == absl::StatusCode::kUnavailable ||
                           status.code() == absl::StatusCode::kAborted;
  if (retry_helps && !RetryInfoOf(status).has_value()) {
    status = WithRetryInfo(status, absl::Seconds(1));
  }
  return status;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& given) {
  if (given.ok()) return grpc::Status::OK;
  const absl::Status status = WithDefaultDetails(given);
  const auto code = static_cast<grpc::StatusCode>(status.code());
  google::rpc::Status details;
  status.ForEachPayload(
      [&details](absl::string_view type_url, const absl::Cord& value) {
        google::protobuf::Any* any = details.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(value));
      });
  if (details.details().empty()) {
    return grpc::Status(code, std::string(status.message()));
  }
  details.set_code(static_cast<int>(code));
  details.set_message(std::string(status.message()));
  return grpc::Status(code, std::string(status.message()),
                      details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      result.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return result;
}

}  // namespace bulletin
