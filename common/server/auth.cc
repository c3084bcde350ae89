#include "common/server/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log/json_log.h"
#include "common/metrics/rpc_metrics.h"
#include "grpc/grpc_security_constants.h"

namespace bulletin {
namespace {

constexpr absl::string_view kBearer = "Bearer ";

absl::string_view ToView(const grpc::string_ref& ref) {
  return absl::string_view(ref.data(), ref.size());
}

// The one of `identities` the peer's verified certificate names, or null.
const std::string* PeerIdentityIn(const grpc::AuthContext& context,
                                  const std::vector<std::string>& identities) {
  if (identities.empty() || !context.IsPeerAuthenticated()) return nullptr;
  for (const char* property :
       {GRPC_X509_SAN_PROPERTY_NAME, GRPC_X509_CN_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : context.FindPropertyValues(property)) {
      for (const std::string& identity : identities) {
        if (ToView(value) == identity) return &identity;
      }
    }
  }
  return nullptr;
}

}  // namespace

bool TokensEqual(absl::string_view a, absl::string_view b) {
  unsigned char digest_a[SHA256_DIGEST_LENGTH];
  unsigned char digest_b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), digest_a);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), digest_b);
  return CRYPTO_memcmp(digest_a, digest_b, SHA256_DIGEST_LENGTH) == 0;
}

std::string TokenFingerprint(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest);
  return absl::StrCat("bearer:",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest), 4)));
}

const AccessRule* FindAccessRule(const std::vector<AccessRule>& rules,
                                 absl::string_view full_method) {
  for (const AccessRule& candidate : rules) {
    if (std::find(candidate.methods.begin(), candidate.methods.end(),
                  full_method) != candidate.methods.end()) {
      return &candidate;
    }
  }
  return nullptr;
}

std::string BearerCaller(const AccessRule& rule,
                         absl::string_view authorization) {
  if (!absl::StartsWith(authorization, kBearer) || rule.tokens == nullptr) {
    return "";
  }
  return rule.tokens->Match(authorization.substr(kBearer.size()));
}

absl::string_view RefusalMessage(bool bearer_presented) {
  return bearer_presented ? "the bearer token is not valid for this method"
                          : "this method needs a bearer token or an "
                            "authorized client certificate";
}

AccessProcessor::AccessProcessor(std::vector<AccessRule> rules,
                                 RpcMetrics* metrics)
    : rules_(std::move(rules)), metrics_(metrics) {}

grpc::Status AccessProcessor::Process(const InputMetadata& auth_metadata,
                                      grpc::AuthContext* context,
                                      OutputMetadata* consumed_auth_metadata,
                                      OutputMetadata* /*response_metadata*/) {
  absl::string_view path;
  auto path_entry = auth_metadata.find(":path");
  if (path_entry != auth_metadata.end()) path = ToView(path_entry->second);
  absl::string_view authorization_value;
  auto authorization = auth_metadata.find("authorization");
  if (authorization != auth_metadata.end()) {
    authorization_value = ToView(authorization->second);
    // Consumed whatever it holds, so no handler can see (or log) it.
    consumed_auth_metadata->insert(
        {"authorization", std::string(authorization->second.data(),
                                      authorization->second.size())});
  }
  const bool has_bearer = absl::StartsWith(authorization_value, kBearer);

  const AccessRule* rule = FindAccessRule(rules_, path);
  if (rule == nullptr) return grpc::Status::OK;
  const std::string caller = BearerCaller(*rule, authorization_value);
  if (!caller.empty()) {
    context->AddProperty(kCallerProperty, caller);
    return grpc::Status::OK;
  }
  if (const std::string* identity =
          PeerIdentityIn(*context, rule->identities)) {
    context->AddProperty(kCallerProperty,
                         absl::StrCat(kCertificateCallerPrefix, *identity));
    return grpc::Status::OK;
  }

  if (metrics_ != nullptr) metrics_->RecordAuthFailure(path);
  // The method and the peer's identity only: never the token presented.
  std::vector<grpc::string_ref> peer = context->GetPeerIdentity();
  LogWarning("call_unauthenticated",
             {{"method", path},
              {"bearer_presented", has_bearer},
              {"peer_identity",
               peer.empty() ? std::string()
                            : std::string(peer[0].data(), peer[0].size())}});
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      std::string(RefusalMessage(has_bearer)));
}

absl::StatusOr<std::vector<std::string>> MethodsOfService(
    const google::protobuf::FileDescriptor& file,
    absl::string_view service_name) {
  const google::protobuf::ServiceDescriptor* service =
      file.FindServiceByName(std::string(service_name));
  if (service == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(file.name(), " declares no service ", service_name));
  }
  std::vector<std::string> methods;
  for (int i = 0; i < service->method_count(); ++i) {
    methods.push_back(absl::StrCat("/", service->full_name(), "/",
                                   service->method(i)->name()));
  }
  return methods;
}

}  // namespace bulletin
