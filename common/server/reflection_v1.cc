#include "common/server/reflection_v1.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"

namespace bulletin {
namespace {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

// The v1alpha call carries bytes: its generated classes are inside gRPC's
// reflection library, without headers, and a second copy of them aborts
// the process at start.
using ByteStream = grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>;
using ByteStreamFactory =
    grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer,
                                              grpc::ByteBuffer>;

constexpr char kV1AlphaMethod[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

// Registers the service through the ServerInitializer, which keeps a
// reference for the server's lifetime: ServerBuilder::RegisterService would
// leave the service's lifetime to every caller of StartGrpcServer.
class ReflectionV1Plugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit ReflectionV1Plugin(std::shared_ptr<ReflectionV1Service> service)
      : service_(std::move(service)) {}

  std::string name() override { return "bulletin_reflection_v1"; }
  void InitServer(grpc::ServerInitializer* initializer) override {
    initializer->RegisterService(service_);
  }
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}
  bool has_sync_methods() const override { return true; }

 private:
  std::shared_ptr<ReflectionV1Service> service_;
};

// How a plugin reaches one ServerBuilder rather than every one in the
// process (grpc::ServerBuilder::InternalAddPluginFactory's way).
class ReflectionV1Option final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionV1Option(std::shared_ptr<ReflectionV1Service> service)
      : service_(std::move(service)) {}

  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    plugins->push_back(std::make_unique<ReflectionV1Plugin>(service_));
  }

 private:
  std::shared_ptr<ReflectionV1Service> service_;
};

}  // namespace

void ReflectionV1Service::ServeThrough(grpc::Server* server) {
  MutexLock lock(&mu_);
  server_ = server;
}

grpc::Status ReflectionV1Service::ServerReflectionInfo(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<ServerReflectionResponse, ServerReflectionRequest>*
        stream) {
  std::shared_ptr<grpc::Channel> channel;
  {
    MutexLock lock(&mu_);
    if (server_ == nullptr) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "the server is starting; retry reflection shortly");
    }
    channel = server_->InProcessChannel(grpc::ChannelArguments());
  }
  // The caller's deadline and cancellation end the v1alpha call too.
  std::unique_ptr<grpc::ClientContext> upstream_context =
      grpc::ClientContext::FromServerContext(*context);
  const grpc::internal::RpcMethod method(
      kV1AlphaMethod, grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<ByteStream> upstream(
      ByteStreamFactory::Create(channel.get(), method, upstream_context.get()));
  // v1alpha answers each request with exactly one response, in order.
  ServerReflectionRequest request;
  while (stream->Read(&request)) {
    grpc::ByteBuffer request_bytes;
    bool own_buffer = false;
    grpc::Status serialized =
        grpc::SerializationTraits<ServerReflectionRequest>::Serialize(
            request, &request_bytes, &own_buffer);
    if (!serialized.ok()) return serialized;
    grpc::ByteBuffer response_bytes;
    if (!upstream->Write(request_bytes) || !upstream->Read(&response_bytes)) {
      break;
    }
    ServerReflectionResponse response;
    grpc::Status parsed =
        grpc::SerializationTraits<ServerReflectionResponse>::Deserialize(
            &response_bytes, &response);
    if (!parsed.ok()) return parsed;
    if (!stream->Write(response)) break;
  }
  upstream->WritesDone();
  return upstream->Finish();
}

std::shared_ptr<ReflectionV1Service> AddReflectionV1(
    grpc::ServerBuilder* builder) {
  auto service = std::make_shared<ReflectionV1Service>();
  builder->SetOption(std::make_unique<ReflectionV1Option>(service));
  return service;
}

}  // namespace bulletin
