// /metrics on the real binaries: RPC counts, log head, replica lag, index
// size, and a separate port that serves nothing else.

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

// The metrics port a service logged in its "serving" line.
// The metrics port from the child's "serving" log line, which comes after
// the gRPC port is reported, so it is waited for; 0 if it never comes.
int MetricsPort(const ChildProcess& child) {
  const std::string key = "\"metrics_port\":";
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    const std::string log = FileTail(child.log_path(), 1 << 20);
    const size_t at = log.find(key);
    if (at != std::string::npos) {
      const size_t start = at + key.size();
      const size_t end = log.find_first_not_of("0123456789", start);
      int port = 0;
      return absl::SimpleAtoi(absl::string_view(log).substr(start, end - start),
                              &port)
                 ? port
                 : 0;
    }
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  return 0;
}

std::string Scrape(int port, const std::string& path = "/metrics") {
  httplib::Client client("127.0.0.1", port);
  httplib::Result result = client.Get(path.c_str());
  if (!result) return "error: no response";
  return result->status == 200
             ? result->body
             : "error: status " + std::to_string(result->status);
}

TEST(MetricsEndpointTest, BothServicesExposeTheirState) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest(0, {"--metrics_listen=127.0.0.1:0"}).ok());
  ASSERT_TRUE(pair.StartQuery({"--metrics_listen=127.0.0.1:0"}).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  const std::string example =
      pair.WriteFile("example.txt", ReadExample("chongqing-cppcc-roundup.txt"));
  absl::StatusOr<CommandResult> submitted = pair.Ctl({"submit", example});
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->exit_code, 0) << submitted->err;
  absl::StatusOr<CommandResult> searched =
      pair.Ctl({"search", "--min_seq=1", "政协"});
  ASSERT_TRUE(searched.ok());
  ASSERT_EQ(searched->exit_code, 0) << searched->err;

  const int ingest_port = MetricsPort(*pair.ingest());
  ASSERT_GT(ingest_port, 0);
  const std::string ingest = Scrape(ingest_port);
  EXPECT_THAT(ingest,
              HasSubstr("grpc_server_handled_total{grpc_service=\"bulletin.v1."
                        "IngestService\",grpc_method=\"Submit\",grpc_code="
                        "\"OK\"} 1\n"));
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_log_head_seq 1\n"));
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_live_bulletins 1\n"));
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_feed_subscribers 1\n"));
  EXPECT_THAT(ingest, HasSubstr("process_resident_memory_bytes "));

  const int query_port = MetricsPort(*pair.query());
  ASSERT_GT(query_port, 0);
  const std::string query = Scrape(query_port);
  EXPECT_THAT(query, HasSubstr("grpc_method=\"Search\",grpc_code=\"OK\"} 1\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_applied_seq 1\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_replica_caught_up 1\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_index_bulletins 1\n"));
  EXPECT_THAT(query, HasSubstr("bulletin_index_bytes{part=\"index\"} "));
  EXPECT_THAT(query, HasSubstr("bulletin_replica_lag_records "));
  EXPECT_THAT(query, HasSubstr("# TYPE bulletin_parse_warnings_total counter"));

  EXPECT_EQ(Scrape(query_port, "/healthz"), "ok\n");
  EXPECT_EQ(Scrape(query_port, "/readyz"), "ready\n");
  EXPECT_THAT(Scrape(query_port, "/other"), HasSubstr("status 404"));
}

TEST(MetricsEndpointTest, MetricsPortInUseStopsTheService) {
  ServicePair first;
  ASSERT_TRUE(first.StartIngest(0, {"--metrics_listen=127.0.0.1:0"}).ok());
  const int taken = MetricsPort(*first.ingest());
  ASSERT_GT(taken, 0);
  ServicePair second;
  // The gRPC port may already have been reported when the metrics port
  // fails; either way the service must not stay up without its metrics.
  second.StartIngest(0, {"--metrics_listen=127.0.0.1:" + std::to_string(taken)})
      .IgnoreError();
  absl::StatusOr<int> exit_code = second.ingest()->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_NE(*exit_code, 0);
  EXPECT_THAT(FileTail(second.ingest()->log_path()),
              HasSubstr("metrics_listen_failed"));
}

}  // namespace
}  // namespace bulletin::testing
