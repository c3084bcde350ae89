#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/grpc_server.h"
#include "gtest/gtest.h"
#include "query-service/query_service_impl.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using testing::RetractionRecord;
using testing::UpsertRecord;

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FeedFollower::Options options;
    options.ingest_address = "127.0.0.1:1";
    follower_ = std::make_unique<FeedFollower>(&index_, options, nullptr);
    service_ = std::make_unique<QueryServiceImpl>(&index_, follower_.get(),
                                                  &served_log_, &watch_hub_);
    ServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    auto started = StartGrpcServer(server_options, {service_.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    stub_ = v1::QueryService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    watch_hub_.Shutdown();
    server_->Shutdown();
  }

  // Applies `record` the way the Feed applier does.
  void Apply(const v1::LogRecord& record) {
    std::shared_ptr<const StoredRecord> replaced;
    index_.Apply(record, &replaced);
    watch_hub_.Publish(record, replaced);
  }

  BulletinIndex index_;
  ServedLog served_log_;
  WatchHub watch_hub_;
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
    context.set_deadline(
        absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
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

TEST_F(QueryServiceTest, WatchStreamsEachNewMatchAndNothingElse) {
  v1::WatchRequest request;
  request.set_query("headline");
  grpc::ClientContext context;
  auto reader = stub_->Watch(&context, request);
  reader->WaitForInitialMetadata();  // Registered from here on.
  v1::LogRecord match = UpsertRecord(1, "aaaaaaaaaaaaaaaa", "v");
  v1::LogRecord other = UpsertRecord(2, "bbbbbbbbbbbbbbbb", "v");
  other.mutable_upsert()->set_headline("unrelated");
  v1::LogRecord second = UpsertRecord(3, "cccccccccccccccc", "v");
  Apply(match);
  Apply(other);
  Apply(second);
  v1::WatchEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.hit().bulletin_id(), "aaaaaaaaaaaaaaaa");
  EXPECT_NE(event.hit().snippet().find("【headline】"), std::string::npos)
      << event.hit().snippet();
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.hit().bulletin_id(), "cccccccccccccccc");
  context.TryCancel();
  reader->Finish();
}

// Events carry their type and seq; a Watch from after_seq catches up on
// what changed since, then streams what is applied, retractions of what
// matched included.
TEST_F(QueryServiceTest, WatchResumesFromAfterSeqWithTypedEvents) {
  Apply(UpsertRecord(1, "aaaaaaaaaaaaaaaa", "v"));
  Apply(UpsertRecord(2, "bbbbbbbbbbbbbbbb", "v"));
  Apply(RetractionRecord(3, "aaaaaaaaaaaaaaaa"));
  v1::WatchRequest request;
  request.set_query("headline");
  request.set_after_seq(1);
  request.set_send_bookmarks(true);
  grpc::ClientContext context;
  auto reader = stub_->Watch(&context, request);
  v1::WatchEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.type(), v1::WatchEvent::TYPE_UPSERT);
  EXPECT_EQ(event.seq(), 2u);
  EXPECT_EQ(event.bulletin_id(), "bbbbbbbbbbbbbbbb");
  EXPECT_EQ(event.hit().bulletin_id(), "bbbbbbbbbbbbbbbb");
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.type(), v1::WatchEvent::TYPE_RETRACT);
  EXPECT_EQ(event.seq(), 3u);
  EXPECT_EQ(event.bulletin_id(), "aaaaaaaaaaaaaaaa");
  EXPECT_FALSE(event.has_hit());
  Apply(RetractionRecord(4, "bbbbbbbbbbbbbbbb"));
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.type(), v1::WatchEvent::TYPE_RETRACT);
  EXPECT_EQ(event.seq(), 4u);
  EXPECT_EQ(event.bulletin_id(), "bbbbbbbbbbbbbbbb");
  context.TryCancel();
  reader->Finish();
}

TEST_F(QueryServiceTest, WatchWithoutAfterSeqBookmarksWhereItStarts) {
  Apply(UpsertRecord(7, "aaaaaaaaaaaaaaaa", "v"));
  v1::WatchRequest request;
  request.set_query("nothing matches this");
  request.set_send_bookmarks(true);
  grpc::ClientContext context;
  auto reader = stub_->Watch(&context, request);
  v1::WatchEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.type(), v1::WatchEvent::TYPE_BOOKMARK);
  EXPECT_EQ(event.seq(), 7u);
  EXPECT_TRUE(event.bulletin_id().empty());
  context.TryCancel();
  reader->Finish();
}

TEST_F(QueryServiceTest, WatchRejectsAMalformedQuery) {
  v1::WatchRequest request;
  request.set_query("\"unbalanced");
  grpc::ClientContext context;
  auto reader = stub_->Watch(&context, request);
  v1::WatchEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(QueryServiceTest, WatchEndsWithUnavailableOnShutdown) {
  grpc::ClientContext context;
  auto reader = stub_->Watch(&context, v1::WatchRequest());
  reader->WaitForInitialMetadata();
  watch_hub_.Shutdown();
  v1::WatchEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace bulletin
