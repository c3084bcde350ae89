// The Diagnostics service (proto/bulletin/v1/diagnostics.proto): Echo returns
// its payload and does nothing else. Both services register it beside their
// own, so it is served by the same server, threads and options; bench/load
// measures it as the RPC floor that every other figure is a ratio to.
//
//   bulletin::EchoService echo;
//   StartGrpcServer(options, {&query_service, &echo});
//
// Thread-safety: stateless; gRPC calls Echo from any number of threads.

#ifndef BULLETIN_COMMON_SERVER_ECHO_SERVICE_H_
#define BULLETIN_COMMON_SERVER_ECHO_SERVICE_H_

#include "bulletin/v1/diagnostics.grpc.pb.h"

namespace bulletin {

class EchoService final : public v1::Diagnostics::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context,
                    const v1::EchoRequest* request,
                    v1::EchoResponse* response) override;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_ECHO_SERVICE_H_
