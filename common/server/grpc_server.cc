#include "common/server/grpc_server.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/server/call_interceptor.h"
#include "common/server/grpc_log.h"
#include "common/server/reflection_v1.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"

namespace bulletin {
namespace {

// Idle handler threads kept per completion queue (see below).
constexpr int kMaxIdlePollers = 64;

}  // namespace

absl::StatusOr<StartedServer> StartGrpcServer(
    const ServerOptions& options, const std::vector<grpc::Service*>& services) {
  // Before gRPC logs anything, so every line on stderr is JSON.
  RouteGrpcLogsToJson();
#ifdef NDEBUG
  // Debian builds Abseil without NDEBUG, so every absl::Mutex, and gRPC
  // locks through absl::Mutex, keeps a lock-order graph for deadlock
  // detection: 7% of Echo's throughput on the query server. Debug and
  // sanitizer builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  // Both must be set before the ServerBuilder is constructed: the builder
  // reads them in its constructor.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // gRPC's health service is built without protobuf's generated code, so
  // its descriptor is in the binary's pool only through ours: using it
  // links it in, and reflection can then describe grpc.health.v1.Health.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  if (!options.access_rules.empty()) {
    if (!options.tls.enabled()) {
      return absl::InvalidArgumentError(
          "tokens and client identities are only checked over TLS: give "
          "--tls_cert_file and --tls_key_file too");
    }
    (*credentials)
        ->SetAuthMetadataProcessor(std::make_shared<AccessProcessor>(
            options.access_rules, options.rpc_metrics));
  }

  grpc::ServerBuilder builder;
  StartedServer started;
  builder.AddListeningPort(options.listen_address, *credentials, &started.port);
  // The call interceptor first: the metrics must count the status it
  // rewrites.
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(NewCallInterceptorFactory());
  if (options.rpc_metrics != nullptr) {
    interceptors.push_back(options.rpc_metrics->NewInterceptorFactory());
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  // Handler threads stay to poll again after a call, up to this many per
  // completion queue, rather than exit once more than gRPC's default of 2
  // are idle: under 32 concurrent Submits, ending and starting threads
  // cost ingest about 15% of its CPU per call (docs/benchmarks.md, "Write
  // path").
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdlePollers);
  for (grpc::Service* service : services) builder.RegisterService(service);
  // v1alpha comes with the plugin above; v1 is relayed to it.
  std::shared_ptr<ReflectionV1Service> reflection_v1 =
      AddReflectionV1(&builder);
  started.server = builder.BuildAndStart();
  if (started.server == nullptr || started.port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     ": the address is in use or not local"));
  }
  reflection_v1->ServeThrough(started.server.get());
  if (!options.port_file.empty()) {
    absl::Status written = WriteFileAtomically(
        options.port_file, absl::StrCat(started.port, "\n"));
    if (!written.ok()) {
      started.server->Shutdown();
      return written;
    }
  }
  return started;
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << contents;
    out.flush();
    if (!out) {
      return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace bulletin
