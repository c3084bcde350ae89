// The flags every service binary takes beside its own: where to report the
// bound port, how long to keep serving (lame duck) and then to drain on
// SIGTERM, where to serve metrics, whether to serve the diagnostic Echo, and
// the TLS material of its gRPC port.
// Defined once here so that ingest-service and query-service spell and document
// them the same way.
//
//   bulletin::ServerOptions options =
//       bulletin::ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
//   ... absl::GetFlag(FLAGS_drain_timeout) ...
//
// Link target: bulletin_server_flags, for service binaries only (bulletinctl
// has client TLS flags of its own).
// Thread-safety: read flags after absl::ParseCommandLine, as for any flag.

#ifndef BULLETIN_COMMON_SERVER_SERVER_FLAGS_H_
#define BULLETIN_COMMON_SERVER_SERVER_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/time/time.h"
#include "common/server/grpc_server.h"

ABSL_DECLARE_FLAG(std::string, port_file);
ABSL_DECLARE_FLAG(absl::Duration, drain_timeout);
ABSL_DECLARE_FLAG(absl::Duration, lame_duck_period);
ABSL_DECLARE_FLAG(std::string, metrics_listen);
ABSL_DECLARE_FLAG(bool, enable_echo);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, tls_client_ca_file);
ABSL_DECLARE_FLAG(absl::Duration, tls_reload_interval);

namespace bulletin {

// ServerOptions for `listen_address` with port_file and tls taken from the
// shared flags; the caller sets the rest.
ServerOptions ServerOptionsFromFlags(const std::string& listen_address);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_SERVER_FLAGS_H_
