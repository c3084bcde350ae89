// An ingest-service replica on a JetStream log, for fault tests: a fixed
// loopback port chosen once, so that a restarted replica comes back where its
// clients look for it; its output kept for failure messages; killed with the
// test (see ChildProcess).
//
//   auto ingest = bulletin::testing::JetStreamIngest::Create(
//       "ingest-a", scratch_dir, cluster->url_list(), "BULLETINS");
//   ASSERT_TRUE((*ingest)->Start().ok());   // waits until it listens
//   (*ingest)->Kill();
//   ASSERT_TRUE((*ingest)->Start().ok());   // same port, same stream
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_TESTS_FAULT_JETSTREAM_INGEST_H_
#define BULLETIN_TESTS_FAULT_JETSTREAM_INGEST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/testing/child_process.h"

namespace bulletin::testing {

class JetStreamIngest {
 public:
  // `name` names its files under `scratch_dir`; `nats_urls` is what
  // --nats_url takes.
  static absl::StatusOr<std::unique_ptr<JetStreamIngest>> Create(
      std::string name, std::string scratch_dir, std::string nats_urls,
      std::string stream);

  // Starts ingest-service (killing a running one first) with `extra_flags`
  // after the usual ones, and waits until it listens: which it does even
  // while NATS is out of reach, after --nats_connect_timeout (here 2 s).
  absl::Status Start(const std::vector<std::string>& extra_flags = {});
  void Kill();

  // 127.0.0.1:PORT.
  std::string address() const;
  int port() const { return port_; }
  // The running (or last) process; null before Start.
  ChildProcess* process() { return process_.get(); }
  std::string log_path() const;

 private:
  JetStreamIngest(std::string name, std::string scratch_dir,
                  std::string nats_urls, std::string stream, int port);

  const std::string name_;
  const std::string scratch_dir_;
  const std::string nats_urls_;
  const std::string stream_;
  const int port_;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_FAULT_JETSTREAM_INGEST_H_
