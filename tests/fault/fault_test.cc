// Fault tests with the real binaries: SIGKILL of either service during a
// storm of submits, SIGKILL of a replica during catch-up, the Feed connection
// cut mid-stream, and a full disk under the log. Each asserts that every
// acknowledged bulletin is visible exactly once afterwards and that nothing
// unacknowledged half-exists.

#include <algorithm>
#include <set>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fault/query_client.h"
#include "tests/system/service_pair.h"
#include "tests/testing/submit_storm.h"
#include "tests/testing/tcp_proxy.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

// Every acknowledged text is in the replica exactly once, and the log holds
// nothing else: one record per text the storm took (a storm that was stopped
// leaves the texts it never took without an id).
void ExpectExactlyOnce(ServicePair& pair,
                       const std::vector<SubmitStorm::Acked>& acked) {
  uint64_t max_seq = 0;
  std::set<std::string> ids;
  std::set<uint64_t> seqs;
  size_t texts = 0;
  for (const auto& entry : acked) {
    if (entry.id.empty()) continue;
    ++texts;
    max_seq = std::max(max_seq, entry.seq);
    ids.insert(entry.id);
    seqs.insert(entry.seq);
  }
  ASSERT_GT(texts, 0u);
  EXPECT_EQ(ids.size(), texts);
  EXPECT_EQ(seqs.size(), texts) << "two texts were acknowledged with one seq";
  QueryClient query(pair.query_address());
  absl::StatusOr<int64_t> count = query.Count("快讯", max_seq);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, static_cast<int64_t>(texts));
  absl::Status present =
      query.AllPresent(std::vector<std::string>(ids.begin(), ids.end()));
  EXPECT_TRUE(present.ok()) << present;
  absl::StatusOr<v1::StatsResponse> stats = query.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->bulletin_count(), static_cast<int64_t>(texts));
  // Nothing was written twice: the log has exactly one record per text.
  EXPECT_EQ(stats->applied_seq(), texts);
}

// For a storm that was joined without being stopped.
void ExpectEveryTextAcknowledged(const std::vector<SubmitStorm::Acked>& acked) {
  for (const auto& entry : acked) {
    ASSERT_FALSE(entry.id.empty()) << "a text was never acknowledged";
  }
}

// The storms below are given far more texts than they can submit while the
// faults are injected, and stopped after the last one: every fault then lands
// while submits are in flight, however fast the machine (a fault after the
// storm is over would test nothing).
// Each submitter starts a text at most every kPace, so that the replica is
// left thousands of bulletins to check, not tens of thousands.
constexpr int kEndlessStorm = 100000;
constexpr absl::Duration kPace = absl::Milliseconds(10);
// Acknowledgements between two faults, so that writes are seen to flow again.
constexpr int kBetweenFaults = 50;

// Waits until the storm has acknowledged `more` texts beyond what it had.
void AwaitProgress(const SubmitStorm& storm, int more) {
  absl::Status progressed =
      storm.AwaitDone(storm.done() + more, absl::Seconds(120));
  ASSERT_TRUE(progressed.ok()) << progressed;
}

TEST(FaultTest, IngestKilledRepeatedlyDuringASubmitStorm) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  const int port = pair.ingest_port();
  ASSERT_TRUE(pair.StartQuery().ok());
  SubmitStorm storm({pair.ingest_address()}, NumberedTexts(kEndlessStorm, "a"),
                    8, kPace);
  // A failed assertion returns early: the storm must not then go on through
  // its texts in its destructor.
  absl::Cleanup stop_storm = [&storm] { storm.Stop(); };
  storm.Start();
  for (int kill = 0; kill < 4; ++kill) {
    AwaitProgress(storm, kBetweenFaults);
    pair.ingest()->Kill();
    ASSERT_TRUE(pair.StartIngest(port).ok());
  }
  AwaitProgress(storm, kBetweenFaults);
  storm.Stop();
  storm.Join();
  EXPECT_GT(storm.retries(), 0);
  ASSERT_TRUE(storm.fatal().empty()) << storm.fatal();
  ExpectExactlyOnce(pair, storm.acked());
}

TEST(FaultTest, BothServicesKilledRepeatedlyDuringASubmitStorm) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  const int port = pair.ingest_port();
  ASSERT_TRUE(pair.StartQuery().ok());
  SubmitStorm storm({pair.ingest_address()}, NumberedTexts(kEndlessStorm, "b"),
                    8, kPace);
  // A failed assertion returns early: the storm must not then go on through
  // its texts in its destructor.
  absl::Cleanup stop_storm = [&storm] { storm.Stop(); };
  storm.Start();
  for (int kill = 0; kill < 6; ++kill) {
    AwaitProgress(storm, kBetweenFaults);
    if (kill % 2 == 0) {
      pair.ingest()->Kill();
      ASSERT_TRUE(pair.StartIngest(port).ok());
    } else {
      pair.query()->Kill();
      ASSERT_TRUE(pair.StartQuery().ok());
    }
  }
  AwaitProgress(storm, kBetweenFaults);
  storm.Stop();
  storm.Join();
  ASSERT_TRUE(storm.fatal().empty()) << storm.fatal();
  ExpectExactlyOnce(pair, storm.acked());
}

