// Who made an HTTP request, decided the way the gRPC port decides it
// (common/server/auth.h), so that a method's access rule, the caller in the
// logs and per-caller limits (common/server/admission.h) are the same over
// HTTP as over gRPC:
//
//   const AccessRule* rule = FindAccessRule(rules, "/pkg.Service/Method");
//   bulletin::HttpCaller caller = bulletin::IdentifyHttpCaller(request, rule);
//   if (!caller.admitted) ... 401 with RefusalMessage(caller.bearer_presented)
//   ... caller.name: "bearer:1a2b3c4d", "cert:cms.example", "anonymous"
//
// A request to a method a rule names is admitted when its `Authorization:
// Bearer` token is one of the rule's tokens, or when the client
// certificate the TLS handshake verified names one of the rule's
// identities (a DNS, URI, email or IP subject alternative name, or the
// common name). A request to a method no rule names is admitted, named by
// its verified client certificate if it has one. Names carry no secret:
// a token is named by its fingerprint (TokenFingerprint).
//
// Thread-safety: a pure function of the request and the rule.

#ifndef BULLETIN_COMMON_HTTP_HTTP_CALLER_H_
#define BULLETIN_COMMON_HTTP_HTTP_CALLER_H_

#include <string>
#include <vector>

#include "common/server/auth.h"

namespace httplib {
struct Request;
}  // namespace httplib

namespace bulletin {

struct HttpCaller {
  bool admitted = false;
  // Who called, as CallerOf (common/server/call_interceptor.h) names a gRPC
  // caller; empty when not admitted.
  std::string name;
  // Whether an `Authorization: Bearer` header came at all.
  bool bearer_presented = false;
};

// `rule` is the method's rule, or nullptr when none names it.
HttpCaller IdentifyHttpCaller(const httplib::Request& request,
                              const AccessRule* rule);

// The names in the verified client certificate of `request` (subject
// alternative names in order, then the common name); empty without one.
std::vector<std::string> ClientCertificateNames(
    const httplib::Request& request);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_CALLER_H_
