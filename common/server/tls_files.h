// A server's certificate, key and client CA as PEM text, re-read from their
// files when they change, for a TLS server other than gRPC's: the HTTPS
// port (common/http/https_server.h). gRPC's port reloads the same files
// with gRPC's FileWatcherCertificateProvider (tls.h), which gives no access
// to what it read; this is its counterpart, on the same flags
// (--tls_cert_file, --tls_key_file, --tls_client_ca_file,
// --tls_reload_interval), so that both ports serve a renewed certificate
// within the same interval.
//
//   absl::StatusOr<std::shared_ptr<bulletin::TlsFiles>> files =
//       bulletin::TlsFiles::Open(tls);          // reads and checks now
//   std::shared_ptr<const bulletin::TlsFiles::Pem> pem = (*files)->Current();
//   ... pem->cert, pem->key, pem->client_ca (empty without mTLS)
//
// Current() looks at the files at most once per reload_interval (never
// when it is zero) and re-reads them when one has changed (file_version.h).
// A set that fails the checks (a key that is not the certificate's, a file
// half written) is logged as `tls_files_unusable` and the last good set is
// kept, so a botched renewal does not take the port down; the next change
// is tried again.
//
// Thread-safety: Current may be called from any thread.

#ifndef BULLETIN_COMMON_SERVER_TLS_FILES_H_
#define BULLETIN_COMMON_SERVER_TLS_FILES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/file_version.h"
#include "common/server/tls.h"
#include "common/sync/mutex.h"

namespace bulletin {

class TlsFiles {
 public:
  struct Pem {
    std::string cert;       // Certificate chain.
    std::string key;        // Its private key.
    std::string client_ca;  // CA bundle for client certificates; may be "".
  };

  // Reads and checks the files of `tls` (which must be enabled), with the
  // errors MakeServerCredentials gives for them.
  static absl::StatusOr<std::shared_ptr<TlsFiles>> Open(const ServerTls& tls);

  // The newest usable set; a new object after each reload.
  std::shared_ptr<const Pem> Current();

 private:
  explicit TlsFiles(ServerTls tls) : tls_(std::move(tls)) {}
  // The files' versions now, in the order cert, key, client CA.
  std::vector<std::optional<FileVersion>> Versions() const;
  // Reads and checks all three files.
  absl::StatusOr<std::shared_ptr<const Pem>> Read() const;

  const ServerTls tls_;
  Mutex mutex_;
  std::shared_ptr<const Pem> pem_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::optional<FileVersion>> versions_ ABSL_GUARDED_BY(mutex_);
  absl::Time checked_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_TLS_FILES_H_
