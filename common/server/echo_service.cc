#include "common/server/echo_service.h"

namespace bulletin {

grpc::Status EchoService::Echo(grpc::ServerContext* /*context*/,
                               const v1::EchoRequest* request,
                               v1::EchoResponse* response) {
  response->set_payload(request->payload());
  return grpc::Status::OK;
}

}  // namespace bulletin
