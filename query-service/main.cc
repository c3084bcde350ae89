// query-service: a query replica. Follows ingest's Feed into an in-memory
// index and answers lookups over gRPC. See README.md and
// docs/architecture.md.

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/json_log.h"
#include "common/server/grpc_server.h"
#include "common/server/termination_signal.h"
#include "grpcpp/health_check_service_interface.h"
#include "query-service/feed_follower.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/query_service_impl.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052",
          "Address to serve QueryService on (host:port; port 0 picks a free "
          "one).");
ABSL_FLAG(std::string, ingest_addr, "127.0.0.1:50051",
          "Address of ingest-service, whose Feed this replica follows.");
ABSL_FLAG(std::string, port_file, "",
          "If set, the bound port is written to this file once serving.");
ABSL_FLAG(std::string, replica_id, "",
          "Name reported to ingest; defaults to host:pid.");
ABSL_FLAG(absl::Duration, feed_silence_timeout, absl::Seconds(5),
          "Reopen the Feed after this long without a record or heartbeat.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long in-flight calls may take to finish.");

namespace bulletin {
namespace {

constexpr char kServiceName[] = "bulletin.v1.QueryService";

std::string DefaultReplicaId() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, ":", getpid());
}

int Run() {
  BulletinIndex index;
  grpc::HealthCheckServiceInterface* health = nullptr;
  FeedFollower::Options follow_options;
  follow_options.ingest_address = absl::GetFlag(FLAGS_ingest_addr);
  follow_options.replica_id = absl::GetFlag(FLAGS_replica_id).empty()
                                  ? DefaultReplicaId()
                                  : absl::GetFlag(FLAGS_replica_id);
  follow_options.silence_timeout = absl::GetFlag(FLAGS_feed_silence_timeout);
  // `health` is set before the follower starts, and the follower's thread
  // is the only one that calls this.
  FeedFollower follower(&index, follow_options, [&health] {
    health->SetServingStatus(true);
  });
  QueryServiceImpl query(&index, &follower);

  ServerOptions server_options;
  server_options.listen_address = absl::GetFlag(FLAGS_listen);
  server_options.port_file = absl::GetFlag(FLAGS_port_file);
  server_options.max_receive_message_bytes = 1 << 20;
  absl::StatusOr<StartedServer> server =
      StartGrpcServer(server_options, {&query});
  if (!server.ok()) {
    LogError("listen_failed", {{"error", server.status().ToString()}});
    return EXIT_FAILURE;
  }
  // Not ready until caught up with the head seen at connect.
  health = server->server->GetHealthCheckService();
  health->SetServingStatus(false);
  health->SetServingStatus(kServiceName, false);
  follower.Start();
  LogInfo("serving", {{"service", "query"},
                      {"port", server->port},
                      {"ingest_addr", follow_options.ingest_address},
                      {"replica_id", follow_options.replica_id}});

  const int signal_number = WaitForTerminationSignal();
  LogInfo("shutting_down", {{"signal", signal_number}});
  health->SetServingStatus(false);
  server->server->Shutdown(absl::ToChronoTime(
      absl::Now() + absl::GetFlag(FLAGS_drain_timeout)));
  follower.Stop();
  LogInfo("stopped", {{"applied_seq", index.applied_seq()}});
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) {
  bulletin::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "A query replica: follows ingest-service's Feed into an in-memory index "
      "and answers Get, Search and Stats over gRPC.\n"
      "Usage: query-service --listen=127.0.0.1:50052 "
      "--ingest_addr=127.0.0.1:50051");
  absl::ParseCommandLine(argc, argv);
  return bulletin::Run();
}
