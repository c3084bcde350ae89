// query-service: a query replica. Follows ingest's Feed into an in-memory
// index and answers lookups over gRPC. See README.md and
// docs/architecture.md.

#include <unistd.h>

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
#include "bulletin/v1/query.grpc.pb.h"
#include "common/http/http_flags.h"
#include "common/log/json_log.h"
#include "common/metrics/certificate_metrics.h"
#include "common/metrics/grpc_core_metrics.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_server.h"
#include "common/metrics/process_metrics.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/auth.h"
#include "common/server/echo_service.h"
#include "common/server/grpc_server.h"
#include "common/server/health_state.h"
#include "common/server/lame_duck.h"
#include "common/server/reloading_client_credentials.h"
#include "common/server/server_flags.h"
#include "common/server/termination_signal.h"
#include "common/server/tls.h"
#include "common/server/token_file.h"
#include "common/text/traditional_simplified.h"
#include "query-service/feed_follower.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/query_service_impl.h"
#include "query-service/replica_freshness.h"
#include "query-service/served_log.h"
#include "query-service/snapshot/snapshot_directory.h"
#include "query-service/snapshot/snapshotter.h"
#include "query-service/source_text_reader.h"
#include "query-service/watch_hub.h"
#include "query-service/web/search_page.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052",
          "Address to serve QueryService on (host:port; port 0 picks a free "
          "one).");
ABSL_FLAG(std::string, ingest_addr, "127.0.0.1:50051",
          "ingest-service to follow: host:port, a comma-separated list of "
          "ingest replicas (numeric host:port), or a gRPC target such as "
          "dns:///ingest-headless:50051. A broken Feed resumes on any.");
ABSL_FLAG(bool, accept_empty_log, false,
          "Rebuild from an empty log even when this replica holds data. Off, "
          "a replica that meets an empty log keeps its data, reports "
          "NOT_SERVING and says so: an emptied log is more often a mistake "
          "than a reset.");
ABSL_FLAG(std::string, replica_id, "",
          "Name reported to ingest; defaults to host:pid.");
ABSL_FLAG(absl::Duration, feed_silence_timeout, absl::Seconds(5),
          "Reopen the Feed after this long without a record or heartbeat.");
ABSL_FLAG(std::string, ingest_tls_ca_file, "",
          "PEM CA bundle ingest's certificate must chain to; when set, the "
          "Feed is followed over TLS.");
ABSL_FLAG(std::string, ingest_tls_cert_file, "",
          "PEM client certificate presented to ingest (mTLS identity).");
ABSL_FLAG(std::string, ingest_tls_key_file, "",
          "PEM private key of --ingest_tls_cert_file.");
ABSL_FLAG(absl::Duration, max_replica_lag, absl::Seconds(30),
          "Not ready (gRPC health NOT_SERVING, /readyz 503) while this "
          "replica is further behind ingest's head than this; 0: never for "
          "lag.");
ABSL_FLAG(std::string, auth_token_file, "",
          "File holding the bearer tokens every QueryService call needs "
          "(authorization: Bearer TOKEN), one per line, re-read when it "
          "changes; empty: reads need none. Needs TLS.");
ABSL_FLAG(int64_t, max_watch_streams, 256,
          "Watch streams served at once; more are refused with "
          "RESOURCE_EXHAUSTED. An open stream holds no thread.");
ABSL_FLAG(int64_t, max_watch_catch_up, 50000,
          "Bulletins changed after its after_seq that one resuming Watch "
          "catches up on (about 24 bytes each while it does); further behind "
          "is refused with FAILED_PRECONDITION (RESYNC_REQUIRED).");
ABSL_FLAG(absl::Duration, watch_bookmark_interval, absl::Seconds(10),
          "At most this often a Watch stream that asked for bookmarks gets "
          "one, when changes were applied and none matched.");
ABSL_FLAG(std::string, snapshot_dir, "",
          "Directory for this replica's snapshots of its index "
          "(docs/index-format.md): it starts from the newest valid one and "
          "replays only the records after it. Empty: no snapshots; every "
          "start replays the whole log.");
ABSL_FLAG(absl::Duration, snapshot_interval, absl::Minutes(10),
          "With --snapshot_dir: write a snapshot this often when the replica "
          "applied records since the last one, and once more at shutdown.");
