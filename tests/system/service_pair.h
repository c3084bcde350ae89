// Runs the real ingest-service and query-service binaries for a system test:
// ephemeral loopback ports, a temporary data directory, logs kept for failure
// messages, and every process killed when the test ends.
//
//   bulletin::testing::ServicePair pair;
//   ASSERT_TRUE(pair.StartIngest().ok());
//   ASSERT_TRUE(pair.StartQuery().ok());
//   ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
//   auto result = pair.Ctl({"submit", path});
//
// Thread-safety: one test thread.

#ifndef BULLETIN_TESTS_SYSTEM_SERVICE_PAIR_H_
#define BULLETIN_TESTS_SYSTEM_SERVICE_PAIR_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace bulletin::testing {

class ServicePair {
 public:
  ServicePair();
  ~ServicePair();

  // Starts ingest-service on `port` (0: a free one) over this pair's data
  // directory, and waits until it listens.
  // A non-zero `file_size_limit` caps the files it writes (see
  // ChildProcess::Start), to simulate a full disk.
  absl::Status StartIngest(int port = 0,
                           const std::vector<std::string>& extra_flags = {},
                           uint64_t file_size_limit = 0);
  // Starts a query replica following this pair's ingest (or `ingest_address`
  // when given, e.g. a proxy); waits until it listens, not until it serves.
  absl::Status StartQuery(const std::vector<std::string>& extra_flags = {},
                          const std::string& ingest_address = "");

  // Waits until the gRPC health service at `address` reports SERVING.
  absl::Status WaitUntilServing(const std::string& address,
                                absl::Duration timeout = absl::Seconds(30));
  // Health status of `address` now (of the server as a whole, or of
  // `service`): "SERVING", "NOT_SERVING", or an error.
  std::string HealthOf(const std::string& address,
                       const std::string& service = "");

  // Credentials HealthOf and WaitUntilServing use (insecure by default), for
  // tests whose services serve TLS.
  void set_health_credentials(
      std::shared_ptr<grpc::ChannelCredentials> credentials) {
    health_credentials_ = std::move(credentials);
  }

  // Runs bulletinctl with --ingest_addr and --query_addr set for this pair,
  // and --wait_for_ready (a test that expects a connection to be refused
  // passes --wait_for_ready=false, which comes later and wins).
  absl::StatusOr<CommandResult> Ctl(const std::vector<std::string>& args);

  ChildProcess* ingest() { return ingest_.get(); }
  ChildProcess* query() { return query_.get(); }
  int ingest_port() const { return ingest_port_; }
  std::string ingest_address() const;
  std::string query_address() const;
  const std::string& data_dir() const { return data_dir_; }
  const std::string& scratch_dir() const { return scratch_.path(); }
  // Writes `content` to a file in the scratch directory; returns its path.
  std::string WriteFile(const std::string& name, const std::string& content);

 private:
  TempDir scratch_;
  std::string data_dir_;
  std::unique_ptr<ChildProcess> ingest_;
  std::unique_ptr<ChildProcess> query_;
  int ingest_port_ = 0;
  int query_port_ = 0;
  int starts_ = 0;
  std::shared_ptr<grpc::ChannelCredentials> health_credentials_ =
      grpc::InsecureChannelCredentials();
};

// The text of a file under examples/.
std::string ReadExample(const std::string& name);

// Sends `bytes` as the request of unary `method` ("/pkg.Service/Method") to
// `address`, whatever they are; the call's status.
grpc::Status CallWithBytes(const std::string& address,
                           const std::string& method, const std::string& bytes);

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_SYSTEM_SERVICE_PAIR_H_
