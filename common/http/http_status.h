// gRPC status codes on HTTP: the HTTP status each code maps to (as AIP-193
// and google/rpc/code.proto give it) and the `google.rpc.Status` JSON body
// an error carries.
//
//   response.status = bulletin::HttpStatusFor(grpc::StatusCode::NOT_FOUND);
//   response.set_content(bulletin::StatusJson(status), "application/json");
//   // {"code":5,"message":"no bulletin ...","details":[]}
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_HTTP_HTTP_STATUS_H_
#define BULLETIN_COMMON_HTTP_HTTP_STATUS_H_

#include <string>

#include "grpcpp/support/status.h"

namespace bulletin {

// 200 for OK, 400 INVALID_ARGUMENT, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED,
// 503 UNAVAILABLE, ... 500 for a code it does not know.
int HttpStatusFor(grpc::StatusCode code);

// The status as google.rpc.Status in the proto3 JSON mapping: `code` (the
// gRPC code's number), `message` and `details`. When the status carries
// binary details (a serialized google.rpc.Status), those details are kept as
// long as their types are linked in, so JSON can name them.
std::string StatusJson(const grpc::Status& status);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_STATUS_H_
