// Server reflection v1 (grpc.reflection.v1.ServerReflection) beside the
// v1alpha that gRPC 1.51's reflection plugin serves. Clients such as buf
// curl and grpcurl try v1 first; the two protocols are the same messages
// under two package names, so v1 is answered by v1alpha: each v1 stream
// opens a v1alpha stream on the server's in-process channel and relays
// requests and answers as bytes, which mean the same under either name.
// What the services list and describe is therefore decided in one place,
// gRPC's own reflection.
//
//   grpc::ServerBuilder builder;
//   std::shared_ptr<bulletin::ReflectionV1Service> reflection_v1 =
//       bulletin::AddReflectionV1(&builder);
//   std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
//   reflection_v1->ServeThrough(server.get());
//
// Ownership: the server built keeps the service alive as long as it lives
// (it is registered as a plugin's service, as v1alpha's is), so callers
// may drop their pointer. Until ServeThrough, v1 calls fail with
// UNAVAILABLE.
//
// Thread-safety: ServerReflectionInfo runs on gRPC's threads, concurrently
// with ServeThrough; both may be called from any thread.

#ifndef BULLETIN_COMMON_SERVER_REFLECTION_V1_H_
#define BULLETIN_COMMON_SERVER_REFLECTION_V1_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "common/sync/mutex.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace bulletin {

class ReflectionV1Service final
    : public grpc::reflection::v1::ServerReflection::Service {
 public:
  // Relays v1 calls to `server`'s v1alpha reflection from now on. `server`
  // must be the one this service is registered with (it outlives it).
  void ServeThrough(grpc::Server* server);

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>*
          stream) override;

 private:
  Mutex mu_;
  grpc::Server* server_ ABSL_GUARDED_BY(mu_) = nullptr;
};

// Registers a new ReflectionV1Service with the server `builder` builds.
// Call before BuildAndStart, then ServeThrough on the server it returns.
std::shared_ptr<ReflectionV1Service> AddReflectionV1(
    grpc::ServerBuilder* builder);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_REFLECTION_V1_H_
