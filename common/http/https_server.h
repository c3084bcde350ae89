// An HTTPS server (cpp-httplib's SSLServer) that takes its certificate, key
// and client CA from TlsFiles at each handshake, so that a renewed
// certificate (a Secret update, cert-manager) is served without a restart,
// as on the gRPC port (common/server/tls.h). Connections already open keep
// the certificate they began with.
//
//   absl::StatusOr<std::unique_ptr<httplib::Server>> server =
//       bulletin::NewHttpsServer(tls);    // tls.reload_interval: how often
//   if (!server.ok()) ...;                // the files are looked at
//   (*server)->Get("/", ...);
//
// With a client CA, every client must present a certificate that chains to
// it (mTLS), as on the gRPC port; the CA is reloaded with the rest.
//
// Ownership: the server owns what it needs to pick certificates.
// Thread-safety: as httplib::SSLServer; handshakes may run on any thread.

#ifndef BULLETIN_COMMON_HTTP_HTTPS_SERVER_H_
#define BULLETIN_COMMON_HTTP_HTTPS_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/server/tls.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace bulletin {

// INVALID_ARGUMENT, NOT_FOUND or PERMISSION_DENIED naming the file when the
// files of `tls` (which must be enabled) cannot serve, as
// MakeServerCredentials reports them.
absl::StatusOr<std::unique_ptr<httplib::Server>> NewHttpsServer(
    const ServerTls& tls);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTPS_SERVER_H_
