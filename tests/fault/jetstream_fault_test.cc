// Fault tests on the replicated log, with the real binaries: a 3-node NATS
// cluster, ingest replicas on --log=jetstream, a query replica following
// them. NATS servers (the stream's leader first), ingest replicas and the
// whole cluster are killed while clients submit; every acknowledged bulletin
// must be in the replica exactly once, and ingest must say, through health
// and UNAVAILABLE, when NATS is out of reach, and recover by itself.

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fault/jetstream_ingest.h"
#include "tests/fault/query_client.h"
#include "tests/system/service_pair.h"
#include "tests/testing/health_check.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/submit_storm.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kStream[] = "BULLETINS";
// How long a restarted NATS server or ingest replica may take to be back in
// service on a loaded CI machine (sanitizers, two cores).
constexpr absl::Duration kRecoveryTimeout = absl::Seconds(90);

grpc::Status Submit(const std::string& address, const std::string& text,
                    v1::SubmitResponse* response,
                    absl::Duration timeout = absl::Seconds(20),
                    const std::string& request_id = "") {
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::SubmitRequest request;
  request.set_content(text);
  request.set_request_id(request_id);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return stub->Submit(&context, request, response);
}

// Submits `text` the way a client does once NATS is back: UNAVAILABLE means
// retry (a restarted cluster elects the stream's leader 4-9 s after its
// servers answer, and until then ingest says so), with one request id so
// that a retry is never applied twice. Any other error ends it.
grpc::Status SubmitUntilTaken(const std::string& address,
                              const std::string& text,
                              const std::string& request_id,
                              v1::SubmitResponse* response) {
  const absl::Time give_up = absl::Now() + kRecoveryTimeout;
  for (;;) {
    grpc::Status status =
        Submit(address, text, response, absl::Seconds(20), request_id);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        absl::Now() >= give_up) {
      return status;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
}

// The status of a Feed subscription from seq 0 once it ends or sends its
// first message (OK then).
grpc::Status Subscribe(const std::string& address) {
  auto stub = v1::Feed::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::SubscribeRequest request;
  request.set_replica_id("jetstream-fault-test");
  auto reader = stub->Subscribe(&context, request);
  v1::FeedMessage message;
  if (reader->Read(&message)) {
    context.TryCancel();
    reader->Finish().IgnoreError();
    return grpc::Status::OK;
  }
  return reader->Finish();
}

// Waits until `address` reports `want` on gRPC health.
absl::Status AwaitHealth(const std::string& address, const std::string& want) {
  const absl::Time deadline = absl::Now() + kRecoveryTimeout;
  std::string last;
  while ((last = HealthOf(address)) != want) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(address, " is ", last, ", not ", want, " after ",
                       absl::FormatDuration(kRecoveryTimeout)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::OkStatus();
}

// Every NATS server down: the cluster is out of reach.
void KillAll(NatsCluster& cluster) {
  for (int i = 0; i < cluster.size(); ++i) cluster.Kill(i);
}

absl::Status RestartAll(NatsCluster& cluster) {
  for (int i = 0; i < cluster.size(); ++i) {
    if (absl::Status restarted = cluster.Restart(i); !restarted.ok()) {
      return restarted;
    }
  }
  return absl::OkStatus();
}

// SIGKILLs NATS server `node` and starts it again once the storm has
// acknowledged `more` texts without it.
void KillNodeDuringStorm(NatsCluster& cluster, int node, SubmitStorm& storm,
                         int more) {
  cluster.Kill(node);
  ASSERT_TRUE(storm.AwaitDone(storm.done() + more, kRecoveryTimeout).ok())
      << "writes stopped with NATS node n" << node << " down";
  ASSERT_TRUE(cluster.Restart(node).ok());
}

class JetStreamFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<NatsCluster>> cluster =
        NatsCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  std::unique_ptr<JetStreamIngest> NewIngest(const std::string& name) {
    absl::StatusOr<std::unique_ptr<JetStreamIngest>> ingest =
        JetStreamIngest::Create(name, pair_.scratch_dir(), cluster_->url_list(),
                                kStream);
    EXPECT_TRUE(ingest.ok()) << ingest.status();
    return ingest.ok() ? *std::move(ingest) : nullptr;
  }

  // Destroyed in reverse: the services before the cluster they use.
  std::unique_ptr<NatsCluster> cluster_;
  ServicePair pair_;
};

TEST_F(JetStreamFaultTest, FailoverStormLosesAndDuplicatesNothing) {
  std::unique_ptr<JetStreamIngest> a = NewIngest("ingest-a");
  std::unique_ptr<JetStreamIngest> b = NewIngest("ingest-b");
  ASSERT_TRUE(a != nullptr && b != nullptr);
  ASSERT_TRUE(a->Start().ok());
  ASSERT_TRUE(b->Start().ok());
  ASSERT_TRUE(AwaitHealth(a->address(), "SERVING").ok())
      << FileTail(a->log_path());
  ASSERT_TRUE(AwaitHealth(b->address(), "SERVING").ok())
      << FileTail(b->log_path());
  ASSERT_TRUE(
      pair_.StartQuery({}, absl::StrCat(a->address(), ",", b->address())).ok());

  // Each fault waits for `step` more acknowledgements, seven times in all.
  const std::vector<std::string> texts = NumberedTexts(900, "storm");
  const int step = static_cast<int>(texts.size()) / 12;
  SubmitStorm storm({a->address(), b->address()}, texts, 4);
  storm.Start();
  ASSERT_TRUE(storm.AwaitDone(step, kRecoveryTimeout).ok());

  // The stream's leader, then another server.
  absl::StatusOr<int> leader = cluster_->StreamLeader(kStream);
  ASSERT_TRUE(leader.ok()) << leader.status();
  KillNodeDuringStorm(*cluster_, *leader, storm, step);
  ASSERT_TRUE(storm.AwaitDone(storm.done() + step, kRecoveryTimeout).ok());
  absl::StatusOr<int> next_leader = cluster_->StreamLeader(kStream);
  ASSERT_TRUE(next_leader.ok()) << next_leader.status();
  const int another =
      *next_leader != *leader ? *next_leader : (*leader + 1) % 3;
  KillNodeDuringStorm(*cluster_, another, storm, step);
  ASSERT_TRUE(storm.AwaitDone(storm.done() + step, kRecoveryTimeout).ok());

  // Then an ingest replica: its writers move to the other one.
  a->Kill();
  ASSERT_TRUE(storm.AwaitDone(storm.done() + step, kRecoveryTimeout).ok());
  EXPECT_LT(static_cast<size_t>(storm.done()), texts.size())
      << "the storm finished before the last fault";
  const absl::Status restarted = a->Start();
  ASSERT_TRUE(restarted.ok()) << restarted << FileTail(a->log_path());
  storm.Join();
  ASSERT_TRUE(storm.fatal().empty()) << storm.fatal();
  // The restarted replica takes writes again (the storm may have ended
  // before it was back).
  ASSERT_TRUE(AwaitHealth(a->address(), "SERVING").ok())
      << FileTail(a->log_path());
  std::vector<SubmitStorm::Acked> acknowledged = storm.acked();
  v1::SubmitResponse through_restarted;
  grpc::Status accepted = Submit(a->address(), NumberedTexts(1, "restarted")[0],
                                 &through_restarted);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();
  acknowledged.push_back({through_restarted.id(), through_restarted.seq()});

  // Each text acknowledged, under its own id and seq.
  uint64_t max_seq = 0;
  std::map<std::string, uint64_t> acked_seqs;
  std::set<uint64_t> seqs;
  for (const SubmitStorm::Acked& acked : acknowledged) {
    ASSERT_FALSE(acked.id.empty()) << "a text was never acknowledged";
    acked_seqs[acked.id] = acked.seq;
    seqs.insert(acked.seq);
    max_seq = std::max(max_seq, acked.seq);
  }
  ASSERT_EQ(acked_seqs.size(), acknowledged.size());
  EXPECT_EQ(seqs.size(), acknowledged.size())
      << "two texts were acknowledged with one seq";
  // The replica converges to exactly the acknowledged set: each text once,
  // each at the seq its acknowledgement gave (a second write of it, from a
  // retry, would have a later seq).
  QueryClient query(pair_.query_address());
  absl::StatusOr<int64_t> count = query.Count("快讯", max_seq);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, static_cast<int64_t>(acknowledged.size()));
  absl::StatusOr<v1::StatsResponse> stats = query.Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->bulletin_count(), static_cast<int64_t>(acknowledged.size()));
  int lost = 0;
  int rewritten = 0;
  for (const auto& [id, seq] : acked_seqs) {
    absl::StatusOr<v1::Bulletin> bulletin = query.Get(id);
    if (!bulletin.ok()) {
      ++lost;
    } else if (bulletin->seq() != seq) {
      ++rewritten;
    }
  }
  EXPECT_EQ(lost, 0) << "acknowledged bulletins missing from the replica";
  EXPECT_EQ(rewritten, 0) << "acknowledged bulletins written again";
  EXPECT_GT(storm.retries(), 0) << "no fault was felt by any writer";
  // The longest write outage the writers saw (a figure, not a bar: this
  // machine is shared and sanitized), in the test's XML report.
  std::vector<absl::Time> times;
  for (const SubmitStorm::Acked& acked : storm.acked())
    times.push_back(acked.at);
  std::sort(times.begin(), times.end());
  absl::Duration longest_gap;
  for (size_t i = 1; i < times.size(); ++i) {
    longest_gap = std::max(longest_gap, times[i] - times[i - 1]);
  }
  RecordProperty("longest_ack_gap_ms",
                 static_cast<int>(absl::ToInt64Milliseconds(longest_gap)));
}

