// The services a write benchmark runs against, as real processes on
// loopback: a log backend (LevelDB in a temporary directory, or a 3-node
// nats-server cluster with JetStream and its own temporary stores), the
// ingest-service replicas that write to it, and optionally a query replica
// following them, as in production. Everything dies with this object (and
// with the benchmark, see ChildProcess).
//
//   bulletin::bench::WriteStack::Options options;
//   options.backend = bulletin::bench::WriteStack::Backend::kJetStream;
//   options.ingest_replicas = 2;
//   absl::StatusOr<std::unique_ptr<bulletin::bench::WriteStack>> stack =
//       bulletin::bench::WriteStack::Start(options);
//   (*stack)->ingest_addresses();   // where to submit
//   (*stack)->cluster()->Kill(0);   // JetStream: the NATS servers
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_BENCH_LOG_WRITE_STACK_H_
#define BULLETIN_BENCH_LOG_WRITE_STACK_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/testing/child_process.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace bulletin::bench {

class WriteStack {
 public:
  enum class Backend { kLevelDb, kJetStream };

  struct Options {
    Backend backend = Backend::kLevelDb;
    // Ingest replicas on the one log; more than one needs JetStream.
    int ingest_replicas = 1;
    // A query replica following the ingest replicas (--ingest_addr lists
    // them all), as production runs.
    bool follower = true;
    std::string ingest_binary;
    std::string query_binary;
    // Ingest serves Diagnostics.Echo (--enable_echo), the floor of a call;
    // off for binaries older than the flag.
    bool enable_echo = true;
    // The JetStream stream (--nats_stream) and its copies (--nats_replicas).
    std::string stream = "BULLETINS";
    int stream_replicas = 3;
  };

  // Starts everything and returns once each ingest replica reports SERVING
  // on gRPC health (the follower need not have caught up with anything).
  static absl::StatusOr<std::unique_ptr<WriteStack>> Start(Options options);

  const Options& options() const { return options_; }
  // host:port of each ingest replica.
  const std::vector<std::string>& ingest_addresses() const {
    return ingest_addresses_;
  }
  pid_t ingest_pid(int i) const { return ingest_[i]->pid(); }
  // host:port of the follower; empty without one.
  const std::string& query_address() const { return query_address_; }
  // The NATS cluster; nullptr on LevelDB.
  testing::NatsCluster* cluster() { return cluster_.get(); }
  // Process ids of the NATS servers as last started; empty on LevelDB.
  std::vector<pid_t> nats_pids() const;
  // The name of the backend, as the benchmark's lines print it.
  absl::string_view backend_name() const;

 private:
  explicit WriteStack(Options options) : options_(std::move(options)) {}
  absl::Status StartIngest(int i);
  absl::Status StartFollower();

  const Options options_;
  testing::TempDir dir_;
  std::unique_ptr<testing::NatsCluster> cluster_;
  std::vector<std::unique_ptr<testing::ChildProcess>> ingest_;
  std::vector<std::string> ingest_addresses_;
  std::unique_ptr<testing::ChildProcess> query_;
  std::string query_address_;
};

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_LOG_WRITE_STACK_H_
