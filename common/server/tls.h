// TLS and mutual TLS for the gRPC ports, from PEM files named by flags, and
// the bearer tokens that go with them.
//
//   bulletin::ServerTls tls{"/tls/tls.crt", "/tls/tls.key", "/tls/ca.crt"};
//   absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server =
//       bulletin::MakeServerCredentials(tls);          // mTLS: ca set
//
//   bulletin::ClientSecurity client;
//   client.ca_file = "/tls/ca.crt";                   // TLS on
//   client.cert_file = "/tls/tls.crt";                // mTLS identity
//   client.key_file = "/tls/tls.key";
//   client.token_file = "/secrets/feed-token";        // authorization: Bearer
//   absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel =
//       bulletin::MakeChannelCredentials(client);
//
// Every file is read and checked when the credentials are made, so a
// missing, unreadable or mismatched file stops the process at start with one
// clear error rather than failing each handshake later. With a
// `reload_interval`, the server's certificate, key and client CA are then
// re-read from their files that often (gRPC's FileWatcherCertificateProvider),
// so a renewed certificate (a Secret update, cert-manager) is served without
// a restart; connections already open keep the certificate they began with.
// Client credentials are read when made; a long-lived client (query's
// Feed) makes them again when their files change with
// ReloadingClientCredentials (reloading_client_credentials.h).
//
//   bulletin::CertificateNotAfter("/tls/tls.crt");   // for expiry metrics
//
// Thread-safety: pure functions of the files.

#ifndef BULLETIN_COMMON_SERVER_TLS_H_
#define BULLETIN_COMMON_SERVER_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace bulletin {

struct ServerTls {
  // Certificate chain and private key (PEM). Both or neither: neither means
  // plaintext.
  std::string cert_file;
  std::string key_file;
  // CA bundle (PEM) that client certificates must chain to. When set, every
  // client must present one (mTLS).
  std::string client_ca_file;
  // How often to re-read the three files; zero: read once, at start.
  absl::Duration reload_interval = absl::ZeroDuration();

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Plaintext credentials when `tls` is not enabled. INVALID_ARGUMENT when only
// one of cert and key is given, a client CA is given without them, or the
// key does not match the certificate; NOT_FOUND or PERMISSION_DENIED when a
// file cannot be read (see ReadWholeFile).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTls& tls);

struct ClientSecurity {
  // CA bundle (PEM) the server's certificate must chain to. TLS is used when
  // this (or a client certificate) is set.
  std::string ca_file;
  // Client certificate chain and key (PEM) for mTLS; both or neither.
  std::string cert_file;
  std::string key_file;
  // File holding a bearer token sent as `authorization: Bearer <token>` on
  // every call. Needs TLS: a token in plaintext is a password in the clear.
  std::string token_file;

  bool tls() const { return !ca_file.empty() || !cert_file.empty(); }
};

// Insecure credentials when nothing is set.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientSecurity& security);

// The token in `path`: its contents without surrounding whitespace (a
// Secret's file often ends in a newline). NOT_FOUND when missing,
// PERMISSION_DENIED when there but not readable, INVALID_ARGUMENT when empty.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

// OK when `cert_pem` holds a certificate and `key_pem` the private key that
// belongs to it; INVALID_ARGUMENT naming the files otherwise, so that a
// wrong pair is reported by name.
absl::Status CheckKeyPair(const std::string& cert_pem,
                          const std::string& key_pem,
                          const std::string& cert_file,
                          const std::string& key_file);

// OK when `pem` (read from `file`) holds at least one certificate.
absl::Status CheckCaBundle(const std::string& pem, const std::string& file);

// When the first certificate in the PEM file `path` expires (its notAfter).
absl::StatusOr<absl::Time> CertificateNotAfter(const std::string& path);

// The whole file; NOT_FOUND naming it when it cannot be read, or
// PERMISSION_DENIED (saying what to check) when it exists but this process
// may not read it.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_TLS_H_