TEST_F(JetStreamFaultTest, IngestStartsWithoutNatsAndServesWhenItComes) {
  KillAll(*cluster_);
  std::unique_ptr<JetStreamIngest> ingest = NewIngest("ingest");
  ASSERT_TRUE(ingest != nullptr);
  ASSERT_TRUE(ingest->Start().ok()) << FileTail(ingest->log_path());

  EXPECT_EQ(HealthOf(ingest->address()), "NOT_SERVING");
  v1::SubmitResponse response;
  grpc::Status submitted =
      Submit(ingest->address(), NumberedTexts(1, "down")[0], &response);
  EXPECT_EQ(submitted.error_code(), grpc::StatusCode::UNAVAILABLE)
      << submitted.error_message();
  EXPECT_THAT(submitted.error_message(),
              HasSubstr("NATS JetStream is unreachable"));
  EXPECT_THAT(submitted.error_message(), HasSubstr(cluster_->urls()[0]));
  grpc::Status subscribed = Subscribe(ingest->address());
  EXPECT_EQ(subscribed.error_code(), grpc::StatusCode::UNAVAILABLE)
      << subscribed.error_message();
  EXPECT_THAT(subscribed.error_message(),
              HasSubstr("NATS JetStream is unreachable"));

  ASSERT_TRUE(RestartAll(*cluster_).ok());
  ASSERT_TRUE(AwaitHealth(ingest->address(), "SERVING").ok())
      << FileTail(ingest->log_path());
  submitted = SubmitUntilTaken(ingest->address(), NumberedTexts(1, "up")[0],
                               "jetstream-fault-up", &response);
  EXPECT_TRUE(submitted.ok()) << submitted.error_message();
  EXPECT_TRUE(Subscribe(ingest->address()).ok());
}

