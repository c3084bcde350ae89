// Certificates a security test makes for itself with the openssl CLI: a CA,
// a server certificate for 127.0.0.1 and localhost, client certificates
// named by DNS subject alternative names, and a certificate from a second,
// untrusted CA.
//
//   absl::StatusOr<bulletin::testing::TestCerts> certs =
//       bulletin::testing::MakeTestCerts(scratch_dir);
//   // certs->ca, certs->server.cert, certs->server.key, certs->replica...
//
// Thread-safety: one thread; the files belong to the caller's directory.

#ifndef BULLETIN_TESTS_SECURITY_TEST_CERTS_H_
#define BULLETIN_TESTS_SECURITY_TEST_CERTS_H_

#include <string>

#include "absl/status/statusor.h"

namespace bulletin::testing {

struct CertPair {
  std::string cert;  // PEM file path.
  std::string key;   // PEM file path.
};

struct TestCerts {
  std::string ca;         // The trusted CA's certificate.
  CertPair server;        // SAN: DNS:localhost, IP:127.0.0.1.
  CertPair replica;       // SAN: DNS:query.bulletin.test.
  CertPair other_client;  // SAN: DNS:other.bulletin.test.
  CertPair untrusted;     // Signed by a CA nobody trusts.
};

// The DNS name in `replica`'s certificate.
inline constexpr char kReplicaIdentity[] = "query.bulletin.test";

absl::StatusOr<TestCerts> MakeTestCerts(const std::string& dir);

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_SECURITY_TEST_CERTS_H_
