// /metrics on the real binaries: RPC counts, log head, replica lag, index
// size, and a separate port that serves nothing else.

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/metrics/scrape.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

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
  EXPECT_THAT(ingest, HasSubstr("\nprocess_cpu_seconds_total "));
  EXPECT_THAT(ingest, HasSubstr("\nprocess_open_fds "));
  EXPECT_THAT(ingest, HasSubstr("\nprocess_max_fds "));
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_build_info{service=\"ingest\","));
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_commit_queue_depth 0\n"));
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_log_writable 1\n"));
  EXPECT_THAT(ingest, HasSubstr("# TYPE bulletin_log_sync_seconds histogram"));
  // The one Submit was one synced write.
  EXPECT_THAT(ingest, HasSubstr("\nbulletin_log_sync_seconds_count 1\n"));
  EXPECT_THAT(ingest, ContainsRegex("\nbulletin_log_bytes [1-9][0-9]*\n"));

  const int query_port = MetricsPort(*pair.query());
  ASSERT_GT(query_port, 0);
  const std::string query = Scrape(query_port);
  EXPECT_THAT(query, HasSubstr("grpc_method=\"Search\",grpc_code=\"OK\"} 1\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_applied_seq 1\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_replica_caught_up 1\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_index_bulletins 1\n"));
  EXPECT_THAT(query, HasSubstr("bulletin_index_bytes{part=\"index\"} "));
  EXPECT_THAT(query, HasSubstr("bulletin_replica_lag_records "));
  EXPECT_THAT(query, HasSubstr("\nbulletin_replica_lag_seconds 0\n"));
  EXPECT_THAT(query, HasSubstr("\nbulletin_build_info{service=\"query\","));
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

// The value of the unlabelled sample `name` on `page`, or -1.
double Sample(const std::string& page, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    double value = 0;
    if (absl::ConsumePrefix(&line, name + " ") &&
        absl::SimpleAtod(line, &value)) {
      return value;
    }
  }
  return -1;
}

// A request over the receive limit never reaches a handler or interceptor
// (gRPC refuses it in its core), so grpc_server_handled_total cannot count
// it; the core's own count of calls started does.
TEST(MetricsEndpointTest, OversizedRequestsAreCountedByGrpcCore) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest(0, {"--metrics_listen=127.0.0.1:0"}).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.ingest_address()).ok());
  const int port = MetricsPort(*pair.ingest());
  ASSERT_GT(port, 0);
  const std::string before = Scrape(port);
  const double started_before =
      Sample(before, "grpc_server_core_calls_started_total");
  ASSERT_GE(started_before, 1) << before;

  grpc::ChannelArguments arguments;
  arguments.SetMaxSendMessageSize(16 << 20);
  auto ingest = v1::IngestService::NewStub(grpc::CreateCustomChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials(), arguments));
  v1::ParseRequest request;
  request.set_content(std::string(5 << 20, 'a'));
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    v1::ParseResponse response;
    grpc::Status status = ingest->Parse(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
  }

  const std::string after = Scrape(port);
  EXPECT_EQ(Sample(after, "grpc_server_core_calls_started_total"),
            started_before + 2)
      << after;
  EXPECT_THAT(after, Not(HasSubstr("grpc_method=\"Parse\"")));
}

}  // namespace
}  // namespace bulletin::testing