TEST_F(JetStreamFaultTest, NatsLostMidRunIsUnavailableUntilItReturns) {
  std::unique_ptr<JetStreamIngest> ingest = NewIngest("ingest");
  ASSERT_TRUE(ingest != nullptr);
  ASSERT_TRUE(ingest->Start().ok());
  ASSERT_TRUE(AwaitHealth(ingest->address(), "SERVING").ok())
      << FileTail(ingest->log_path());
  const std::vector<std::string> texts = NumberedTexts(3, "outage");
  v1::SubmitResponse before;
  ASSERT_TRUE(Submit(ingest->address(), texts[0], &before).ok());

  KillAll(*cluster_);
  ASSERT_TRUE(AwaitHealth(ingest->address(), "NOT_SERVING").ok());
  // Refused, not left hanging: well within the client's deadline, and as
  // UNAVAILABLE (retry), not INTERNAL.
  v1::SubmitResponse during;
  grpc::Status refused =
      Submit(ingest->address(), texts[1], &during, absl::Seconds(30));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.error_message();
  EXPECT_THAT(refused.error_message(),
              HasSubstr("NATS JetStream is unreachable"));

  ASSERT_TRUE(RestartAll(*cluster_).ok());
  ASSERT_TRUE(AwaitHealth(ingest->address(), "SERVING").ok())
      << FileTail(ingest->log_path());
  v1::SubmitResponse after;
  grpc::Status accepted = SubmitUntilTaken(ingest->address(), texts[2],
                                           "jetstream-fault-after", &after);
  ASSERT_TRUE(accepted.ok()) << accepted.error_message();
  EXPECT_GT(after.seq(), before.seq());
  // What was acknowledged before the outage is still there.
  ASSERT_TRUE(pair_.StartQuery({}, ingest->address()).ok());
  QueryClient query(pair_.query_address());
  absl::StatusOr<int64_t> count = query.Count("快讯", after.seq());
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 2);
  EXPECT_TRUE(query.Get(before.id()).ok());
  EXPECT_TRUE(query.Get(after.id()).ok());
}

TEST_F(JetStreamFaultTest, AStreamConfiguredOtherwiseStopsIngest) {
  std::unique_ptr<JetStreamIngest> creator = NewIngest("creator");
  ASSERT_TRUE(creator != nullptr);
  ASSERT_TRUE(creator->Start().ok());
  ASSERT_TRUE(AwaitHealth(creator->address(), "SERVING").ok());

  std::unique_ptr<JetStreamIngest> other = NewIngest("other");
  ASSERT_TRUE(other != nullptr);
  EXPECT_FALSE(other->Start({"--nats_replicas=1"}).ok());
  absl::StatusOr<int> exit_code = other->process()->Wait(kRecoveryTimeout);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_NE(*exit_code, 0);
  EXPECT_THAT(FileTail(other->log_path()),
              HasSubstr("exists with a configuration this log cannot use"));
}

}  // namespace
}  // namespace bulletin::testing
