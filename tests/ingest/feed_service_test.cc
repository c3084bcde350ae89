#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "common/feed/feed_trailers.h"
#include "common/server/error_details.h"
#include "common/server/grpc_server.h"
#include "common/server/grpc_status.h"
#include "gtest/gtest.h"
#include "ingest-service/feed_service_impl.h"
#include "tests/ingest/controlled_log.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using testing::ControlledLog;
using testing::RetractionRecord;
using testing::UpsertRecord;
using testing::UpsertWithSource;

class FeedServiceTest : public ::testing::Test {
 protected:
  void StartServer(FeedServiceImpl::Options options = {}) {
    options.heartbeat_interval = absl::Milliseconds(100);
    feed_ = std::make_unique<FeedServiceImpl>(&log_, options);
    ServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    auto started = StartGrpcServer(server_options, {feed_.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    stub_ = v1::Feed::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (feed_) feed_->Shutdown();
    if (server_) server_->Shutdown();
  }
  void AppendUpserts(int count) {
    std::vector<v1::LogRecord> records;
    for (int i = 0; i < count; ++i) {
      const uint64_t seq = log_.head_seq() + 1 + i;
      records.push_back(UpsertRecord(seq, absl::StrCat("id", seq), "v"));
    }
    ASSERT_TRUE(testing::AppendRecords(log_, records).ok());
  }

  ControlledLog log_;
  std::unique_ptr<FeedServiceImpl> feed_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Feed::Stub> stub_;
};

TEST_F(FeedServiceTest, FirstMessageIsHeartbeatWithHeadThenRecordsInOrder) {
  StartServer();
  AppendUpserts(3);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_seq(1);
  auto reader = stub_->Subscribe(&context, request);
  v1::FeedMessage message;
  ASSERT_TRUE(reader->Read(&message));
  ASSERT_TRUE(message.has_heartbeat());
  EXPECT_EQ(message.heartbeat().head_seq(), 3u);
  EXPECT_EQ(message.heartbeat().log_id(), log_.identity().log_id);
  EXPECT_EQ(message.heartbeat().log_epoch(), log_.identity().epoch);
  for (uint64_t seq : {2u, 3u}) {
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_TRUE(message.has_record());
    EXPECT_EQ(message.record().seq(), seq);
  }
  // Then it tails: a new record arrives on the open stream.
  AppendUpserts(1);
  do {
    ASSERT_TRUE(reader->Read(&message));
  } while (message.has_heartbeat());
  EXPECT_EQ(message.record().seq(), 4u);
  context.TryCancel();
  reader->Finish();
}

TEST_F(FeedServiceTest, IdleStreamCarriesHeartbeats) {
  StartServer();
  AppendUpserts(2);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_seq(2);
  auto reader = stub_->Subscribe(&context, request);
  v1::FeedMessage message;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(reader->Read(&message));
    ASSERT_TRUE(message.has_heartbeat());
    EXPECT_EQ(message.heartbeat().head_seq(), 2u);
  }
  context.TryCancel();
  reader->Finish();
}

// A position the log does not hold is refused, with the log's head in the
// trailer, so the replica knows what it would rebuild from.
TEST_F(FeedServiceTest, APositionNotInThisLogIsRefusedWithTheHead) {
  StartServer();
  AppendUpserts(1);
  const LogIdentity identity = log_.identity();
  struct Case {
    const char* what;
    uint64_t after_seq;
    std::string log_id;
  };
  for (const Case& c : {Case{"beyond the head", 5, identity.log_id},
                        Case{"beyond the head, no identity", 5, ""},
                        Case{"another log", 1, "another-log"}}) {
    SCOPED_TRACE(c.what);
    grpc::ClientContext context;
    v1::SubscribeRequest request;
    request.set_after_seq(c.after_seq);
    request.set_log_id(c.log_id);
    request.set_log_epoch(identity.epoch);
    auto reader = stub_->Subscribe(&context, request);
    v1::FeedMessage message;
    EXPECT_FALSE(reader->Read(&message));
    grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(status.error_message().find("rebuild"), std::string::npos);
    const auto& trailers = context.GetServerTrailingMetadata();
    auto head = trailers.find(kLogHeadTrailer);
    ASSERT_NE(head, trailers.end());
    EXPECT_EQ(std::string(head->second.data(), head->second.size()), "1");
  }
}

TEST_F(FeedServiceTest, ShutdownEndsStreamsWithUnavailable) {
  StartServer();
  grpc::ClientContext context;
  auto reader = stub_->Subscribe(&context, v1::SubscribeRequest());
  v1::FeedMessage message;
  ASSERT_TRUE(reader->Read(&message));
  feed_->Shutdown();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(FeedServiceTest, RefusesSubscribersBeyondTheLimit) {
  FeedServiceImpl::Options options;
  options.max_subscribers = 1;
  StartServer(options);
  grpc::ClientContext first_context;
  auto first = stub_->Subscribe(&first_context, v1::SubscribeRequest());
  v1::FeedMessage message;
  ASSERT_TRUE(first->Read(&message));
  grpc::ClientContext second_context;
  auto second = stub_->Subscribe(&second_context, v1::SubscribeRequest());
  EXPECT_FALSE(second->Read(&message));
  EXPECT_EQ(second->Finish().error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  first_context.TryCancel();
  first->Finish();
}

TEST_F(FeedServiceTest, AStalledSubscriberDoesNotHoldBackAnother) {
  StartServer();
  // The stalled subscriber opens a stream and never reads.
  grpc::ClientContext stalled_context;
  auto stalled = stub_->Subscribe(&stalled_context, v1::SubscribeRequest());
  AppendUpserts(2000);
  grpc::ClientContext context;
  auto reader = stub_->Subscribe(&context, v1::SubscribeRequest());
  v1::FeedMessage message;
  uint64_t last = 0;
  while (last < 2000 && reader->Read(&message)) {
    if (message.has_record()) {
      EXPECT_EQ(message.record().seq(), last + 1);
      last = message.record().seq();
    }
  }
  EXPECT_EQ(last, 2000u);
  EXPECT_EQ(log_.head_seq(), 2000u);
  context.TryCancel();
  reader->Finish();
  stalled_context.TryCancel();
  stalled->Finish();
}

// What ReadRecords answers for `seqs`, or its error.
absl::StatusOr<v1::ReadRecordsResponse> ReadRecords(
    v1::Feed::Stub& stub, const std::vector<uint64_t>& seqs) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::ReadRecordsRequest request;
  for (uint64_t seq : seqs) request.add_seqs(seq);
  v1::ReadRecordsResponse response;
  absl::Status status =
      FromGrpcStatus(stub.ReadRecords(&context, request, &response));
  if (!status.ok()) return status;
  return response;
}

// The records the log still holds come back, each once, in seq order, with
// their source text; a seq whose record was replaced (a later version, a
// retraction) or that is past the head is named missing.
TEST_F(FeedServiceTest, ReadRecordsReturnsWhatTheLogHoldsAndNamesTheRest) {
  StartServer();
  ASSERT_TRUE(
      testing::AppendRecords(log_, {UpsertWithSource(0, "a", 1, "源文 a1"),
                                    UpsertWithSource(0, "b", 1, "源文 b1"),
                                    UpsertWithSource(0, "a", 2, "源文 a2"),
                                    UpsertWithSource(0, "c", 1, "源文 c1"),
                                    RetractionRecord(0, "c")})
          .ok());
  // a1 = 1 (replaced by a2 = 3), b1 = 2, c1 = 4 (retracted at 5).
  absl::StatusOr<v1::ReadRecordsResponse> read =
      ReadRecords(*stub_, {3, 1, 2, 3, 4, 9});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->records_size(), 2);
  EXPECT_EQ(read->records(0).seq(), 2u);
  EXPECT_EQ(read->records(0).upsert().source_text(), "源文 b1");
  EXPECT_EQ(read->records(1).seq(), 3u);
  EXPECT_EQ(read->records(1).upsert().id(), "a");
  EXPECT_EQ(read->records(1).upsert().version(), 2);
  EXPECT_EQ(read->records(1).upsert().source_text(), "源文 a2");
  EXPECT_EQ(std::vector<uint64_t>(read->missing_seqs().begin(),
                                  read->missing_seqs().end()),
            (std::vector<uint64_t>{1, 4, 9}));
  EXPECT_EQ(read->head_seq(), 5u);
  EXPECT_EQ(read->log_id(), log_.identity().log_id);
  EXPECT_EQ(read->log_epoch(), log_.identity().epoch);
}

TEST_F(FeedServiceTest, ReadRecordsRefusesRequestsOutsideItsBounds) {
  StartServer();
  AppendUpserts(1);
  std::vector<uint64_t> too_many(FeedServiceImpl::kMaxReadSeqs + 1, 1);
  for (const std::vector<uint64_t>& seqs :
       {std::vector<uint64_t>{}, too_many, std::vector<uint64_t>{1, 0}}) {
    absl::StatusOr<v1::ReadRecordsResponse> read = ReadRecords(*stub_, seqs);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument)
        << read.status();
    ASSERT_TRUE(BadRequestOf(read.status()).has_value());
    EXPECT_EQ(BadRequestOf(read.status())->field_violations(0).field(), "seqs");
  }
  // The bound itself is served.
  std::vector<uint64_t> most(FeedServiceImpl::kMaxReadSeqs, 1);
  absl::StatusOr<v1::ReadRecordsResponse> read = ReadRecords(*stub_, most);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->records_size(), 1);
}

TEST_F(FeedServiceTest, ReadRecordsIsUnavailableWhileTheLogIsNotReady) {
  StartServer();
  AppendUpserts(1);
  log_.SetNotReady(absl::UnavailableError("NATS is out of reach"));
  absl::StatusOr<v1::ReadRecordsResponse> read = ReadRecords(*stub_, {1});
  EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(ErrorInfoOf(read.status()).has_value());
  EXPECT_EQ(ErrorInfoOf(read.status())->reason(), kReasonLogUnavailable);
  EXPECT_NE(read.status().message().find("NATS is out of reach"),
            std::string::npos);
}

}  // namespace
}  // namespace bulletin
