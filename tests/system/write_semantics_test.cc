// The write semantics of ../shared/BRIEF.md ("Writes") on real processes,
// on both log backends: one ingest on LevelDB, and two stateless ingest
// replicas on a 3-node JetStream cluster with writers split between them.
// The late retry, expected_version races between two clients, request-id
// retries that land on the other replica, sources, and Get by
// (source, external_id) through a query replica.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"
#include "tests/testing/nats_cluster.h"

namespace bulletin::testing {
namespace {

enum class Backend { kLevelDb, kJetStream };

std::string NameOf(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kLevelDb ? "LevelDb" : "JetStream";
}

std::string Text(const std::string& headline) {
  return absl::StrCat(headline, "\n\n本报讯 11月18日,", headline,
                      "召开会议,传达学习有关精神。\n");
}

class WriteSemanticsTest : public ::testing::TestWithParam<Backend> {
 protected:
  // The JetStream cases share one 3-node cluster, started by the first of
  // them (ctest runs them in one process: tests/system/CMakeLists.txt),
  // each on a stream of its own, as different services' streams would be.
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    std::vector<std::string> flags;
    if (GetParam() == Backend::kJetStream) {
      if (cluster_ == nullptr) {
        auto cluster = NatsCluster::Start(3);
        ASSERT_TRUE(cluster.ok()) << cluster.status();
        cluster_ = *std::move(cluster);
      }
      static int streams = 0;
      flags = {"--log=jetstream", "--nats_url=" + cluster_->url_list(),
               absl::StrCat("--nats_stream=WRITES", ++streams)};
    }
    ASSERT_TRUE(first_.StartIngest(0, flags).ok());
    std::string second_address = first_.ingest_address();
    if (GetParam() == Backend::kJetStream) {
      ASSERT_TRUE(second_.StartIngest(0, flags).ok());
      second_address = second_.ingest_address();
    }
    ASSERT_TRUE(first_.WaitUntilServing(first_.ingest_address()).ok());
    ASSERT_TRUE(first_.WaitUntilServing(second_address).ok());
    ASSERT_TRUE(first_.StartQuery().ok());
    ASSERT_TRUE(first_.WaitUntilServing(first_.query_address()).ok());
    ingest_[0] = v1::IngestService::NewStub(grpc::CreateChannel(
        first_.ingest_address(), grpc::InsecureChannelCredentials()));
    ingest_[1] = v1::IngestService::NewStub(grpc::CreateChannel(
        second_address, grpc::InsecureChannelCredentials()));
    query_ = v1::QueryService::NewStub(grpc::CreateChannel(
        first_.query_address(), grpc::InsecureChannelCredentials()));
  }

  // Submits through ingest replica `replica` (0 or 1: the same one on
  // LevelDB).
  grpc::Status Submit(int replica, const v1::SubmitRequest& request,
                      v1::SubmitResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return ingest_[replica]->Submit(&context, request, response);
  }
  grpc::Status Retract(int replica, const v1::RetractRequest& request,
                       v1::RetractResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return ingest_[replica]->Retract(&context, request, response);
  }
  // Get through the query replica once it has applied `min_seq`.
  grpc::Status Get(v1::GetRequest request, uint64_t min_seq,
                   v1::Bulletin* bulletin) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    request.set_min_seq(min_seq);
    v1::GetResponse response;
    grpc::Status status = query_->Get(&context, request, &response);
    *bulletin = response.bulletin();
    return status;
  }

  static std::unique_ptr<NatsCluster> cluster_;
  ServicePair first_;
  ServicePair second_;
  std::unique_ptr<v1::IngestService::Stub> ingest_[2];
  std::unique_ptr<v1::QueryService::Stub> query_;
};

std::unique_ptr<NatsCluster> WriteSemanticsTest::cluster_;

// Version 1, version 2, then a late retry of version 1 through the other
// replica: the retry gets its first outcome and Get still shows version 2.
TEST_P(WriteSemanticsTest, ALateRetryOfAnOlderVersionChangesNothing) {
  v1::SubmitRequest first;
  first.set_external_id("story-7");
  first.set_content(Text("区政协召开常委会议"));
  first.set_request_id("req-1");
  v1::SubmitResponse created;
  ASSERT_TRUE(Submit(0, first, &created).ok());
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.result(), v1::WRITE_RESULT_CREATED);

  v1::SubmitRequest correction = first;
  correction.set_content(Text("区政协召开常委会议(更正)"));
  correction.set_request_id("req-2");
  v1::SubmitResponse updated;
  ASSERT_TRUE(Submit(1, correction, &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.result(), v1::WRITE_RESULT_UPDATED);

  v1::SubmitResponse retried;
  grpc::Status retry = Submit(1, first, &retried);
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  EXPECT_EQ(retried.version(), 1);
  EXPECT_EQ(retried.seq(), created.seq());
  EXPECT_EQ(retried.result(), v1::WRITE_RESULT_CREATED);

  v1::GetRequest get;
  get.set_id(created.id());
  get.mutable_read_mask()->add_paths("source_text");
  v1::Bulletin bulletin;
  ASSERT_TRUE(Get(get, updated.seq(), &bulletin).ok());
  EXPECT_EQ(bulletin.version(), 2);
  EXPECT_NE(bulletin.source_text().find("更正"), std::string::npos);
}

