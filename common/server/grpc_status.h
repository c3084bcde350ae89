// Converting between absl::Status (used everywhere inside the services) and
// grpc::Status (on the wire). The codes have the same numeric values.
//
//   return bulletin::ToGrpcStatus(parsed.status());
//
//   // Machine-readable details (AIP-193): a google.rpc.ErrorInfo travels
//   // as an absl::Status payload and becomes the call's error details.
//   return bulletin::WithErrorInfo(
//       absl::FailedPreconditionError("bulletin 1a2b... is at version 3"),
//       "VERSION_MISMATCH", {{"current_version", "3"}});
//
// Payloads keyed by a type URL ("type.googleapis.com/google.rpc.ErrorInfo")
// hold the serialized message; ToGrpcStatus packs every one of them into a
// google.rpc.Status as its `details`, which FromGrpcStatus unpacks again,
// so details survive a hop through a client and back.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_SERVER_GRPC_STATUS_H_
#define BULLETIN_COMMON_SERVER_GRPC_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/support/status.h"

namespace bulletin {

// ErrorInfo.domain of every error the services raise.
inline constexpr char kErrorDomain[] = "bulletin.v1";

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// `status` with a google.rpc.ErrorInfo of `reason` (UPPER_SNAKE_CASE, stable:
// clients switch on it) and `metadata` attached. OK stays OK.
absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::vector<std::pair<std::string, std::string>>& metadata = {});

// The ErrorInfo attached to `status`, if any.
std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_GRPC_STATUS_H_
