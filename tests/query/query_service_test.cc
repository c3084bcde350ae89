#include "query-service/query_service_impl.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/grpc_server.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using testing::UpsertRecord;

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FeedFollower::Options options;
    options.ingest_address = "127.0.0.1:1";
    follower_ = std::make_unique<FeedFollower>(&index_, options, nullptr);
    service_ = std::make_unique<QueryServiceImpl>(&index_, follower_.get());
    ServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    auto started = StartGrpcServer(server_options, {service_.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    stub_ = v1::QueryService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", started->port),
        grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  BulletinIndex index_;
  std::unique_ptr<FeedFollower> follower_;
  std::unique_ptr<QueryServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::QueryService::Stub> stub_;
};

TEST_F(QueryServiceTest, GetReturnsTheRecordOrAPreciseError) {
  index_.Apply(UpsertRecord(1, "aaaaaaaaaaaaaaaa", "v"));
  v1::GetRequest request;
  v1::GetResponse response;
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->Get(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  request.set_id("bbbbbbbbbbbbbbbb");
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->Get(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  request.set_id("aaaaaaaaaaaaaaaa");
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Get(&context, request, &response).ok());
    EXPECT_EQ(response.bulletin().headline(), "headline aaaaaaaaaaaaaaaa");
  }
}

TEST_F(QueryServiceTest, MinSeqWaitsForTheApplierWithinTheDeadline) {
  v1::GetRequest request;
  request.set_id("aaaaaaaaaaaaaaaa");
  request.set_min_seq(1);
  v1::GetResponse response;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
    grpc::Status status = stub_->Get(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  std::thread applier([&] {
    absl::SleepFor(absl::Milliseconds(50));
    index_.Apply(UpsertRecord(1, "aaaaaaaaaaaaaaaa", "v"));
  });
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    EXPECT_TRUE(stub_->Get(&context, request, &response).ok());
  }
  applier.join();
}

TEST_F(QueryServiceTest, SearchAnswersFromTheIndex) {
  index_.Apply(UpsertRecord(1, "aaaaaaaaaaaaaaaa", "v"));
  v1::SearchRequest request;
  request.set_query("headline");
  v1::SearchResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Search(&context, request, &response).ok());
  EXPECT_EQ(response.total_hits(), 1);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).bulletin_id(), "aaaaaaaaaaaaaaaa");
}

TEST_F(QueryServiceTest, StatsReportsAppliedSeqAndReadiness) {
  index_.Apply(UpsertRecord(1, "aaaaaaaaaaaaaaaa", "v"));
  v1::StatsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Stats(&context, v1::StatsRequest(), &response).ok());
  EXPECT_EQ(response.applied_seq(), 1u);
  EXPECT_EQ(response.bulletin_count(), 1);
  EXPECT_GE(response.head_seq(), 1u);
  EXPECT_FALSE(response.caught_up());
}

}  // namespace
}  // namespace bulletin