TEST(FaultTest, ReplicaKilledDuringCatchUpRebuildsCompletely) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  const std::vector<std::string> texts = NumberedTexts(5000, "c");
  SubmitStorm storm({pair.ingest_address()}, texts, 8);
  storm.Start();
  storm.Join();
  ASSERT_TRUE(storm.fatal().empty()) << storm.fatal();
  // Kill each replica as soon as it has applied something and before it has
  // caught up.
  int killed_mid_catch_up = 0;
  for (int kill = 0; kill < 4; ++kill) {
    ASSERT_TRUE(pair.StartQuery().ok());
    QueryClient query(pair.query_address());
    for (;;) {
      absl::StatusOr<v1::StatsResponse> stats = query.Stats();
      if (stats.ok() && stats->applied_seq() > 0) {
        if (!stats->caught_up()) ++killed_mid_catch_up;
        break;
      }
    }
    pair.query()->Kill();
  }
  EXPECT_GT(killed_mid_catch_up, 0)
      << "every replica caught up before its kill";
  ASSERT_TRUE(pair.StartQuery().ok());
  // Replaying thousands of bulletins under TSan on a busy machine can take
  // more than a minute.
  ASSERT_TRUE(
      pair.WaitUntilServing(pair.query_address(), absl::Seconds(180)).ok());
  ExpectEveryTextAcknowledged(storm.acked());
  ExpectExactlyOnce(pair, storm.acked());
}

TEST(FaultTest, FeedConnectionCutMidStreamLosesAndRepeatsNothing) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  TcpProxy proxy;
  ASSERT_TRUE(proxy.Start("127.0.0.1", pair.ingest_port()).ok());
  ASSERT_TRUE(
      pair.StartQuery({}, absl::StrCat("127.0.0.1:", proxy.port())).ok());
  SubmitStorm storm({pair.ingest_address()}, NumberedTexts(kEndlessStorm, "d"),
                    8, kPace);
  // A failed assertion returns early: the storm must not then go on through
  // its texts in its destructor.
  absl::Cleanup stop_storm = [&storm] { storm.Stop(); };
  storm.Start();
  for (int cut = 0; cut < 8; ++cut) {
    AwaitProgress(storm, kBetweenFaults);
    proxy.CutAll();
  }
  AwaitProgress(storm, kBetweenFaults);
  storm.Stop();
  storm.Join();
  ASSERT_TRUE(storm.fatal().empty()) << storm.fatal();
  ExpectExactlyOnce(pair, storm.acked());
  EXPECT_GT(proxy.accepted(), 1) << "the replica never had to reconnect";
}

TEST(FaultTest, FullDiskStopsWritesCleanlyAndRestartRecovers) {
  ServicePair pair;
  // Room for a few hundred records in LevelDB's write-ahead log.
  ASSERT_TRUE(pair.StartIngest(0, {}, /*file_size_limit=*/512 << 10).ok());
  const int port = pair.ingest_port();
  auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));
  const std::vector<std::string> texts = NumberedTexts(5000, "e");
  std::vector<SubmitStorm::Acked> acked;
  size_t failed_at = texts.size();
  for (size_t i = 0; i < texts.size(); ++i) {
    v1::SubmitRequest request;
    request.set_content(texts[i]);
    v1::SubmitResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub->Submit(&context, request, &response);
    if (!status.ok()) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
          << status.error_message();
      EXPECT_THAT(status.error_message(), HasSubstr("could not be written"));
      failed_at = i;
      break;
    }
    acked.push_back({response.id(), response.seq()});
  }
  ASSERT_LT(failed_at, texts.size()) << "the disk never filled";
  ASSERT_GT(acked.size(), 0u);
  // Unhealthy, so that a supervisor restarts it.
  EXPECT_EQ(pair.HealthOf(pair.ingest_address()), "NOT_SERVING");
  {  // Fail-stop: later submits are refused too, not half-written.
    v1::SubmitRequest request;
    request.set_content(texts.back());
    v1::SubmitResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(stub->Submit(&context, request, &response).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }

  pair.ingest()->Kill();
  ASSERT_TRUE(pair.StartIngest(port).ok());
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  QueryClient query(pair.query_address());
  // The text whose write failed is either wholly there or wholly absent.
  absl::StatusOr<int64_t> count = query.Count("快讯", acked.back().seq);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_TRUE(*count == static_cast<int64_t>(acked.size()) ||
              *count == static_cast<int64_t>(acked.size()) + 1)
      << *count;
  // Retrying it now is acknowledged, as new or as a duplicate.
  v1::SubmitRequest request;
  request.set_content(texts[failed_at]);
  v1::SubmitResponse response;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  ASSERT_TRUE(stub->Submit(&context, request, &response).ok());
  acked.push_back({response.id(), response.seq()});
  ExpectExactlyOnce(pair, acked);
}

}  // namespace
}  // namespace bulletin::testing
