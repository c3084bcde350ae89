// ingest-service: accepts bulletins over gRPC, parses them, appends them to a
// durable log and streams the log to query replicas. See README.md and
// docs/architecture.md.

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/http/http_flags.h"
#include "common/log/json_log.h"
#include "common/metrics/certificate_metrics.h"
#include "common/metrics/grpc_core_metrics.h"
#include "common/metrics/log_metrics.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_server.h"
#include "common/metrics/process_metrics.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/admission.h"
#include "common/server/auth.h"
#include "common/server/echo_service.h"
#include "common/server/grpc_server.h"
#include "common/server/health_state.h"
#include "common/server/lame_duck.h"
#include "common/server/server_flags.h"
#include "common/server/termination_signal.h"
#include "common/server/tls.h"
#include "ingest-service/commit/group_committer.h"
#include "ingest-service/feed_service_impl.h"
#include "ingest-service/ingest_service_impl.h"
#include "ingest-service/log/jetstream_log.h"
#include "ingest-service/log/leveldb_log.h"
#include "ingest-service/parser/parse_submission.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "Address to serve IngestService and Feed on (host:port; port 0 "
          "picks a free one).");
ABSL_FLAG(std::string, log, "leveldb",
          "Log backend: 'leveldb' (embedded, in --data_dir; one ingest "
          "process) or 'jetstream' (a stream replicated over a NATS cluster, "
          "see --nats_url; any number of ingest replicas).");
ABSL_FLAG(std::vector<std::string>, nats_url, {},
          "With --log=jetstream: NATS servers of the cluster, comma-separated "
          "(nats://a:4222,nats://b:4222,...).");
ABSL_FLAG(std::string, nats_stream, "BULLETINS",
          "With --log=jetstream: the stream holding the log; created when "
          "missing, refused when its configuration disagrees.");
ABSL_FLAG(int32_t, nats_replicas, 3,
          "With --log=jetstream: copies of the stream the cluster keeps.");
ABSL_FLAG(absl::Duration, nats_connect_timeout, absl::Seconds(30),
          "With --log=jetstream: how long to wait at start for the cluster "
          "before serving anyway, NOT_SERVING and refusing writes with "
          "UNAVAILABLE until it is reachable (ingest keeps trying).");
ABSL_FLAG(std::string, nats_credentials_file, "",
          "With --log=jetstream: a NATS credentials file (JWT and seed).");
ABSL_FLAG(std::string, nats_tls_ca_file, "",
          "With --log=jetstream: CA bundle to verify the NATS servers; "
          "enables TLS.");
ABSL_FLAG(std::string, nats_tls_cert_file, "",
          "With --log=jetstream: client certificate for NATS (mTLS).");
ABSL_FLAG(std::string, nats_tls_key_file, "",
          "With --log=jetstream: the client certificate's key.");
ABSL_FLAG(std::string, data_dir, "bulletin-data/ingest",
          "Directory of the durable log; created if missing.");
ABSL_FLAG(absl::Duration, scrub_interval, absl::Minutes(10),
          "LevelDB: at most this long after a retraction or a correction, the "
          "text it removed is gone from the log's files. JetStream: how often "
          "a superseded record that its writer died before erasing is found "
          "and erased (docs/durability.md, \"Takedown\").");
ABSL_FLAG(int64_t, max_bulletin_bytes, 4 << 20,
          "Largest submission accepted, in bytes.");
ABSL_FLAG(int64_t, max_pending_submits, 4096,
          "Submits waiting to be written beyond this are refused with "
          "RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_concurrent_writes, 64,
          "Submit and Parse calls running at once beyond this are refused "
          "with RESOURCE_EXHAUSTED (retry with backoff).");
ABSL_FLAG(int64_t, max_concurrent_writes_per_caller, 32,
          "Submit and Parse calls one caller (a bearer token or client "
          "certificate; everyone unauthenticated counts as one) may run at "
          "once, so no client takes every place; 0: no such limit.");
