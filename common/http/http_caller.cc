#include "common/http/http_caller.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/auth.h"
#include "httplib.h"

namespace bulletin {
namespace {

std::string AsString(const ASN1_STRING* text) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<size_t>(ASN1_STRING_length(text)));
}

// An IP address SAN as text (4 or 16 bytes), as gRPC prints it.
std::string IpAsString(const ASN1_OCTET_STRING* address) {
  const unsigned char* bytes = ASN1_STRING_get0_data(address);
  const int length = ASN1_STRING_length(address);
  if (length == 4) {
    return absl::StrCat(bytes[0], ".", bytes[1], ".", bytes[2], ".", bytes[3]);
  }
  if (length == 16) {
    char text[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET6, bytes, text, sizeof(text)) != nullptr) return text;
  }
  return "";
}

}  // namespace

std::vector<std::string> ClientCertificateNames(
    const httplib::Request& request) {
  std::vector<std::string> names;
  if (request.ssl == nullptr ||
      SSL_get_verify_result(request.ssl) != X509_V_OK) {
    return names;
  }
  X509* certificate = SSL_get1_peer_certificate(request.ssl);
  if (certificate == nullptr) return names;
  auto* alternatives = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; i < sk_GENERAL_NAME_num(alternatives); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(alternatives, i);
    switch (name->type) {
      case GEN_DNS:
      case GEN_URI:
      case GEN_EMAIL:
        names.push_back(AsString(name->d.ia5));
        break;
      case GEN_IPADD:
        names.push_back(IpAsString(name->d.ip));
        break;
      default:
        break;
    }
  }
  GENERAL_NAMES_free(alternatives);
  X509_NAME* subject = X509_get_subject_name(certificate);
  const int common_name =
      X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (common_name >= 0) {
    names.push_back(AsString(
        X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, common_name))));
  }
  X509_free(certificate);
  names.erase(std::remove(names.begin(), names.end(), ""), names.end());
  return names;
}

HttpCaller IdentifyHttpCaller(const httplib::Request& request,
                              const AccessRule* rule) {
  HttpCaller caller;
  const std::string authorization = request.get_header_value("Authorization");
  caller.bearer_presented = absl::StartsWith(authorization, "Bearer ");
  const std::vector<std::string> names = ClientCertificateNames(request);
  if (rule == nullptr) {
    caller.admitted = true;
    caller.name = names.empty()
                      ? "anonymous"
                      : absl::StrCat(kCertificateCallerPrefix, names[0]);
    return caller;
  }
  caller.name = BearerCaller(*rule, authorization);
  if (caller.name.empty()) {
    for (const std::string& name : names) {
      if (std::find(rule->identities.begin(), rule->identities.end(), name) !=
          rule->identities.end()) {
        caller.name = absl::StrCat(kCertificateCallerPrefix, name);
        break;
      }
    }
  }
  caller.admitted = !caller.name.empty();
  return caller;
}

}  // namespace bulletin
