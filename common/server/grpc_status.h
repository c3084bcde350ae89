// Converting between absl::Status (used everywhere inside the services) and
// grpc::Status (on the wire). The codes have the same numeric values.
//
//   return bulletin::ToGrpcStatus(parsed.status());
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_SERVER_GRPC_STATUS_H_
#define BULLETIN_COMMON_SERVER_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace bulletin {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_GRPC_STATUS_H_
