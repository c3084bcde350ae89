#include "common/server/tls_files.h"

#include <utility>

#include "absl/time/clock.h"
#include "common/log/json_log.h"

namespace bulletin {

absl::StatusOr<std::shared_ptr<TlsFiles>> TlsFiles::Open(const ServerTls& tls) {
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "give both --tls_cert_file and --tls_key_file, or neither");
  }
  std::shared_ptr<TlsFiles> files(new TlsFiles(tls));
  MutexLock lock(&files->mutex_);
  files->versions_ = files->Versions();
  absl::StatusOr<std::shared_ptr<const Pem>> pem = files->Read();
  if (!pem.ok()) return pem.status();
  files->pem_ = *std::move(pem);
  files->checked_ = absl::Now();
  return files;
}

std::vector<std::optional<FileVersion>> TlsFiles::Versions() const {
  std::vector<std::optional<FileVersion>> versions = {
      FileVersion::Of(tls_.cert_file), FileVersion::Of(tls_.key_file)};
  if (!tls_.client_ca_file.empty()) {
    versions.push_back(FileVersion::Of(tls_.client_ca_file));
  }
  return versions;
}

absl::StatusOr<std::shared_ptr<const TlsFiles::Pem>> TlsFiles::Read() const {
  auto pem = std::make_shared<Pem>();
  absl::StatusOr<std::string> cert = ReadWholeFile(tls_.cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadWholeFile(tls_.key_file);
  if (!key.ok()) return key.status();
  absl::Status pair = CheckKeyPair(*cert, *key, tls_.cert_file, tls_.key_file);
  if (!pair.ok()) return pair;
  pem->cert = *std::move(cert);
  pem->key = *std::move(key);
  if (!tls_.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadWholeFile(tls_.client_ca_file);
    if (!ca.ok()) return ca.status();
    absl::Status checked = CheckCaBundle(*ca, tls_.client_ca_file);
    if (!checked.ok()) return checked;
    pem->client_ca = *std::move(ca);
  }
  return std::shared_ptr<const Pem>(std::move(pem));
}

std::shared_ptr<const TlsFiles::Pem> TlsFiles::Current() {
  MutexLock lock(&mutex_);
  const absl::Time now = absl::Now();
  if (tls_.reload_interval <= absl::ZeroDuration() ||
      now - checked_ < tls_.reload_interval) {
    return pem_;
  }
  checked_ = now;
  std::vector<std::optional<FileVersion>> seen = Versions();
  if (seen == versions_) return pem_;
  // Whatever happens, this version has been tried: a broken set is not
  // read again until a file changes once more.
  versions_ = std::move(seen);
  absl::StatusOr<std::shared_ptr<const Pem>> pem = Read();
  if (!pem.ok()) {
    LogWarning("tls_files_unusable", {{"cert_file", tls_.cert_file},
                                      {"error", pem.status().ToString()},
                                      {"kept", "the last good certificate"}});
    return pem_;
  }
  pem_ = *std::move(pem);
  LogInfo("tls_files_reloaded", {{"cert_file", tls_.cert_file}});
  return pem_;
}

}  // namespace bulletin
