// search_ceiling_server: the best Search throughput any search engine could
// reach behind query-service's server, on this machine, for the load's mix.
//
//   search_ceiling_server --listen=127.0.0.1:0 --port_file=ceiling.port
//       --replica=127.0.0.1:50052
//
// It serves QueryService.Search and Diagnostics.Echo with the same server
// code, options and interceptors as query-service (StartGrpcServer, a 1 MiB
// request limit, RPC metrics). The first time it sees a request it asks the
// real replica at --replica and keeps the answer; from then on it answers
// that request with a copy of the kept response, doing no search work at
// all. bulletin_load --mode=search runs every query of its mix once before
// it measures, so a measured run is all copies: its ratio to Echo is the
// ceiling of the search / echo target, the cost of carrying ten hits over
// gRPC on two cores shared with the load generator. bench/load/run.sh
// measures it beside the real replica (docs/benchmarks.md, "Load").
//
// Not a cache for production: it never forgets or refreshes an answer.

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/log/json_log.h"
#include "common/metrics/metrics.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/echo_service.h"
#include "common/server/grpc_server.h"
#include "common/server/server_flags.h"
#include "common/server/termination_signal.h"
#include "common/sync/mutex.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "Address to serve on (host:port; port 0 picks a free one).");
ABSL_FLAG(std::string, replica, "127.0.0.1:50052",
          "host:port of the query-service whose answers are replayed.");

namespace bulletin {
namespace {

// Answers each distinct request with the replica's answer to it.
// Thread-safety: Search is called concurrently by gRPC; the map is guarded.
class ReplayingQueryService final : public v1::QueryService::Service {
 public:
  explicit ReplayingQueryService(const std::string& replica)
      : replica_(v1::QueryService::NewStub(grpc::CreateChannel(
            replica, grpc::InsecureChannelCredentials()))) {}

  grpc::Status Search(grpc::ServerContext* /*context*/,
                      const v1::SearchRequest* request,
                      v1::SearchResponse* response) override {
    // Serialization of the same message is the same bytes within a
    // process, which is all a key needs.
    std::string key = request->SerializeAsString();
    {
      ReaderMutexLock lock(&mu_);
      auto it = answers_.find(key);
      if (it != answers_.end()) {
        *response = it->second;
        return grpc::Status::OK;
      }
    }
    grpc::ClientContext context;
    v1::SearchResponse answer;
    grpc::Status status = replica_->Search(&context, *request, &answer);
    if (!status.ok()) return status;
    *response = answer;
    WriterMutexLock lock(&mu_);
    answers_.emplace(std::move(key), std::move(answer));
    return grpc::Status::OK;
  }

 private:
  const std::unique_ptr<v1::QueryService::Stub> replica_;
  SharedMutex mu_;
  absl::flat_hash_map<std::string, v1::SearchResponse> answers_
      ABSL_GUARDED_BY(mu_);
};

int Run() {
  MetricsRegistry registry;
  RpcMetrics rpc_metrics(&registry);
  ReplayingQueryService search(absl::GetFlag(FLAGS_replica));
  EchoService echo;
  ServerOptions options = ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  // As query-service sets them.
  options.max_receive_message_bytes = 1 << 20;
  options.rpc_metrics = &rpc_metrics;
  absl::StatusOr<StartedServer> server =
      StartGrpcServer(options, {&search, &echo});
  if (!server.ok()) {
    LogError("listen_failed", {{"error", server.status().ToString()}});
    return EXIT_FAILURE;
  }
  LogInfo("serving", {{"service", "search_ceiling"}, {"port", server->port}});
  WaitForTerminationSignal();
  server->server->Shutdown();
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) {
  bulletin::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "Replays a query-service's Search answers with no search work, beside "
      "Echo, to measure the ceiling of Search / Echo.\n"
      "Usage: search_ceiling_server --replica=127.0.0.1:50052 "
      "--port_file=FILE");
  absl::ParseCommandLine(argc, argv);
  return bulletin::Run();
}
