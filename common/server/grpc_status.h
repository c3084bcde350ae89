// Converting between absl::Status (used everywhere inside the services) and
// grpc::Status (on the wire). The codes have the same numeric values.
//
//   return bulletin::ToGrpcStatus(parsed.status());
//
// Error details (error_details.h) are absl::Status payloads keyed by a type
// URL ("type.googleapis.com/google.rpc.ErrorInfo") holding the serialized
// message; ToGrpcStatus packs every one of them into a google.rpc.Status as
// its `details`, which FromGrpcStatus unpacks again, so details survive a
// hop through a client and back. An error without an ErrorInfo gets one
// whose reason is its code's name, and UNAVAILABLE and ABORTED errors
// without a RetryInfo get one: no error leaves a service without them.
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
