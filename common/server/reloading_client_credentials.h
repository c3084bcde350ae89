// Channel credentials made from a ClientSecurity's files (CA, client
// certificate and key, bearer token), made again when one of those files
// changes, for a long-lived client that connects again now and then:
// query's Feed. Each new connection then presents the renewed certificate
// or the rotated token, without a restart; a connection already open keeps
// what it began with (its handshake is done, and a stream's token is
// checked when it starts).
//
//   absl::StatusOr<std::shared_ptr<bulletin::ReloadingClientCredentials>>
//       files = bulletin::ReloadingClientCredentials::Open(security);
//   std::shared_ptr<grpc::ChannelCredentials> now = (*files)->Current();
//   if (now != in_use) ... make a new channel with `now`
//
// Current() looks at the files at most once per `recheck` and makes new
// credentials when one changed (common/server/file_version.h). A set that
// cannot be made (a key that is not the certificate's, a file half
// written) is logged as `client_credentials_unusable` and the last good
// credentials are kept; the next change is tried again.
//
// Why not gRPC's FileWatcherCertificateProvider, as the server side uses:
// tried for the Feed client, under ASan the replica never presented its
// renewed certificate, and the token has no provider at all.
//
// Thread-safety: Current may be called from any thread.

#ifndef BULLETIN_COMMON_SERVER_RELOADING_CLIENT_CREDENTIALS_H_
#define BULLETIN_COMMON_SERVER_RELOADING_CLIENT_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/file_version.h"
#include "common/server/tls.h"
#include "common/sync/mutex.h"
#include "grpcpp/security/credentials.h"

namespace bulletin {

class ReloadingClientCredentials {
 public:
  // Makes the credentials now, with MakeChannelCredentials's errors.
  static absl::StatusOr<std::shared_ptr<ReloadingClientCredentials>> Open(
      ClientSecurity security, absl::Duration recheck = absl::Seconds(1));

  // The credentials for the files as they are now; a new object after each
  // change.
  std::shared_ptr<grpc::ChannelCredentials> Current();

 private:
  ReloadingClientCredentials(ClientSecurity security, absl::Duration recheck)
      : security_(std::move(security)), recheck_(recheck) {}
  // The versions of the files security_ names, in a fixed order.
  std::vector<std::optional<FileVersion>> Versions() const;

  const ClientSecurity security_;
  const absl::Duration recheck_;
  Mutex mutex_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_
      ABSL_GUARDED_BY(mutex_);
  std::vector<std::optional<FileVersion>> versions_ ABSL_GUARDED_BY(mutex_);
  absl::Time checked_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_RELOADING_CLIENT_CREDENTIALS_H_