ABSL_FLAG(int64_t, total_hits_threshold,
          bulletin::BulletinIndex::kDefaultTotalHitsThreshold,
          "Matches a Search counts exactly before it may stop counting those "
          "that cannot make its page (total_hits is then a lower bound) "
          "unless it asks for exact_total_hits; docs/scaling.md.");
ABSL_FLAG(int64_t, hit_text_cache_mb,
          bulletin::BulletinIndex::kDefaultHitTextCacheBytes >> 20,
          "MiB of decoded text kept for the bulletins search pages show "
          "most, so that showing one again does not decode it; 0 keeps "
          "none. docs/scaling.md.");
ABSL_FLAG(std::string, feed_token_file, "",
          "File holding the bearer token ingest requires for Feed. Needs "
          "--ingest_tls_ca_file.");
ABSL_FLAG(bool, stall_searches_for_testing, false,
          "Tests only: every Search with a deadline waits out its time "
          "before it runs, as one over a huge index would, and so stops "
          "with DEADLINE_EXCEEDED.");

namespace bulletin {
namespace {

constexpr char kServiceName[] = "bulletin.v1.QueryService";

std::string DefaultReplicaId() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, ":", getpid());
}

// Every gauge here reads a component at scrape time through its
// thread-safe accessors.
void AddReplicaMetrics(MetricsRegistry* registry, const BulletinIndex* index,
                       const FeedFollower* follower) {
  registry->AddGauge("bulletin_applied_seq",
                     "Seq of the last record this replica applied.", {},
                     [index] {
                       return std::vector<GaugeSample>{
                           {{}, static_cast<double>(index->applied_seq())}};
                     });
  registry->AddGauge("bulletin_feed_head_seq",
                     "Head seq ingest last reported on the Feed.", {},
                     [follower] {
                       return std::vector<GaugeSample>{
                           {{}, static_cast<double>(follower->head_seq())}};
                     });
  registry->AddGauge(
      "bulletin_replica_lag_records",
      "Records the replica is behind the head ingest last reported.", {},
      [index, follower] {
        const uint64_t head = follower->head_seq();
        const uint64_t applied = index->applied_seq();
        return std::vector<GaugeSample>{
            {{}, head > applied ? static_cast<double>(head - applied) : 0.0}};
      });
  registry->AddGauge("bulletin_replica_caught_up",
                     "1 once the replica has caught up (it then serves).", {},
                     [follower] {
                       return std::vector<GaugeSample>{
                           {{}, follower->caught_up() ? 1.0 : 0.0}};
                     });
  registry->AddCounterFunction(
      "bulletin_feed_records_applied_total",
      "Records applied from the Feed since start (after a restart from a "
      "snapshot, only those after its seq).",
      {}, [follower] {
        return std::vector<GaugeSample>{
            {{}, static_cast<double>(follower->records_applied())}};
      });
  registry->AddGauge("bulletin_feed_connections",
                     "Feed streams opened since start (reconnects + 1).", {},
                     [follower] {
                       return std::vector<GaugeSample>{
                           {{}, static_cast<double>(follower->connections())}};
                     });
  registry->AddGauge(
      "bulletin_index_bulletins", "Live bulletins indexed.", {}, [index] {
        return std::vector<GaugeSample>{
            {{}, static_cast<double>(index->Stats().bulletin_count())}};
      });
  registry->AddGauge(
      "bulletin_index_items", "Items across live bulletins.", {}, [index] {
        return std::vector<GaugeSample>{
            {{}, static_cast<double>(index->Stats().item_count())}};
      });
  registry->AddGauge(
      "bulletin_index_bytes",
      "Memory the index holds: part=index (postings and metadata), text "
      "(normalized text), stored (records).",
      {"part"}, [index] {
        const v1::StatsResponse stats = index->Stats();
        return std::vector<GaugeSample>{
            {{"index"}, static_cast<double>(stats.index_bytes())},
            {{"text"}, static_cast<double>(stats.text_bytes())},
            {{"stored"}, static_cast<double>(stats.stored_bytes())}};
      });
}

