// Who may call which method: bearer tokens and mTLS identities checked by a
// gRPC AuthMetadataProcessor, before any handler (or interceptor) runs.
//
//   std::vector<bulletin::AccessRule> rules;
//   rules.push_back({{"/bulletin.v1.IngestService/Submit",
//                     "/bulletin.v1.IngestService/Retract"},
//                    *bulletin::TokenFile::Open(submit_token_path), {}});
//   rules.push_back({{"/bulletin.v1.Feed/Subscribe"}, nullptr,
//                    {"query.bulletin.svc"}});
//   bulletin::ServerOptions options;
//   options.access_rules = rules;   // StartGrpcServer installs the processor
//
// A call to a method that no rule names is let through (health,
// reflection; the query RPCs unless query is given tokens): TLS and mTLS
// still apply to it. A call to a
// method a rule names is let through when it carries `authorization: Bearer
// <token>` with one of the rule's tokens (several may be valid at once, and
// they are re-read when their file changes: common/server/token_file.h), or
// when the peer's verified client
// certificate names one of the rule's identities (a DNS or URI subject
// alternative name, or the common name); otherwise it fails with
// UNAUTHENTICATED before reaching the service. The authorization header is
// consumed, so handlers never see the token and cannot log it.
//
// Why an AuthMetadataProcessor rather than an interceptor: gRPC 1.51's
// server interceptors cannot end a call early with a status of their own,
// and the processor is where gRPC hands over the peer's certificate. It runs
// only on TLS ports, which is also the only place a bearer token is safe.
//
// Tokens are compared in constant time (of their SHA-256 digests, so not
// even the length leaks).
//
// An admitted call's AuthContext gets the property kCallerProperty naming
// who was admitted, without the secret: "bearer:" and the first 8 hex digits
// of the token's SHA-256 (enough to tell tokens apart in logs, nothing to
// guess the token from), or "cert:" and the certificate identity that
// matched. common/server/call_interceptor.h's CallerOf reads it.
//
// Thread-safety: Process is called concurrently by gRPC; the rules are
// immutable after construction.

#ifndef BULLETIN_COMMON_SERVER_AUTH_H_
#define BULLETIN_COMMON_SERVER_AUTH_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/server/token_file.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/security/auth_metadata_processor.h"

namespace bulletin {

class RpcMetrics;

inline constexpr char kCallerProperty[] = "bulletin_caller";
// How a caller admitted by its client certificate is named: this prefix and
// the certificate identity (ingest takes the identity as the writing source).
inline constexpr char kCertificateCallerPrefix[] = "cert:";

struct AccessRule {
  // Full method names, "/package.Service/Method".
  std::vector<std::string> methods;
  // The bearer tokens that admit a call; null: no token does.
  std::shared_ptr<TokenFile> tokens;
  // Client-certificate identities that admit a call without a token.
  std::vector<std::string> identities;
};

class AccessProcessor : public grpc::AuthMetadataProcessor {
 public:
  // `metrics` (optional, not owned) counts refusals.
  AccessProcessor(std::vector<AccessRule> rules, RpcMetrics* metrics);

  // The check is a few hashes: run it inline on gRPC's thread.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& auth_metadata,
                       grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  const std::vector<AccessRule> rules_;
  RpcMetrics* const metrics_;
};

// True when `a` and `b` are equal, in time independent of their contents.
bool TokensEqual(absl::string_view a, absl::string_view b);

// "bearer:" and the first 8 hex digits of the SHA-256 of `token`.
std::string TokenFingerprint(absl::string_view token);

// The full names ("/package.Service/Method") of every method of the service
// `service_name` that `file` declares (reach the file through one of its
// messages, v1::GetRequest::descriptor()->file(), which also links it in);
// NOT_FOUND when it declares none of that name. A rule built from it covers
// a method added later too.
absl::StatusOr<std::vector<std::string>> MethodsOfService(
    const google::protobuf::FileDescriptor& file,
    absl::string_view service_name);

// The rule that names `full_method` ("/package.Service/Method"), or nullptr
// when none does and the call is open to anyone. The one lookup both the
// gRPC processor and the HTTP gateway (common/http/) use.
const AccessRule* FindAccessRule(const std::vector<AccessRule>& rules,
                                 absl::string_view full_method);

// The caller ("bearer:" and the token's fingerprint) when an
// `authorization` header value ("Bearer <token>") carries one of the rule's
// tokens; empty when it does not admit the call.
std::string BearerCaller(const AccessRule& rule,
                         absl::string_view authorization);

// The message of the UNAUTHENTICATED status a refused call gets, by whether
// it presented a bearer token at all.
absl::string_view RefusalMessage(bool bearer_presented);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_AUTH_H_
