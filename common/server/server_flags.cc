#include "common/server/server_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, port_file, "",
          "If set, the bound port is written to this file once serving.");
ABSL_FLAG(absl::Duration, lame_duck_period, absl::ZeroDuration(),
          "On SIGTERM, how long to keep serving every call while health "
          "reports NOT_SERVING, so that load balancers stop routing here "
          "first; then the drain (--drain_timeout) begins. A second SIGTERM "
          "ends it early.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "After the lame-duck period, how long in-flight calls may take to "
          "finish; new calls are refused.");
ABSL_FLAG(bool, enable_echo, false,
          "Also serve bulletin.v1.Diagnostics/Echo, a call that does "
          "nothing, for measuring RPC overhead (bench/load); off in "
          "production.");
ABSL_FLAG(std::string, metrics_listen, "",
          "Address (host:port) to serve Prometheus metrics on at /metrics; "
          "empty: no metrics endpoint.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain to serve TLS with; with --tls_key_file.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of the certificate.");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Seconds(60),
          "How often the TLS certificate, key and client CA files are "
          "re-read, so renewed ones are served without a restart; 0: read "
          "once at start.");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle; when set, every client must present a certificate "
          "it signed (mTLS).");

namespace bulletin {

ServerOptions ServerOptionsFromFlags(const std::string& listen_address) {
  ServerOptions options;
  options.listen_address = listen_address;
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.tls = {absl::GetFlag(FLAGS_tls_cert_file),
                 absl::GetFlag(FLAGS_tls_key_file),
                 absl::GetFlag(FLAGS_tls_client_ca_file),
                 absl::GetFlag(FLAGS_tls_reload_interval)};
  return options;
}

}  // namespace bulletin