// Two clients race conditional writes of one bulletin through different
// replicas, round after round: exactly one wins each round, and the loser
// is told the current version in the error details.
TEST_P(WriteSemanticsTest, ExpectedVersionLetsOneOfTwoRacingClientsWin) {
  constexpr int kRounds = 12;
  int64_t version = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> wins{0};
    std::vector<grpc::Status> statuses(2);
    std::vector<v1::SubmitResponse> responses(2);
    std::vector<std::thread> clients;
    for (int client = 0; client < 2; ++client) {
      clients.emplace_back([&, client] {
        v1::SubmitRequest request;
        request.set_external_id("contested");
        request.set_content(
            Text(absl::StrCat("第", round, "轮 客户", client, "的版本")));
        request.set_expected_version(version);
        statuses[client] = Submit(client, request, &responses[client]);
        if (statuses[client].ok()) ++wins;
      });
    }
    for (std::thread& client : clients) client.join();
    ASSERT_EQ(wins.load(), 1) << "round " << round;
    const int loser = statuses[0].ok() ? 1 : 0;
    EXPECT_EQ(statuses[loser].error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    auto info = ErrorInfoOf(FromGrpcStatus(statuses[loser]));
    ASSERT_TRUE(info.has_value()) << statuses[loser].error_message();
    EXPECT_EQ(info->reason(), "VERSION_MISMATCH");
    EXPECT_EQ(info->metadata().at("current_version"),
              absl::StrCat(version + 1));
    EXPECT_EQ(responses[1 - loser].version(), version + 1);
    version = responses[1 - loser].version();
  }
}

// Equal external ids from two sources are two bulletins; each is found by
// its (source, external_id), and one source cannot retract the other's.
TEST_P(WriteSemanticsTest, SourcesScopeExternalIds) {
  v1::SubmitResponse responses[2];
  const std::string sources[2] = {"cms-a", "cms-b"};
  for (int i = 0; i < 2; ++i) {
    v1::SubmitRequest request;
    request.set_source(sources[i]);
    request.set_external_id("cms-42");
    request.set_content(Text(absl::StrCat(sources[i], "的稿件")));
    ASSERT_TRUE(Submit(i, request, &responses[i]).ok());
    EXPECT_EQ(responses[i].result(), v1::WRITE_RESULT_CREATED);
  }
  EXPECT_NE(responses[0].id(), responses[1].id());
  for (int i = 0; i < 2; ++i) {
    v1::GetRequest get;
    get.set_source(sources[i]);
    get.set_external_id("cms-42");
    get.mutable_read_mask()->add_paths("source_text");
    get.mutable_read_mask()->add_paths("source");
    v1::Bulletin bulletin;
    ASSERT_TRUE(
        Get(get, std::max(responses[0].seq(), responses[1].seq()), &bulletin)
            .ok());
    EXPECT_EQ(bulletin.id(), responses[i].id());
    EXPECT_EQ(bulletin.source(), sources[i]);
    EXPECT_NE(bulletin.source_text().find(sources[i]), std::string::npos);
  }
  v1::RetractRequest other;
  other.set_id(responses[0].id());
  other.set_source("cms-b");
  v1::RetractResponse retracted;
  EXPECT_EQ(Retract(1, other, &retracted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::RetractRequest own;
  own.set_source("cms-b");
  own.set_external_id("cms-42");
  ASSERT_TRUE(Retract(1, own, &retracted).ok());
  EXPECT_EQ(retracted.id(), responses[1].id());
}

// A retried Retract returns its first outcome, on either replica; without
// the request_id, what is gone is NOT_FOUND.
TEST_P(WriteSemanticsTest, ARetriedRetractionReturnsItsFirstOutcome) {
  v1::SubmitRequest submit;
  submit.set_content(Text("县人大常委会召开主任会议"));
  v1::SubmitResponse submitted;
  ASSERT_TRUE(Submit(0, submit, &submitted).ok());
  v1::RetractRequest retract;
  retract.set_id(submitted.id());
  retract.set_request_id("takedown-1");
  v1::RetractResponse first;
  ASSERT_TRUE(Retract(0, retract, &first).ok());
  EXPECT_EQ(first.version(), 1);
  v1::RetractResponse again;
  grpc::Status retried = Retract(1, retract, &again);
  ASSERT_TRUE(retried.ok()) << retried.error_message();
  EXPECT_EQ(again.seq(), first.seq());
  retract.clear_request_id();
  EXPECT_EQ(Retract(1, retract, &again).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

INSTANTIATE_TEST_SUITE_P(Backends, WriteSemanticsTest,
                         ::testing::Values(Backend::kLevelDb,
                                           Backend::kJetStream),
                         NameOf);

}  // namespace
}  // namespace bulletin::testing
