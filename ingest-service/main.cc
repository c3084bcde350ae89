// ingest-service: accepts bulletins over gRPC, parses them, appends them to a
// durable log and streams the log to query replicas. See README.md and
// docs/architecture.md.

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/clock.h"
#include "common/log/json_log.h"
#include "common/server/grpc_server.h"
#include "common/server/termination_signal.h"
#include "ingest-service/commit/group_committer.h"
#include "ingest-service/feed_service_impl.h"
#include "ingest-service/ingest_service_impl.h"
#include "ingest-service/log/leveldb_log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "Address to serve IngestService and Feed on (host:port; port 0 "
          "picks a free one).");
ABSL_FLAG(std::string, data_dir, "bulletin-data/ingest",
          "Directory of the durable log; created if missing.");
ABSL_FLAG(std::string, port_file, "",
          "If set, the bound port is written to this file once serving.");
ABSL_FLAG(int64_t, max_bulletin_bytes, 4 << 20,
          "Largest submission accepted, in bytes.");
ABSL_FLAG(int64_t, max_pending_submits, 4096,
          "Submits waiting to be written beyond this are refused with "
          "RESOURCE_EXHAUSTED.");
ABSL_FLAG(absl::Duration, heartbeat_interval, absl::Seconds(1),
          "Feed heartbeat interval on an idle stream.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "On SIGTERM, how long in-flight calls may take to finish.");

namespace bulletin {
namespace {

int Run() {
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
      LevelDbLog::Open(absl::GetFlag(FLAGS_data_dir));
  if (!log.ok()) {
    LogError("log_open_failed", {{"error", log.status().ToString()}});
    return EXIT_FAILURE;
  }
  GroupCommitter::Options commit_options;
  commit_options.max_pending =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_pending_submits));
  absl::StatusOr<std::unique_ptr<GroupCommitter>> committer =
      GroupCommitter::Start(log->get(), commit_options);
  if (!committer.ok()) {
    LogError("log_recovery_failed", {{"error", committer.status().ToString()}});
    return EXIT_FAILURE;
  }

  IngestServiceImpl::Options ingest_options;
  ingest_options.max_bulletin_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_bulletin_bytes));
  IngestServiceImpl ingest(committer->get(), ingest_options);
  FeedServiceImpl::Options feed_options;
  feed_options.heartbeat_interval = absl::GetFlag(FLAGS_heartbeat_interval);
  FeedServiceImpl feed(log->get(), feed_options);

  ServerOptions server_options;
  server_options.listen_address = absl::GetFlag(FLAGS_listen);
  server_options.port_file = absl::GetFlag(FLAGS_port_file);
  // Room for the largest bulletin plus the request's other fields; anything
  // bigger is refused by gRPC with RESOURCE_EXHAUSTED before parsing.
  server_options.max_receive_message_bytes =
      static_cast<int>(ingest_options.max_bulletin_bytes + (64 << 10));
  absl::StatusOr<StartedServer> server =
      StartGrpcServer(server_options, {&ingest, &feed});
  if (!server.ok()) {
    LogError("listen_failed", {{"error", server.status().ToString()}});
    return EXIT_FAILURE;
  }
  LogInfo("serving", {{"service", "ingest"},
                      {"port", server->port},
                      {"data_dir", absl::GetFlag(FLAGS_data_dir)},
                      {"head_seq", (*log)->head_seq()},
                      {"live_bulletins", (*committer)->live_count()}});

  const int signal_number = WaitForTerminationSignal();
  LogInfo("shutting_down", {{"signal", signal_number}});
  // Feed streams never finish on their own: end them first so that the
  // server's drain waits only for Submits, which the committer completes.
  feed.Shutdown();
  server->server->Shutdown(absl::ToChronoTime(
      absl::Now() + absl::GetFlag(FLAGS_drain_timeout)));
  (*committer)->Stop();
  (*log)->Close();
  LogInfo("stopped", {{"head_seq", (*log)->head_seq()}});
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) {
  bulletin::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "Accepts bulletins over gRPC, parses them into records, appends them to "
      "a durable log and streams the log to query replicas.\n"
      "Usage: ingest-service --listen=127.0.0.1:50051 --data_dir=DIR");
  absl::ParseCommandLine(argc, argv);
  return bulletin::Run();
}
