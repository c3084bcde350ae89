#include "bench/log/write_stack.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "tests/testing/health_check.h"

namespace bulletin::bench {
namespace {

// Starting a service waits this long for its port file and its health;
// generous, for sanitizer builds on a busy machine.
constexpr absl::Duration kStartTimeout = absl::Seconds(60);

}  // namespace

absl::StatusOr<std::unique_ptr<WriteStack>> WriteStack::Start(Options options) {
  if (options.ingest_replicas < 1 ||
      (options.ingest_replicas > 1 && options.backend != Backend::kJetStream)) {
    return absl::InvalidArgumentError(
        "a write stack has one ingest replica on LevelDB, one or more on "
        "JetStream");
  }
  std::unique_ptr<WriteStack> stack(new WriteStack(std::move(options)));
  if (stack->options_.backend == Backend::kJetStream) {
    absl::StatusOr<std::unique_ptr<testing::NatsCluster>> cluster =
        testing::NatsCluster::Start(3);
    if (!cluster.ok()) return cluster.status();
    stack->cluster_ = *std::move(cluster);
  }
  for (int i = 0; i < stack->options_.ingest_replicas; ++i) {
    if (absl::Status started = stack->StartIngest(i); !started.ok()) {
      return started;
    }
  }
  if (stack->options_.follower) {
    if (absl::Status started = stack->StartFollower(); !started.ok()) {
      return started;
    }
  }
  return stack;
}

absl::Status WriteStack::StartIngest(int i) {
  const std::string name = absl::StrCat(dir_.path(), "/ingest", i);
  std::vector<std::string> argv = {options_.ingest_binary,
                                   "--listen=127.0.0.1:0",
                                   "--port_file=" + name + ".port"};
  if (options_.enable_echo) argv.push_back("--enable_echo");
  if (options_.backend == Backend::kJetStream) {
    argv.push_back("--log=jetstream");
    argv.push_back("--nats_url=" + cluster_->url_list());
    argv.push_back("--nats_stream=" + options_.stream);
    argv.push_back(absl::StrCat("--nats_replicas=", options_.stream_replicas));
  } else {
    argv.push_back("--data_dir=" + name + "-data");
  }
  absl::StatusOr<std::unique_ptr<testing::ChildProcess>> child =
      testing::ChildProcess::Start(argv, name + ".log");
  if (!child.ok()) return child.status();
  absl::StatusOr<int> port =
      testing::WaitForPortFile(name + ".port", **child, kStartTimeout);
  if (!port.ok()) return port.status();
  const std::string address = absl::StrCat("127.0.0.1:", *port);
  if (absl::Status serving = testing::WaitUntilServing(address, kStartTimeout);
      !serving.ok()) {
    return absl::UnavailableError(
        absl::StrCat(serving.message(), "; ingest log:\n",
                     testing::FileTail(name + ".log")));
  }
  ingest_.push_back(*std::move(child));
  ingest_addresses_.push_back(address);
  return absl::OkStatus();
}

absl::Status WriteStack::StartFollower() {
  const std::string name = absl::StrCat(dir_.path(), "/query");
  absl::StatusOr<std::unique_ptr<testing::ChildProcess>> child =
      testing::ChildProcess::Start(
          {options_.query_binary, "--listen=127.0.0.1:0",
           "--port_file=" + name + ".port",
           "--ingest_addr=" + absl::StrJoin(ingest_addresses_, ",")},
          name + ".log");
  if (!child.ok()) return child.status();
  absl::StatusOr<int> port =
      testing::WaitForPortFile(name + ".port", **child, kStartTimeout);
  if (!port.ok()) return port.status();
  query_ = *std::move(child);
  query_address_ = absl::StrCat("127.0.0.1:", *port);
  return absl::OkStatus();
}

std::vector<pid_t> WriteStack::nats_pids() const {
  std::vector<pid_t> pids;
  if (cluster_ == nullptr) return pids;
  for (int i = 0; i < cluster_->size(); ++i) pids.push_back(cluster_->pid(i));
  return pids;
}

absl::string_view WriteStack::backend_name() const {
  return options_.backend == Backend::kJetStream ? "jetstream" : "leveldb";
}

}  // namespace bulletin::bench