ABSL_FLAG(int64_t, max_write_bytes_in_flight, 32 << 20,
          "Request bytes Submit and Parse calls may hold at once; a call "
          "that would pass it is refused with RESOURCE_EXHAUSTED. Parsing "
          "takes several times a request's size in memory.");
ABSL_FLAG(absl::Duration, heartbeat_interval, absl::Seconds(1),
          "Feed heartbeat interval on an idle stream.");
ABSL_FLAG(std::string, auth_token_file, "",
          "File holding the bearer tokens Submit, Retract and Parse accept "
          "(authorization: Bearer TOKEN), one per line, re-read when it "
          "changes; empty: none required. Needs TLS.");
ABSL_FLAG(std::string, feed_token_file, "",
          "File holding the bearer tokens Feed accepts from query replicas, "
          "one per line, re-read when it changes. "
          "Needs TLS. With --feed_client_identities, either admits.");
ABSL_FLAG(std::vector<std::string>, feed_client_identities, {},
          "Client-certificate names (DNS/URI SAN or CN) admitted to Feed "
          "without a token; needs --tls_client_ca_file.");

namespace bulletin {
namespace {

// The health condition a failed log write raises.
constexpr char kLogNotWritable[] = "log_not_writable";
// The health condition raised while the log is not ready
// (BulletinLog::Readiness), e.g. its NATS cluster is out of reach.
constexpr char kLogNotReady[] = "log_not_ready";
// How often the main thread looks at the log's readiness.
constexpr absl::Duration kReadinessPollInterval = absl::Milliseconds(200);

// Who may call what: Submit, Retract and Parse (which costs as much as a
// Submit) need the submit token when one is configured; the Feed (Subscribe
// and ReadRecords) needs the feed token or a replica's certificate identity
// when either is configured.
absl::StatusOr<std::vector<AccessRule>> AccessRules() {
  std::vector<AccessRule> rules;
  if (!absl::GetFlag(FLAGS_auth_token_file).empty()) {
    absl::StatusOr<std::shared_ptr<TokenFile>> tokens =
        TokenFile::Open(absl::GetFlag(FLAGS_auth_token_file));
    if (!tokens.ok()) return tokens.status();
    rules.push_back({{"/bulletin.v1.IngestService/Submit",
                      "/bulletin.v1.IngestService/Retract",
                      "/bulletin.v1.IngestService/Parse"},
                     *std::move(tokens),
                     {}});
  }
  // Every Feed method, from the service's descriptor: ReadRecords hands
  // out the same records as Subscribe, and a hand-written list could leave
  // a new method open.
  absl::StatusOr<std::vector<std::string>> feed_methods =
      MethodsOfService(*v1::ReadRecordsRequest::descriptor()->file(), "Feed");
  if (!feed_methods.ok()) return feed_methods.status();
  AccessRule feed{*std::move(feed_methods), nullptr,
                  absl::GetFlag(FLAGS_feed_client_identities)};
  if (!feed.identities.empty() &&
      absl::GetFlag(FLAGS_tls_client_ca_file).empty()) {
    return absl::InvalidArgumentError(
        "--feed_client_identities needs --tls_client_ca_file");
  }
  if (!absl::GetFlag(FLAGS_feed_token_file).empty()) {
    absl::StatusOr<std::shared_ptr<TokenFile>> tokens =
        TokenFile::Open(absl::GetFlag(FLAGS_feed_token_file));
    if (!tokens.ok()) return tokens.status();
    feed.tokens = *std::move(tokens);
  }
  if (feed.tokens != nullptr || !feed.identities.empty()) {
    rules.push_back(std::move(feed));
  }
  return rules;
}

// The log the flags ask for, reporting its synced writes to `metrics`. A
// JetStream log whose cluster is not reachable within
// --nats_connect_timeout is returned anyway, not ready and still trying.
absl::StatusOr<std::unique_ptr<BulletinLog>> OpenLog(LogMetrics* metrics) {
  const std::string backend = absl::GetFlag(FLAGS_log);
  if (backend == "leveldb") {
    LevelDbLog::Options options;
    options.scrub_interval = absl::GetFlag(FLAGS_scrub_interval);
    options.metrics = metrics;
    absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
        LevelDbLog::Open(absl::GetFlag(FLAGS_data_dir), options);
    if (!log.ok()) return log.status();
    return std::unique_ptr<BulletinLog>(*std::move(log));
  }
  if (backend == "jetstream") {
    JetStreamLog::Options options;
    options.servers = absl::GetFlag(FLAGS_nats_url);
    options.stream = absl::GetFlag(FLAGS_nats_stream);
    options.replicas = absl::GetFlag(FLAGS_nats_replicas);
    options.connect_timeout = absl::GetFlag(FLAGS_nats_connect_timeout);
    options.credentials_file = absl::GetFlag(FLAGS_nats_credentials_file);
    options.tls_ca_file = absl::GetFlag(FLAGS_nats_tls_ca_file);
    options.tls_cert_file = absl::GetFlag(FLAGS_nats_tls_cert_file);
    options.tls_key_file = absl::GetFlag(FLAGS_nats_tls_key_file);
    options.scrub_interval = absl::GetFlag(FLAGS_scrub_interval);
    options.metrics = metrics;
    absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
        JetStreamLog::Start(std::move(options));
    if (!log.ok()) return log.status();
    const absl::Status ready = (*log)->WaitUntilReady(
        absl::Now() + absl::GetFlag(FLAGS_nats_connect_timeout));
    // UNAVAILABLE passes (ingest serves NOT_SERVING and the log keeps
    // trying); anything else, such as a stream configured otherwise, never
    // gets better by waiting.
    if (!ready.ok() && ready.code() != absl::StatusCode::kUnavailable) {
      return ready;
    }
    return std::unique_ptr<BulletinLog>(*std::move(log));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--log must be 'leveldb' or 'jetstream', not '", backend, "'"));
}

// Raises kLogNotReady while `log` is not ready and logs each change, until
// a termination signal comes (returned) or the log says it will never be
// ready (0 returned).
int FollowLogReadiness(const BulletinLog& log, HealthState* health) {
  absl::Status last = absl::OkStatus();
  for (;;) {
    const absl::Status readiness = log.Readiness();
    if (readiness != last) {
      health->Set(kLogNotReady, HealthState::kNotReady, !readiness.ok());
      if (readiness.ok()) {
        LogInfo("log_ready", {{"head_seq", log.head_seq()}});
      } else {
        LogError("log_not_ready", {{"error", readiness.ToString()}});
      }
      last = readiness;
    }
    if (!readiness.ok() && readiness.code() != absl::StatusCode::kUnavailable) {
      return 0;
    }
    const int signal_number =
        WaitForTerminationSignalFor(kReadinessPollInterval);
    if (signal_number != 0) return signal_number;
  }
}

int Run() {
  absl::StatusOr<std::vector<AccessRule>> access_rules = AccessRules();
  if (!access_rules.ok()) {
    LogError("bad_flags", {{"error", access_rules.status().ToString()}});
    return EXIT_FAILURE;
  }
  MetricsRegistry registry;
  // The LevelDB log is its directory; a JetStream log's bytes are the NATS
  // servers' to report.
  LogMetrics log_metrics(
      &registry,
      [data_dir = absl::GetFlag(FLAGS_data_dir),
       embedded = absl::GetFlag(FLAGS_log) == "leveldb"]() -> uint64_t {
        return embedded ? DirectoryBytes(data_dir) : 0;
      });
  absl::StatusOr<std::unique_ptr<BulletinLog>> log = OpenLog(&log_metrics);
  if (!log.ok()) {
    LogError("log_open_failed", {{"error", log.status().ToString()}});
    return EXIT_FAILURE;
  }
  // A failed log write stops all writes until a restart: ingest then is
  // neither ready nor live, so that its supervisor restarts it.
  HealthState health({"bulletin.v1.IngestService", "bulletin.v1.Feed"});
  health.Set(kLogNotReady, HealthState::kNotReady, !(*log)->Readiness().ok());
  GroupCommitter::Options commit_options;
  commit_options.max_pending =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_pending_submits));
  commit_options.on_log_failure = [&health](const absl::Status& error) {
    LogError("log_write_failed", {{"error", error.ToString()},
                                  {"action", "restart ingest-service"}});
    health.Raise(kLogNotWritable, HealthState::kNotLive);
  };
  absl::StatusOr<std::unique_ptr<GroupCommitter>> committer =
      GroupCommitter::Start(log->get(), commit_options);
  if (!committer.ok()) {
    LogError("log_recovery_failed", {{"error", committer.status().ToString()}});
    return EXIT_FAILURE;
  }

