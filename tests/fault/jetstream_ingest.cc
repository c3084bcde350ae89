#include "tests/fault/jetstream_ingest.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tests/testing/nats_cluster.h"

namespace bulletin::testing {

absl::StatusOr<std::unique_ptr<JetStreamIngest>> JetStreamIngest::Create(
    std::string name, std::string scratch_dir, std::string nats_urls,
    std::string stream) {
  absl::StatusOr<int> port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  return std::unique_ptr<JetStreamIngest>(
      new JetStreamIngest(std::move(name), std::move(scratch_dir),
                          std::move(nats_urls), std::move(stream), *port));
}

JetStreamIngest::JetStreamIngest(std::string name, std::string scratch_dir,
                                 std::string nats_urls, std::string stream,
                                 int port)
    : name_(std::move(name)),
      scratch_dir_(std::move(scratch_dir)),
      nats_urls_(std::move(nats_urls)),
      stream_(std::move(stream)),
      port_(port) {}

absl::Status JetStreamIngest::Start(
    const std::vector<std::string>& extra_flags) {
  process_.reset();
  const std::string port_file =
      absl::StrCat(scratch_dir_, "/", name_, "-", ++starts_, ".port");
  std::vector<std::string> argv = {
      INGEST_SERVICE_BINARY,
      absl::StrCat("--listen=127.0.0.1:", port_),
      "--log=jetstream",
      "--nats_url=" + nats_urls_,
      "--nats_stream=" + stream_,
      "--nats_replicas=3",
      "--nats_connect_timeout=2s",
      absl::StrCat("--data_dir=", scratch_dir_, "/", name_, "-data"),
      "--port_file=" + port_file,
      "--heartbeat_interval=200ms"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(argv, log_path());
  if (!child.ok()) return child.status();
  process_ = *std::move(child);
  absl::StatusOr<int> bound =
      WaitForPortFile(port_file, *process_, absl::Seconds(60));
  if (!bound.ok()) return bound.status();
  return absl::OkStatus();
}

void JetStreamIngest::Kill() {
  if (process_) process_->Kill();
}

std::string JetStreamIngest::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string JetStreamIngest::log_path() const {
  return absl::StrCat(scratch_dir_, "/", name_, ".log");
}

}  // namespace bulletin::testing