int Run() {
  ClientSecurity ingest_security;
  ingest_security.ca_file = absl::GetFlag(FLAGS_ingest_tls_ca_file);
  ingest_security.cert_file = absl::GetFlag(FLAGS_ingest_tls_cert_file);
  ingest_security.key_file = absl::GetFlag(FLAGS_ingest_tls_key_file);
  ingest_security.token_file = absl::GetFlag(FLAGS_feed_token_file);
  absl::StatusOr<std::shared_ptr<ReloadingClientCredentials>> feed_credentials =
      ReloadingClientCredentials::Open(ingest_security);
  if (!feed_credentials.ok()) {
    LogError("bad_flags", {{"error", feed_credentials.status().ToString()}});
    return EXIT_FAILURE;
  }

  MetricsRegistry registry;
  RpcMetrics rpc_metrics(&registry);
  AddProcessMetrics(&registry, "query");
  AddGrpcCoreMetrics(&registry);
  AddCertificateExpiryMetric(
      &registry, {absl::GetFlag(FLAGS_tls_cert_file),
                  absl::GetFlag(FLAGS_tls_client_ca_file),
                  ingest_security.cert_file, ingest_security.ca_file});
  Counter* warnings = registry.AddCounter(
      "bulletin_parse_warnings_total",
      "Parser warnings in the records this replica applied, by kind (a "
      "replay after a restart counts them again).",
      {"kind"});
  auto count_warnings = [warnings](const v1::LogRecord& record) {
    if (!record.has_upsert()) return;
    for (const v1::Warning& warning : record.upsert().warnings()) {
      warnings->Increment({warning.kind()});
    }
  };

  BulletinIndex index;
  if (absl::GetFlag(FLAGS_total_hits_threshold) < 0) {
    LogError("bad_flags",
             {{"error", "--total_hits_threshold must be 0 or more"}});
    return EXIT_FAILURE;
  }
  index.SetTotalHitsThreshold(absl::GetFlag(FLAGS_total_hits_threshold));
  if (absl::GetFlag(FLAGS_hit_text_cache_mb) < 0) {
    LogError("bad_flags", {{"error", "--hit_text_cache_mb must be 0 or more"}});
    return EXIT_FAILURE;
  }
  index.SetHitTextCacheBytes(absl::GetFlag(FLAGS_hit_text_cache_mb) << 20);
  index.SetFreezeObserver([](const BulletinIndex::FreezeReport& report) {
    LogInfo("index_frozen",
            {{"documents", report.documents},
             {"dropped", report.dropped},
             {"building_ms", absl::ToDoubleMilliseconds(report.building)},
             {"installing_ms", absl::ToDoubleMilliseconds(report.installing)}});
  });
  // Not ready until caught up with the head seen at connect.
  HealthState health({kServiceName});
  health.Raise("catching_up", HealthState::kNotReady);
  FeedFollower::Options follow_options;
  follow_options.ingest_address = absl::GetFlag(FLAGS_ingest_addr);
  follow_options.replica_id = absl::GetFlag(FLAGS_replica_id).empty()
                                  ? DefaultReplicaId()
                                  : absl::GetFlag(FLAGS_replica_id);
  follow_options.silence_timeout = absl::GetFlag(FLAGS_feed_silence_timeout);
  follow_options.credentials = *feed_credentials;
  follow_options.accept_empty_log = absl::GetFlag(FLAGS_accept_empty_log);
  // A replica whose index is not in the log it follows stops serving until
  // it has rebuilt (on_caught_up clears this again).
  follow_options.on_lost_log = [&health](const std::string& reason) {
    LogWarning("log_lost", {{"reason", reason}});
    health.Raise("catching_up", HealthState::kNotReady);
  };
  WatchHub::Options hub_options;
  hub_options.bookmark_interval = absl::GetFlag(FLAGS_watch_bookmark_interval);
  WatchHub watch_hub(hub_options);
  // Which log the served index follows: Watch positions are checked
  // against it, and open Watch streams end when it is replaced.
  ServedLog served_log;
  follow_options.served_log = &served_log;
  follow_options.on_log_replaced = [&watch_hub, &served_log] {
    watch_hub.EndAll(served_log.ReplacedStatus());
  };
  FeedFollower follower(
      &index, follow_options, [&health] { health.Clear("catching_up"); },
      [&watch_hub, &count_warnings](
          const v1::LogRecord& record,
          std::shared_ptr<const StoredRecord> replaced) {
        count_warnings(record);
        watch_hub.Publish(record, replaced);
      });
  QueryServiceImpl::WatchLimits watch_limits;
  watch_limits.max_streams =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_watch_streams));
  watch_limits.max_catch_up =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_watch_catch_up));
  QueryServiceImpl query(&index, &follower, &served_log, &watch_hub,
                         watch_limits);
  // The index keeps no source text: reads that ask for it get it from the
  // log, through the ingest replicas the Feed comes from.
  SourceTextReader source_texts(
      {.ingest_address = follow_options.ingest_address,
       .credentials = follow_options.credentials});
  query.SetSourceTextReader(&source_texts);
  if (absl::GetFlag(FLAGS_stall_searches_for_testing)) {
    query.StallSearchesForTesting();
  }

  ServerOptions server_options =
      ServerOptionsFromFlags(absl::GetFlag(FLAGS_listen));
  server_options.max_receive_message_bytes = 1 << 20;
  server_options.rpc_metrics = &rpc_metrics;
  if (!absl::GetFlag(FLAGS_auth_token_file).empty()) {
    absl::StatusOr<std::shared_ptr<TokenFile>> tokens =
        TokenFile::Open(absl::GetFlag(FLAGS_auth_token_file));
    if (!tokens.ok()) {
      LogError("bad_flags", {{"error", tokens.status().ToString()}});
      return EXIT_FAILURE;
    }
    // Every read, from the service's descriptor: a hand-written list once
    // left BatchGet open.
    absl::StatusOr<std::vector<std::string>> reads =
        MethodsOfService(*v1::GetRequest::descriptor()->file(), "QueryService");
    if (!reads.ok()) {
      LogError("bad_flags", {{"error", reads.status().ToString()}});
      return EXIT_FAILURE;
    }
    server_options.access_rules.push_back(
        {*std::move(reads), *std::move(tokens), {}});
  }
  // Diagnostics.Echo, the RPC floor that bench/load measures against.
  EchoService echo;
  std::vector<grpc::Service*> services = {&query};
  if (absl::GetFlag(FLAGS_enable_echo)) services.push_back(&echo);
  absl::StatusOr<StartedServer> server =
      StartGrpcServer(server_options, services);
  if (!server.ok()) {
    LogError("listen_failed", {{"error", server.status().ToString()}});
    return EXIT_FAILURE;
  }
  AddReplicaMetrics(&registry, &index, &follower);
  std::unique_ptr<MetricsServer> metrics;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    absl::StatusOr<std::unique_ptr<MetricsServer>> started =
        MetricsServer::Start(absl::GetFlag(FLAGS_metrics_listen), &registry,
                             &health);
    if (!started.ok()) {
      LogError("metrics_listen_failed",
               {{"error", started.status().ToString()}});
      server->server->Shutdown();
      return EXIT_FAILURE;
    }
    metrics = *std::move(started);
  }
  absl::StatusOr<std::unique_ptr<HttpGateway>> http = StartHttpGatewayFromFlags(
      server_options, {kServiceName}, server->server.get(), AddSearchPage,
      // The reads are called straight on `query`: the in-process channel's
      // thread hand-offs cost more than a search (docs/api.md).
      {{"/bulletin.v1.QueryService/Get",
        DirectUnary(&query, &QueryServiceImpl::Get)},
       {"/bulletin.v1.QueryService/Search",
        DirectUnary(&query, &QueryServiceImpl::Search)},
       {"/bulletin.v1.QueryService/Stats",
        DirectUnary(&query, &QueryServiceImpl::Stats)}});
  if (!http.ok()) {
    LogError("http_listen_failed", {{"error", http.status().ToString()}});
    server->server->Shutdown();
    return EXIT_FAILURE;
  }
  health.Attach(server->server->GetHealthCheckService());
  // Before the Feed: a snapshot spares the replay of the records it holds.
  std::unique_ptr<SnapshotDirectory> snapshots;
  std::unique_ptr<Snapshotter> snapshotter;
  if (!absl::GetFlag(FLAGS_snapshot_dir).empty()) {
    snapshots =
        std::make_unique<SnapshotDirectory>(absl::GetFlag(FLAGS_snapshot_dir));
    absl::Status opened = snapshots->Open();
    if (!opened.ok()) {
      LogError("bad_flags", {{"error", opened.ToString()}});
      if (*http) (*http)->Stop();
      server->server->Shutdown();
      return EXIT_FAILURE;
    }
    const absl::Time started = absl::Now();
    absl::StatusOr<WrittenSnapshot> loaded = snapshots->LoadNewest(&index);
    if (loaded.ok()) {
      LogInfo("snapshot_loaded",
              {{"file", loaded->path},
               {"applied_seq", loaded->summary.applied_seq},
               {"log_id", loaded->summary.log_identity.log_id},
               {"bulletins", loaded->summary.bulletins},
               {"bytes", loaded->summary.bytes},
               {"ms", absl::ToDoubleMilliseconds(absl::Now() - started)}});
    } else {
      LogInfo("snapshot_none", {{"reason", loaded.status().ToString()}});
    }
    snapshotter = std::make_unique<Snapshotter>(
        &index, snapshots.get(), absl::GetFlag(FLAGS_snapshot_interval));
    snapshotter->Start();
    Snapshotter* written = snapshotter.get();
    registry.AddGauge("bulletin_snapshot_applied_seq",
                      "Applied seq of the newest snapshot this replica wrote "
                      "or started from (0: none).",
                      {}, [written] {
                        return std::vector<GaugeSample>{
                            {{}, static_cast<double>(written->last_seq())}};
                      });
    registry.AddCounterFunction(
        "bulletin_snapshot_failures_total",
        "Snapshots that could not be written (each is logged as "
        "snapshot_failed and tried again at the next interval).",
        {}, [written] {
          return std::vector<GaugeSample>{
              {{}, static_cast<double>(written->failures())}};
        });
  }
  // A snapshot's log, until the first heartbeat tells its history.
  served_log.Loaded(index.log_identity());
  follower.Start();
  ReplicaFreshness::Options freshness_options;
  freshness_options.max_lag = absl::GetFlag(FLAGS_max_replica_lag);
  ReplicaFreshness freshness(
      freshness_options, &health, [&follower] { return follower.head_seq(); },
      [&index] { return index.applied_seq(); });
  freshness.Start();
  registry.AddGauge(
      "bulletin_replica_lag_seconds",
      "Age of the oldest log head this replica has not applied "
      "(0: it has applied the newest head it heard of).",
      {}, [&freshness] {
        return std::vector<GaugeSample>{
            {{}, absl::ToDoubleSeconds(freshness.Lag(absl::Now()))}};
      });
  LogInfo("serving", {{"service", "query"},
                      {"port", server->port},
                      {"metrics_port", metrics ? metrics->port() : 0},
                      {"http_port", *http ? (*http)->port() : 0},
                      {"tls", server_options.tls.enabled()},
                      {"mtls", !server_options.tls.client_ca_file.empty()},
                      {"feed_tls", ingest_security.tls()},
                      {"ingest_addr", follow_options.ingest_address},
                      {"replica_id", follow_options.replica_id}});

  const int signal_number = WaitForTerminationSignal();
  LogInfo("shutting_down", {{"signal", signal_number}});
  LameDuck(&health, absl::GetFlag(FLAGS_lame_duck_period));
  // Watch streams never finish on their own: end them so the drain does not
  // wait for them.
  watch_hub.Shutdown();
  // HTTP calls go through the gRPC server: end them before it stops.
  if (*http) (*http)->Stop();
  server->server->Shutdown(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_drain_timeout)));
  if (metrics) metrics->Stop();
  freshness.Stop();
  follower.Stop();
  if (snapshotter) {
    // The index no longer changes: this one holds everything applied.
    snapshotter->Stop();
    (void)snapshotter->SnapshotIfChanged();
  }
  LogInfo("stopped", {{"applied_seq", index.applied_seq()}});
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) {
  bulletin::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "A query replica: follows ingest-service's Feed into an in-memory index "
      "and answers Get, Search, Watch and Stats over gRPC.\n"
      "Usage: query-service --listen=127.0.0.1:50052 "
      "--ingest_addr=127.0.0.1:50051");
  absl::ParseCommandLine(argc, argv);
  // Folding records and queries needs the Traditional-to-Simplified table:
  // built before serving, not in the first Search (traditional_simplified.h
  // says what it costs).
  (void)bulletin::SimplifiedTable::Get();
  return bulletin::Run();
}
