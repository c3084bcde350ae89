// Starting a gRPC server the way both services need it: health service and
// server reflection (v1 and v1alpha, health included) on, a bounded message
// size, the bound port reported, request ids and failed-call logs
// (common/server/call_interceptor.h), and optionally TLS or mTLS
// (common/server/tls.h), per-method access rules (common/server/auth.h) and RPC
// metrics (common/metrics/rpc_metrics.h).
//
//   bulletin::ServerOptions options;
//   options.listen_address = "127.0.0.1:0";
//   options.port_file = "/tmp/x/port";        // optional
//   absl::StatusOr<bulletin::StartedServer> started =
//       bulletin::StartGrpcServer(options, {&ingest_service, &feed_service});
//   if (!started.ok()) ...;
//   // started->port is the port actually bound (useful with port 0).
//
//   options.tls = {"/tls/tls.crt", "/tls/tls.key", "/tls/ca.crt"};  // mTLS
//   options.access_rules = {{{"/bulletin.v1.IngestService/Submit"}, token}};
//   options.rpc_metrics = &rpc_metrics;
//
// Thread-safe: call from one thread; the returned server is gRPC's own.

#ifndef BULLETIN_COMMON_SERVER_GRPC_SERVER_H_
#define BULLETIN_COMMON_SERVER_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/auth.h"
#include "common/server/tls.h"
#include "grpcpp/grpcpp.h"

namespace bulletin {

struct ServerOptions {
  // host:port; port 0 picks a free one.
  std::string listen_address;
  // When set, the bound port is written here (atomically, by rename) once
  // the server accepts connections, for tests and scripts that used port 0.
  std::string port_file;
  // Largest request message accepted, in bytes; larger ones fail with
  // RESOURCE_EXHAUSTED before any handler runs.
  int max_receive_message_bytes = 16 << 20;
  // Plaintext unless a certificate and key are given.
  ServerTls tls;
  // Who may call which method; needs TLS (a token must not cross the
  // network in the clear), INVALID_ARGUMENT otherwise.
  std::vector<AccessRule> access_rules;
  // When set (not owned; must outlive the server), every call is counted.
  RpcMetrics* rpc_metrics = nullptr;
};

struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// Builds and starts a server with `services` (not owned; they must outlive
// the server). Fails with UNAVAILABLE when the address cannot be bound, and
// with the credentials' error when a TLS file is missing or wrong.
absl::StatusOr<StartedServer> StartGrpcServer(
    const ServerOptions& options, const std::vector<grpc::Service*>& services);

// Writes `contents` to `path` atomically: a temporary file, then rename.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_GRPC_SERVER_H_
