#include "common/server/tls.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace bulletin {

absl::Status CheckKeyPair(const std::string& cert_pem,
                          const std::string& key_pem,
                          const std::string& cert_file,
                          const std::string& key_file) {
  BIO* cert_bio =
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio =
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  absl::Status status;
  if (cert == nullptr) {
    status = absl::InvalidArgumentError(
        absl::StrCat(cert_file, " holds no PEM certificate"));
  } else if (key == nullptr) {
    status = absl::InvalidArgumentError(
        absl::StrCat(key_file, " holds no PEM private key"));
  } else if (X509_check_private_key(cert, key) != 1) {
    status = absl::InvalidArgumentError(absl::StrCat(
        key_file, " is not the private key of the certificate in ", cert_file));
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return status;
}

absl::Status CheckCaBundle(const std::string& pem, const std::string& file) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, " holds no PEM certificate"));
  }
  X509_free(cert);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  // A file that is there but not readable is a permission problem (a
  // Secret mounted 0440 without the pod's fsGroup), not a missing file.
  if (access(path.c_str(), F_OK) == 0 && access(path.c_str(), R_OK) != 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot read ", path, ": permission denied to uid ", getuid(), " (gid ",
        getgid(), "); check its mode and owner, and the pod's ",
        "fsGroup when it is a mounted Secret"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::string content((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
  if (in.bad()) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return content;
}

absl::StatusOr<absl::Time> CertificateNotAfter(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadWholeFile(path);
  if (!pem.ok()) return pem.status();
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " holds no PEM certificate"));
  }
  tm expiry{};
  const int converted = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &expiry);
  X509_free(cert);
  if (converted != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": its certificate's notAfter cannot be read"));
  }
  return absl::FromTimeT(timegm(&expiry));
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  absl::StatusOr<std::string> content = ReadWholeFile(path);
  if (!content.ok()) return content.status();
  std::string token(absl::StripAsciiWhitespace(*content));
  if (token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " holds no token"));
  }
  return token;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTls& tls) {
  if (!tls.enabled()) {
    if (!tls.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca_file needs --tls_cert_file and --tls_key_file");
    }
    return grpc::InsecureServerCredentials();
  }
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "give both --tls_cert_file and --tls_key_file, or neither");
  }
  absl::StatusOr<std::string> cert = ReadWholeFile(tls.cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadWholeFile(tls.key_file);
  if (!key.ok()) return key.status();
  absl::Status pair = CheckKeyPair(*cert, *key, tls.cert_file, tls.key_file);
  if (!pair.ok()) return pair;

  std::string ca;
  if (!tls.client_ca_file.empty()) {
    absl::StatusOr<std::string> read = ReadWholeFile(tls.client_ca_file);
    if (!read.ok()) return read.status();
    absl::Status checked = CheckCaBundle(*read, tls.client_ca_file);
    if (!checked.ok()) return checked;
    ca = *std::move(read);
  }
  if (tls.reload_interval > absl::ZeroDuration()) {
    auto provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            tls.key_file, tls.cert_file, tls.client_ca_file,
            static_cast<unsigned>(std::max<int64_t>(
                1, absl::ToInt64Seconds(tls.reload_interval))));
    grpc::experimental::TlsServerCredentialsOptions options(provider);
    options.watch_identity_key_cert_pairs();
    if (!ca.empty()) {
      options.watch_root_certs();
      options.set_cert_request_type(
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    } else {
      options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    }
    return grpc::experimental::TlsServerCredentials(options);
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!ca.empty()) {
    options.pem_root_certs = ca;
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientSecurity& security) {
  if (!security.tls()) {
    if (!security.key_file.empty()) {
      return absl::InvalidArgumentError(
          "a client key needs its certificate and a CA file");
    }
    if (!security.token_file.empty()) {
      return absl::InvalidArgumentError(
          "a bearer token is only sent over TLS: give the server's CA file "
          "too");
    }
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions options;
  if (!security.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadWholeFile(security.ca_file);
    if (!ca.ok()) return ca.status();
    absl::Status checked = CheckCaBundle(*ca, security.ca_file);
    if (!checked.ok()) return checked;
    options.pem_root_certs = *ca;
  }
  if (!security.cert_file.empty() || !security.key_file.empty()) {
    if (security.cert_file.empty() || security.key_file.empty()) {
      return absl::InvalidArgumentError(
          "give both the client certificate and its key, or neither");
    }
    absl::StatusOr<std::string> cert = ReadWholeFile(security.cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadWholeFile(security.key_file);
    if (!key.ok()) return key.status();
    absl::Status pair =
        CheckKeyPair(*cert, *key, security.cert_file, security.key_file);
    if (!pair.ok()) return pair;
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  std::shared_ptr<grpc::ChannelCredentials> channel =
      grpc::SslCredentials(options);
  if (security.token_file.empty()) return channel;
  absl::StatusOr<std::string> token = ReadTokenFile(security.token_file);
  if (!token.ok()) return token.status();
  // AccessTokenCredentials sends `authorization: Bearer <token>`.
  return grpc::CompositeChannelCredentials(
      channel, grpc::AccessTokenCredentials(*token));
}

}  // namespace bulletin
