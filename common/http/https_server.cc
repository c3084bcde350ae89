#include "common/http/https_server.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "common/log/json_log.h"
#include "common/server/tls_files.h"
#include "common/sync/mutex.h"
#include "httplib.h"

namespace bulletin {
namespace {

// One set of PEM files parsed into what OpenSSL hands to a connection.
struct ParsedTls {
  ParsedTls() = default;
  ParsedTls(const ParsedTls&) = delete;
  ParsedTls& operator=(const ParsedTls&) = delete;
  ~ParsedTls() {
    X509_free(certificate);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_STORE_free(client_ca);
    sk_X509_NAME_pop_free(client_ca_names, X509_NAME_free);
  }

  std::shared_ptr<const TlsFiles::Pem> source;
  X509* certificate = nullptr;
  STACK_OF(X509) * chain = nullptr;  // The certificates after the first.
  EVP_PKEY* key = nullptr;
  X509_STORE* client_ca = nullptr;  // Null without mTLS.
  STACK_OF(X509_NAME) * client_ca_names = nullptr;
};

// Every certificate in `pem`, in order; empty when there is none.
std::vector<X509*> ReadCertificates(const std::string& pem) {
  std::vector<X509*> certificates;
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (X509* certificate =
             PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    certificates.push_back(certificate);
  }
  BIO_free(bio);
  // The loop ends on a "no start line" error, which is not one.
  ERR_clear_error();
  return certificates;
}

// Null when the PEM does not parse; TlsFiles has checked it, so that is a
// file changed between the check and the read.
std::shared_ptr<const ParsedTls> Parse(
    std::shared_ptr<const TlsFiles::Pem> pem) {
  auto parsed = std::make_shared<ParsedTls>();
  std::vector<X509*> chain = ReadCertificates(pem->cert);
  if (chain.empty()) return nullptr;
  parsed->certificate = chain.front();
  parsed->chain = sk_X509_new_null();
  for (size_t i = 1; i < chain.size(); ++i) {
    sk_X509_push(parsed->chain, chain[i]);
  }
  BIO* bio =
      BIO_new_mem_buf(pem->key.data(), static_cast<int>(pem->key.size()));
  parsed->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (parsed->key == nullptr) return nullptr;
  if (!pem->client_ca.empty()) {
    parsed->client_ca = X509_STORE_new();
    parsed->client_ca_names = sk_X509_NAME_new_null();
    for (X509* ca : ReadCertificates(pem->client_ca)) {
      X509_STORE_add_cert(parsed->client_ca, ca);
      sk_X509_NAME_push(parsed->client_ca_names,
                        X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
    }
  }
  parsed->source = std::move(pem);
  return parsed;
}

// Picks the certificate for each handshake: the newest TlsFiles has,
// parsed once per reload.
class CertificatePicker {
 public:
  explicit CertificatePicker(std::shared_ptr<TlsFiles> files)
      : files_(std::move(files)) {}

  // Sets up `context` to call Pick on every handshake.
  bool Install(SSL_CTX& context) {
    SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
    SSL_CTX_set_options(
        &context,
        SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    SSL_CTX_set_cert_cb(&context, &CertificatePicker::Pick, this);
    std::shared_ptr<const ParsedTls> parsed = Current();
    if (parsed == nullptr) return false;
    if (parsed->client_ca != nullptr) {
      SSL_CTX_set_verify(
          &context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    return true;
  }

 private:
  static int Pick(SSL* ssl, void* picker) {
    std::shared_ptr<const ParsedTls> parsed =
        static_cast<CertificatePicker*>(picker)->Current();
    if (parsed == nullptr ||
        SSL_use_certificate(ssl, parsed->certificate) != 1 ||
        SSL_use_PrivateKey(ssl, parsed->key) != 1 ||
        SSL_set1_chain(ssl, parsed->chain) != 1) {
      return 0;
    }
    if (parsed->client_ca != nullptr) {
      SSL_set1_verify_cert_store(ssl, parsed->client_ca);
      SSL_set_client_CA_list(ssl, SSL_dup_CA_list(parsed->client_ca_names));
    }
    return 1;
  }

  std::shared_ptr<const ParsedTls> Current() {
    std::shared_ptr<const TlsFiles::Pem> pem = files_->Current();
    MutexLock lock(&mutex_);
    if (parsed_ == nullptr || parsed_->source != pem) {
      std::shared_ptr<const ParsedTls> parsed = Parse(pem);
      if (parsed == nullptr) {
        LogWarning("tls_files_unusable", {{"error", "PEM does not parse"}});
      } else {
        parsed_ = std::move(parsed);
      }
    }
    return parsed_;
  }

  const std::shared_ptr<TlsFiles> files_;
  Mutex mutex_;
  std::shared_ptr<const ParsedTls> parsed_ ABSL_GUARDED_BY(mutex_);
};

// An SSLServer that keeps its picker alive as long as its SSL_CTX.
class ReloadingHttpsServer : public httplib::SSLServer {
 public:
  explicit ReloadingHttpsServer(std::unique_ptr<CertificatePicker> picker)
      : httplib::SSLServer([picker = picker.get()](SSL_CTX& context) {
          return picker->Install(context);
        }),
        picker_(std::move(picker)) {}

 private:
  const std::unique_ptr<CertificatePicker> picker_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<httplib::Server>> NewHttpsServer(
    const ServerTls& tls) {
  absl::StatusOr<std::shared_ptr<TlsFiles>> files = TlsFiles::Open(tls);
  if (!files.ok()) return files.status();
  auto server = std::make_unique<ReloadingHttpsServer>(
      std::make_unique<CertificatePicker>(*std::move(files)));
  if (!server->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot serve HTTPS with ", tls.cert_file, " and ", tls.key_file));
  }
  return server;
}

}  // namespace bulletin
