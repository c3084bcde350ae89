#include "tests/system/service_pair.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "tests/testing/health_check.h"

namespace bulletin::testing {

ServicePair::ServicePair() : data_dir_(scratch_.path() + "/ingest-data") {}

ServicePair::~ServicePair() {
  query_.reset();
  ingest_.reset();
}

std::string ServicePair::ingest_address() const {
  return absl::StrCat("127.0.0.1:", ingest_port_);
}

std::string ServicePair::query_address() const {
  return absl::StrCat("127.0.0.1:", query_port_);
}

absl::Status ServicePair::StartIngest(
    int port, const std::vector<std::string>& extra_flags,
    uint64_t file_size_limit) {
  const std::string port_file =
      absl::StrCat(scratch_.path(), "/ingest-", ++starts_, ".port");
  std::vector<std::string> argv = {
      INGEST_SERVICE_BINARY, absl::StrCat("--listen=127.0.0.1:", port),
      "--data_dir=" + data_dir_, "--port_file=" + port_file,
      "--heartbeat_interval=200ms"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  auto child = ChildProcess::Start(argv, scratch_.path() + "/ingest.log", "",
                                   file_size_limit);
  if (!child.ok()) return child.status();
  ingest_ = *std::move(child);
  absl::StatusOr<int> bound =
      WaitForPortFile(port_file, *ingest_, absl::Seconds(30));
  if (!bound.ok()) return bound.status();
  ingest_port_ = *bound;
  return absl::OkStatus();
}

absl::Status ServicePair::StartQuery(
    const std::vector<std::string>& extra_flags,
    const std::string& ingest_address) {
  const std::string port_file =
      absl::StrCat(scratch_.path(), "/query-", ++starts_, ".port");
  std::vector<std::string> argv = {
      QUERY_SERVICE_BINARY, "--listen=127.0.0.1:0",
      "--ingest_addr=" +
          (ingest_address.empty() ? this->ingest_address() : ingest_address),
      "--port_file=" + port_file, "--feed_silence_timeout=10s"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  auto child = ChildProcess::Start(argv, scratch_.path() + "/query.log");
  if (!child.ok()) return child.status();
  query_ = *std::move(child);
  absl::StatusOr<int> bound =
      WaitForPortFile(port_file, *query_, absl::Seconds(30));
  if (!bound.ok()) return bound.status();
  query_port_ = *bound;
  return absl::OkStatus();
}

std::string ServicePair::HealthOf(const std::string& address,
                                  const std::string& service) {
  return testing::HealthOf(address, service, health_credentials_);
}

absl::Status ServicePair::WaitUntilServing(const std::string& address,
                                           absl::Duration timeout) {
  absl::Status serving =
      testing::WaitUntilServing(address, timeout, health_credentials_);
  if (serving.ok()) return serving;
  return absl::DeadlineExceededError(
      absl::StrCat(serving.message(), "; query log:\n",
                   FileTail(scratch_.path() + "/query.log")));
}

absl::StatusOr<CommandResult> ServicePair::Ctl(
    const std::vector<std::string>& args) {
  // --wait_for_ready: a service that has just written its port file may
  // still be settling its first connection; the deadline (--timeout, 10 s)
  // still bounds every call.
  std::vector<std::string> argv = {
      BULLETINCTL_BINARY, "--ingest_addr=" + ingest_address(),
      "--query_addr=" + query_address(), "--wait_for_ready"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, scratch_.path());
}

std::string ServicePair::WriteFile(const std::string& name,
                                   const std::string& content) {
  const std::string path = scratch_.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(BULLETIN_EXAMPLES_DIR) + "/" + name,
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

grpc::Status CallWithBytes(const std::string& address,
                           const std::string& method,
                           const std::string& bytes) {
  grpc::GenericStub stub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::CompletionQueue queue;
  auto call = stub.PrepareUnaryCall(&context, method, request, &queue);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, nullptr);
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  return status;
}

}  // namespace bulletin::testing
