// Probes that tell the truth, on the real binaries: gRPC health (the server
// as a whole and the "liveness" service), /readyz and /healthz agree in
// every state a service can be in, and each state is reached for real: a
// full disk under ingest's log, a replica that has not caught up, and a
// replica that falls behind past --max_replica_lag.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/metrics/scrape.h"
#include "tests/system/service_pair.h"
#include "tests/testing/tcp_proxy.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

struct Probes {
  std::string grpc_ready;  // gRPC health of "" (the server as a whole).
  std::string grpc_live;   // gRPC health of the "liveness" service.
  HttpAnswer readyz;
  HttpAnswer healthz;
};

Probes ProbesOf(ServicePair& pair, const std::string& address,
                int metrics_port) {
  return {pair.HealthOf(address), pair.HealthOf(address, "liveness"),
          Get(metrics_port, "/readyz"), Get(metrics_port, "/healthz")};
}

// Every probe says the same: ready (or not) and live (or not).
void ExpectProbesSay(const Probes& probes, bool ready, bool live) {
  EXPECT_EQ(probes.grpc_ready, ready ? "SERVING" : "NOT_SERVING");
  EXPECT_EQ(probes.grpc_live, live ? "SERVING" : "NOT_SERVING");
  EXPECT_EQ(probes.readyz.status, ready ? 200 : 503) << probes.readyz.body;
  EXPECT_EQ(probes.healthz.status, live ? 200 : 503) << probes.healthz.body;
}

// Polls until gRPC health of `address` is `wanted`; false on timeout.
bool AwaitHealth(ServicePair& pair, const std::string& address,
                 const std::string& wanted, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (pair.HealthOf(address) != wanted) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

grpc::Status Submit(v1::IngestService::Stub& stub, const std::string& text) {
  v1::SubmitRequest request;
  request.set_content(text);
  v1::SubmitResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  return stub.Submit(&context, request, &response);
}

TEST(HealthEndpointTest, IngestThatCannotWriteIsNeitherReadyNorLive) {
  ServicePair pair;
  // Room for a few hundred records in LevelDB's write-ahead log.
  ASSERT_TRUE(pair.StartIngest(0, {"--metrics_listen=127.0.0.1:0"},
                               /*file_size_limit=*/512 << 10)
                  .ok());
  const int metrics_port = MetricsPort(*pair.ingest());
  ASSERT_GT(metrics_port, 0);
  ExpectProbesSay(ProbesOf(pair, pair.ingest_address(), metrics_port),
                  /*ready=*/true, /*live=*/true);
  EXPECT_THAT(Scrape(metrics_port), HasSubstr("\nbulletin_log_writable 1\n"));

  auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));
  bool failed = false;
  for (int i = 0; i < 5000 && !failed; ++i) {
    failed = !Submit(*stub, absl::StrCat("第", i,
                                         "号快讯\n江津区政协召开会议,"
                                         "学习第",
                                         i, "期材料。\n"))
                  .ok();
  }
  ASSERT_TRUE(failed) << "the disk never filled";

  const Probes probes = ProbesOf(pair, pair.ingest_address(), metrics_port);
  ExpectProbesSay(probes, /*ready=*/false, /*live=*/false);
  EXPECT_THAT(probes.healthz.body, HasSubstr("log_not_writable"));
  EXPECT_THAT(Scrape(metrics_port), HasSubstr("\nbulletin_log_writable 0\n"));
}

TEST(HealthEndpointTest, ReplicaIsLiveButNotReadyUntilCaughtUp) {
  ServicePair pair;
  // An ingest address where nothing listens yet.
  ASSERT_TRUE(pair.StartIngest().ok());
  const int ingest_port = pair.ingest_port();
  pair.ingest()->Kill();
  ASSERT_TRUE(pair.StartQuery({"--metrics_listen=127.0.0.1:0"}).ok());
  const int metrics_port = MetricsPort(*pair.query());
  ASSERT_GT(metrics_port, 0);
  const Probes waiting = ProbesOf(pair, pair.query_address(), metrics_port);
  ExpectProbesSay(waiting, /*ready=*/false, /*live=*/true);
  EXPECT_THAT(waiting.readyz.body, HasSubstr("catching_up"));
  EXPECT_EQ(pair.HealthOf(pair.query_address(), "bulletin.v1.QueryService"),
            "NOT_SERVING");

  ASSERT_TRUE(pair.StartIngest(ingest_port).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  ExpectProbesSay(ProbesOf(pair, pair.query_address(), metrics_port),
                  /*ready=*/true, /*live=*/true);
  EXPECT_EQ(pair.HealthOf(pair.query_address(), "bulletin.v1.QueryService"),
            "SERVING");
}

TEST(HealthEndpointTest, ReplicaBehindPastMaxLagIsNotReadyUntilItCatchesUp) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  TcpProxy proxy;
  ASSERT_TRUE(proxy.Start("127.0.0.1", pair.ingest_port()).ok());
  ASSERT_TRUE(
      pair.StartQuery({"--metrics_listen=127.0.0.1:0", "--max_replica_lag=1s"},
                      absl::StrCat("127.0.0.1:", proxy.port()))
          .ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  const int metrics_port = MetricsPort(*pair.query());
  ASSERT_GT(metrics_port, 0);

  // A slow link, a backlog, and a reconnect whose first heartbeat tells the
  // replica how far behind it is: replaying the backlog at this rate takes
  // far longer than the 1 s allowed.
  proxy.SetBytesPerSecond(8 << 10);
  auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));
  const std::string example = ReadExample("chongqing-cppcc-roundup.txt");
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Submit(*stub, absl::StrCat(example, "\n第", i, "号\n")).ok());
  }
  proxy.CutAll();
  ASSERT_TRUE(
      AwaitHealth(pair, pair.query_address(), "NOT_SERVING", absl::Seconds(30)))
      << "the replica never reported its lag";
  const Probes lagging = ProbesOf(pair, pair.query_address(), metrics_port);
  ExpectProbesSay(lagging, /*ready=*/false, /*live=*/true);
  EXPECT_THAT(lagging.readyz.body, HasSubstr("lagging"));
  EXPECT_THAT(Scrape(metrics_port),
              HasSubstr("\nbulletin_replica_lag_seconds "));

  proxy.SetBytesPerSecond(0);
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  ExpectProbesSay(ProbesOf(pair, pair.query_address(), metrics_port),
                  /*ready=*/true, /*live=*/true);
}

}  // namespace
}  // namespace bulletin::testing