  RpcMetrics rpc_metrics(&registry);
  Admission write_admission(
      "Submit and Parse",
      {static_cast<size_t>(absl::GetFlag(FLAGS_max_concurrent_writes)),
       static_cast<size_t>(absl::GetFlag(FLAGS_max_write_bytes_in_flight)),
       static_cast<size_t>(
           absl::GetFlag(FLAGS_max_concurrent_writes_per_caller))},
      &registry);
  IngestServiceImpl::Options ingest_options;
  ingest_options.max_bulletin_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_bulletin_bytes));
  ingest_options.admission = &write_admission;
  IngestServiceImpl ingest(committer->get(), ingest_options);
  FeedServiceImpl::Options feed_options;
  feed_options.heartbeat_interval = absl::GetFlag(FLAGS_heartbeat_interval);
  FeedServiceImpl feed(log->get(), feed_options);

  // Gauges read the components at scrape time; all three accessors are
  // thread-safe.
  AddProcessMetrics(&registry, "ingest");
  AddGrpcCoreMetrics(&registry);
  AddCertificateExpiryMetric(&registry,
                             {absl::GetFlag(FLAGS_tls_cert_file),
                              absl::GetFlag(FLAGS_tls_client_ca_file)});
  const BulletinLog* log_view = log->get();
  registry.AddGauge("bulletin_log_head_seq", "Seq of the last log record.", {},
                    [log_view] {
                      return std::vector<GaugeSample>{
                          {{}, static_cast<double>(log_view->head_seq())}};
                    });
  const GroupCommitter* committer_view = committer->get();
  registry.AddGauge(
      "bulletin_live_bulletins", "Live (not retracted) bulletins in the log.",
      {}, [committer_view] {
        return std::vector<GaugeSample>{
            {{}, static_cast<double>(committer_view->live_count())}};
      });
  registry.AddGauge(
      "bulletin_commit_queue_depth",
      "Writes waiting for the committer (refused past "
      "--max_pending_submits).",
      {}, [committer_view] {
        return std::vector<GaugeSample>{
            {{}, static_cast<double>(committer_view->pending_count())}};
      });
  registry.AddGauge("bulletin_log_writable",
                    "1 while the log accepts writes; 0 after a failed write "
                    "(ingest then fails liveness and must be restarted).",
                    {}, [&health] {
                      return std::vector<GaugeSample>{
                          {{}, health.raised(kLogNotWritable) ? 0.0 : 1.0}};
                    });
  registry.AddGauge("bulletin_feed_subscribers",
                    "Query replicas streaming the Feed now.", {}, [&feed] {
                      return std::vector<GaugeSample>{
                          {{}, static_cast<double>(feed.subscriber_count())}};
                    });

  ServerOptions server_options =
      ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  // Room for the largest bulletin plus the request's other fields; anything
  // bigger is refused by gRPC with RESOURCE_EXHAUSTED before parsing.
  server_options.max_receive_message_bytes =
      static_cast<int>(ingest_options.max_bulletin_bytes + (64 << 10));
  server_options.access_rules = *std::move(access_rules);
  server_options.rpc_metrics = &rpc_metrics;
  // Diagnostics.Echo, the RPC floor that bench/load measures against.
  EchoService echo;
  std::vector<grpc::Service*> services = {&ingest, &feed};
  if (absl::GetFlag(FLAGS_enable_echo)) services.push_back(&echo);
  absl::StatusOr<StartedServer> server =
      StartGrpcServer(server_options, services);
  if (!server.ok()) {
    LogError("listen_failed", {{"error", server.status().ToString()}});
    return EXIT_FAILURE;
  }
  health.Attach(server->server->GetHealthCheckService());
  std::unique_ptr<MetricsServer> metrics;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    absl::StatusOr<std::unique_ptr<MetricsServer>> started =
        MetricsServer::Start(absl::GetFlag(FLAGS_metrics_listen), &registry,
                             &health);
    if (!started.ok()) {
      LogError("metrics_listen_failed",
               {{"error", started.status().ToString()}});
      feed.Shutdown();
      server->server->Shutdown();
      return EXIT_FAILURE;
    }
    metrics = *std::move(started);
  }
  absl::StatusOr<std::unique_ptr<HttpGateway>> http = StartHttpGatewayFromFlags(
      server_options, {"bulletin.v1.IngestService"}, server->server.get());
  if (!http.ok()) {
    LogError("http_listen_failed", {{"error", http.status().ToString()}});
    feed.Shutdown();
    server->server->Shutdown();
    return EXIT_FAILURE;
  }
  LogInfo("serving", {{"service", "ingest"},
                      {"port", server->port},
                      {"metrics_port", metrics ? metrics->port() : 0},
                      {"http_port", *http ? (*http)->port() : 0},
                      {"tls", server_options.tls.enabled()},
                      {"mtls", !server_options.tls.client_ca_file.empty()},
                      {"data_dir", absl::GetFlag(FLAGS_data_dir)},
                      {"head_seq", (*log)->head_seq()},
                      {"live_bulletins", (*committer)->live_count()}});

  const int signal_number = FollowLogReadiness(**log, &health);
  LogInfo("shutting_down", {{"signal", signal_number}});
  LameDuck(&health, absl::GetFlag(FLAGS_lame_duck_period));
  // Feed streams never finish on their own: end them first so that the
  // server's drain waits only for Submits, which the committer completes.
  feed.Shutdown();
  // HTTP calls go through the gRPC server: end them before it stops.
  if (*http) (*http)->Stop();
  server->server->Shutdown(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_drain_timeout)));
  // Scrapes read the committer and the log: stop them before those stop.
  if (metrics) metrics->Stop();
  (*committer)->Stop();
  (*log)->Close();
  LogInfo("stopped", {{"head_seq", (*log)->head_seq()}});
  // Signal 0: the log will never be ready (a misconfigured stream).
  return signal_number != 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) {
  bulletin::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "Accepts bulletins over gRPC, parses them into records, appends them to "
      "a durable log and streams the log to query replicas.\n"
      "Usage: ingest-service --listen=127.0.0.1:50051 --data_dir=DIR\n"
      "       ingest-service --listen=... --log=jetstream "
      "--nats_url=nats://a:4222,nats://b:4222,nats://c:4222");
  absl::ParseCommandLine(argc, argv);
  // Bad parser data (data/) stops ingest here, naming the file and line.
  if (absl::Status data = bulletin::LoadParserData(); !data.ok()) {
    bulletin::LogError("parser_data_failed", {{"error", data.ToString()}});
    return EXIT_FAILURE;
  }
  return bulletin::Run();
}
