#include "common/server/reloading_client_credentials.h"

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "common/log/json_log.h"

namespace bulletin {

absl::StatusOr<std::shared_ptr<ReloadingClientCredentials>>
ReloadingClientCredentials::Open(ClientSecurity security,
                                 absl::Duration recheck) {
  std::shared_ptr<ReloadingClientCredentials> files(
      new ReloadingClientCredentials(std::move(security), recheck));
  MutexLock lock(&files->mutex_);
  files->versions_ = files->Versions();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> made =
      MakeChannelCredentials(files->security_);
  if (!made.ok()) return made.status();
  files->credentials_ = *std::move(made);
  files->checked_ = absl::Now();
  return files;
}

std::vector<std::optional<FileVersion>> ReloadingClientCredentials::Versions()
    const {
  std::vector<std::optional<FileVersion>> versions;
  for (const std::string* path : {&security_.ca_file, &security_.cert_file,
                                  &security_.key_file, &security_.token_file}) {
    versions.push_back(path->empty() ? std::nullopt : FileVersion::Of(*path));
  }
  return versions;
}

std::shared_ptr<grpc::ChannelCredentials>
ReloadingClientCredentials::Current() {
  MutexLock lock(&mutex_);
  const absl::Time now = absl::Now();
  if (now - checked_ < recheck_) return credentials_;
  checked_ = now;
  std::vector<std::optional<FileVersion>> seen = Versions();
  if (seen == versions_) return credentials_;
  // Tried once per change: a broken set is not made again until a file
  // changes once more.
  versions_ = std::move(seen);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> made =
      MakeChannelCredentials(security_);
  if (!made.ok()) {
    LogWarning("client_credentials_unusable",
               {{"error", made.status().ToString()},
                {"kept", "the last good credentials"}});
    return credentials_;
  }
  credentials_ = *std::move(made);
  LogInfo("client_credentials_reloaded",
          {{"cert_file", security_.cert_file},
           {"token_file", security_.token_file}});
  return credentials_;
}

}  // namespace bulletin
