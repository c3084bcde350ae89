#include "common/http/http_status.h"

#include "common/record/json.h"
#include "common/server/grpc_status.h"
#include "google/rpc/status.pb.h"

namespace bulletin {

int HttpStatusFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
    default:
      return 500;
  }
}

std::string StatusJson(const grpc::Status& given) {
  // The gateway's own refusals carry the details every error carries.
  const grpc::Status status = ToGrpcStatus(FromGrpcStatus(given));
  google::rpc::Status body;
  if (!status.error_details().empty() &&
      body.ParseFromString(status.error_details())) {
    // The details' code and message are the call's own; keep the call's.
    body.set_code(static_cast<int>(status.error_code()));
    body.set_message(status.error_message());
    std::string json = ToJson(body);
    // Details whose types are not linked in cannot be named in JSON.
    if (json != "{}") return json;
  }
  body.Clear();
  body.set_code(static_cast<int>(status.error_code()));
  body.set_message(status.error_message());
  return ToJson(body);
}

}  // namespace bulletin
