#include "tests/security/test_certs.h"

#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/testing/child_process.h"

namespace bulletin::testing {
namespace {

absl::Status Openssl(const std::vector<std::string>& args,
                     const std::string& dir) {
  std::vector<std::string> argv = {"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<CommandResult> result = RunCommand(argv, dir);
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("openssl ", args[0], " failed: ", result->err));
  }
  return absl::OkStatus();
}

absl::Status MakeCa(const std::string& dir, const std::string& name) {
  return Openssl(
      {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-days", "2", "-subj", "/CN=" + name, "-keyout",
       dir + "/" + name + ".key", "-out", dir + "/" + name + ".crt"},
      dir);
}

// A certificate for `name` with subjectAltName `san`, signed by `ca`.
absl::StatusOr<CertPair> MakeLeaf(const std::string& dir, const std::string& ca,
                                  const std::string& name,
                                  const std::string& san) {
  const std::string base = dir + "/" + name;
  std::ofstream(base + ".ext") << "subjectAltName=" << san << "\n";
  absl::Status status = Openssl(
      {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-subj", "/CN=" + name, "-keyout", base + ".key", "-out", base + ".csr"},
      dir);
  if (!status.ok()) return status;
  status = Openssl(
      {"x509", "-req", "-in", base + ".csr", "-CA", dir + "/" + ca + ".crt",
       "-CAkey", dir + "/" + ca + ".key", "-CAcreateserial", "-days", "2",
       "-extfile", base + ".ext", "-out", base + ".crt"},
      dir);
  if (!status.ok()) return status;
  return CertPair{base + ".crt", base + ".key"};
}

}  // namespace

absl::StatusOr<TestCerts> MakeTestCerts(const std::string& dir) {
  TestCerts certs;
  absl::Status status = MakeCa(dir, "ca");
  if (!status.ok()) return status;
  status = MakeCa(dir, "rogue-ca");
  if (!status.ok()) return status;
  certs.ca = dir + "/ca.crt";
  absl::StatusOr<CertPair> pair =
      MakeLeaf(dir, "ca", "server", "DNS:localhost,IP:127.0.0.1");
  if (!pair.ok()) return pair.status();
  certs.server = *pair;
  pair = MakeLeaf(dir, "ca", "replica", absl::StrCat("DNS:", kReplicaIdentity));
  if (!pair.ok()) return pair.status();
  certs.replica = *pair;
  pair = MakeLeaf(dir, "ca", "other", "DNS:other.bulletin.test");
  if (!pair.ok()) return pair.status();
  certs.other_client = *pair;
  pair = MakeLeaf(dir, "rogue-ca", "untrusted", "DNS:query.bulletin.test");
  if (!pair.ok()) return pair.status();
  certs.untrusted = *pair;
  return certs;
}

}  // namespace bulletin::testing
