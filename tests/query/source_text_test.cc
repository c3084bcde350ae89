// Reads that ask for source_text, which a replica does not keep: it comes
// from the ingest log through Feed.ReadRecords (query-service/
// source_text_reader.h), here a real Feed over a LevelDB log on a loopback
// port, with the replica's index applied by hand so that a test can put it
// behind the log.

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_server.h"
#include "common/server/grpc_status.h"
#include "gtest/gtest.h"
#include "ingest-service/feed_service_impl.h"
#include "query-service/query_service_impl.h"
#include "query-service/source_text_reader.h"
#include "tests/ingest/controlled_log.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using testing::RetractionRecord;
using testing::UpsertWithSource;

constexpr char kA[] = "aaaaaaaaaaaaaaaa";
constexpr char kB[] = "bbbbbbbbbbbbbbbb";

std::string ReasonOf(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status);
  return info.has_value() ? info->reason() : "";
}

class SourceTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    feed_ =
        std::make_unique<FeedServiceImpl>(&log_, FeedServiceImpl::Options());
    ServerOptions ingest_options;
    ingest_options.listen_address = "127.0.0.1:0";
    auto ingest = StartGrpcServer(ingest_options, {feed_.get()});
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_server_ = std::move(ingest->server);
    ingest_address_ = absl::StrCat("127.0.0.1:", ingest->port);

    FeedFollower::Options follow;
    follow.ingest_address = "127.0.0.1:1";  // Never started: not needed.
    follower_ = std::make_unique<FeedFollower>(&index_, follow, nullptr);
    service_ = std::make_unique<QueryServiceImpl>(&index_, follower_.get(),
                                                  &served_log_, &watch_hub_);
    SourceTextReader::Options read;
    read.ingest_address = ingest_address_;
    reader_ = std::make_unique<SourceTextReader>(read);
    service_->SetSourceTextReader(reader_.get());
    ServerOptions query_options;
    query_options.listen_address = "127.0.0.1:0";
    auto query = StartGrpcServer(query_options, {service_.get()});
    ASSERT_TRUE(query.ok()) << query.status();
    query_server_ = std::move(query->server);
    stub_ = v1::QueryService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", query->port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    watch_hub_.Shutdown();
    query_server_->Shutdown();
    StopIngest();
  }
  void StopIngest() {
    if (ingest_server_ == nullptr) return;
    feed_->Shutdown();
    ingest_server_->Shutdown();
    ingest_server_.reset();
  }

  // Appends `record` to the log; the record as the log holds it.
  v1::LogRecord Append(const v1::LogRecord& record) {
    absl::StatusOr<std::vector<uint64_t>> seqs =
        testing::AppendRecords(log_, {record});
    EXPECT_TRUE(seqs.ok()) << seqs.status();
    if (!seqs.ok()) return v1::LogRecord();
    absl::StatusOr<std::vector<v1::LogRecord>> read =
        log_.Read(seqs->front() - 1, 1);
    EXPECT_TRUE(read.ok() && read->size() == 1u);
    return read.ok() && !read->empty() ? read->front() : v1::LogRecord();
  }
  // Appends `record` and applies it to the replica, as the Feed would.
  void AppendAndApply(const v1::LogRecord& record) {
    index_.Apply(Append(record));
  }
  // Applies `record` to the replica after a moment, on a thread of its
  // own, as the Feed applier would while a read waits for it.
  void ApplySoon(const v1::LogRecord& record) {
    applier_ = std::thread([this, record] {
      absl::SleepFor(absl::Milliseconds(200));
      index_.Apply(record);
    });
  }
  void JoinApplier() {
    if (applier_.joinable()) applier_.join();
  }

  absl::Status Get(const std::string& id, const std::vector<std::string>& mask,
                   v1::Bulletin* bulletin) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    v1::GetRequest request;
    request.set_id(id);
    for (const std::string& path : mask) {
      request.mutable_read_mask()->add_paths(path);
    }
    v1::GetResponse response;
    absl::Status status =
        FromGrpcStatus(stub_->Get(&context, request, &response));
    *bulletin = response.bulletin();
    return status;
  }

  testing::ControlledLog log_;
  std::unique_ptr<FeedServiceImpl> feed_;
  std::unique_ptr<grpc::Server> ingest_server_;
  std::string ingest_address_;
  BulletinIndex index_;
  ServedLog served_log_;
  WatchHub watch_hub_;
  std::unique_ptr<FeedFollower> follower_;
  std::unique_ptr<SourceTextReader> reader_;
  std::unique_ptr<QueryServiceImpl> service_;
  std::unique_ptr<grpc::Server> query_server_;
  std::unique_ptr<v1::QueryService::Stub> stub_;
  std::thread applier_;
};

TEST_F(SourceTextTest, GetReadsTheSourceFromTheLogOnlyWhenTheMaskNamesIt) {
  AppendAndApply(UpsertWithSource(0, kA, 1, "全市会议召开\r\n本报讯 会议。"));
  v1::Bulletin bulletin;
  ASSERT_TRUE(Get(kA, {"source_text"}, &bulletin).ok());
  EXPECT_EQ(bulletin.source_text(), "全市会议召开\r\n本报讯 会议。");
  EXPECT_EQ(bulletin.version(), 1);
  ASSERT_TRUE(Get(kA, {}, &bulletin).ok());
  EXPECT_TRUE(bulletin.source_text().empty());
  EXPECT_EQ(bulletin.headline(), absl::StrCat("headline ", kA));

  // Ingest gone: a read of the source says so and what to do; the others
  // do not need ingest.
  StopIngest();
  const absl::Status unreachable =
      Get(kA, {"headline", "source_text"}, &bulletin);
  EXPECT_EQ(unreachable.code(), absl::StatusCode::kUnavailable) << unreachable;
  EXPECT_EQ(ReasonOf(unreachable), kReasonLogUnavailable);
  EXPECT_TRUE(RetryInfoOf(unreachable).has_value());
  EXPECT_NE(unreachable.message().find(ingest_address_), std::string::npos)
      << unreachable;
  EXPECT_NE(unreachable.message().find("omit source_text from read_mask"),
            std::string::npos)
      << unreachable;
  ASSERT_TRUE(Get(kA, {"headline"}, &bulletin).ok());
  EXPECT_EQ(bulletin.headline(), absl::StrCat("headline ", kA));
}

TEST_F(SourceTextTest, BatchGetAndSearchGetEveryBulletinsOwnSource) {
  AppendAndApply(UpsertWithSource(0, kA, 1, "源文 a"));
  AppendAndApply(UpsertWithSource(0, kB, 1, "源文 b"));
  AppendAndApply(UpsertWithSource(0, kA, 2, "源文 a 第二版"));
  {
    grpc::ClientContext context;
    v1::BatchGetRequest request;
    request.add_ids(kB);
    request.add_ids(kA);
    request.add_ids(kB);
    request.mutable_read_mask()->add_paths("source_text");
    v1::BatchGetResponse response;
    grpc::Status status = stub_->BatchGet(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.bulletins_size(), 3);
    EXPECT_EQ(response.bulletins(0).source_text(), "源文 b");
    EXPECT_EQ(response.bulletins(1).source_text(), "源文 a 第二版");
    EXPECT_EQ(response.bulletins(2).source_text(), "源文 b");
  }
  {
    grpc::ClientContext context;
    v1::SearchRequest request;
    request.set_query("headline");
    request.set_include_bulletins(true);
    request.mutable_read_mask()->add_paths("source_text");
    v1::SearchResponse response;
    grpc::Status status = stub_->Search(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.hits_size(), 2);
    for (const v1::Hit& hit : response.hits()) {
      EXPECT_EQ(hit.bulletin().source_text(),
                hit.bulletin_id() == kA ? "源文 a 第二版" : "源文 b");
    }
  }
}

// The version the replica holds was replaced in the log before its source
// was read: the read waits for the replica to apply the new version and
// answers with it, whole, never the old version with the new text.
TEST_F(SourceTextTest, AVersionReplacedInTheLogIsReadAgainOnceApplied) {
  AppendAndApply(UpsertWithSource(0, kA, 1, "第一版"));
  ApplySoon(Append(UpsertWithSource(0, kA, 2, "第二版")));
  v1::Bulletin bulletin;
  const absl::Status read = Get(kA, {"version", "source_text"}, &bulletin);
  JoinApplier();
  ASSERT_TRUE(read.ok()) << read;
  EXPECT_EQ(bulletin.version(), 2);
  EXPECT_EQ(bulletin.source_text(), "第二版");
}

TEST_F(SourceTextTest, ARetractionRacingTheReadIsNotFound) {
  AppendAndApply(UpsertWithSource(0, kA, 1, "第一版"));
  ApplySoon(Append(RetractionRecord(0, kA)));
  v1::Bulletin bulletin;
  const absl::Status read = Get(kA, {"source_text"}, &bulletin);
  JoinApplier();
  EXPECT_EQ(read.code(), absl::StatusCode::kNotFound) << read;
  EXPECT_TRUE(bulletin.source_text().empty());
}

// A replica that does not catch up with the log in time answers ABORTED,
// rather than the text of a version it does not hold.
TEST_F(SourceTextTest, AReplicaStillBehindTheLogIsAborted) {
  AppendAndApply(UpsertWithSource(0, kA, 1, "第一版"));
  Append(UpsertWithSource(0, kA, 2, "第二版"));  // Not applied.
  v1::Bulletin bulletin;
  const absl::Status read = Get(kA, {"source_text"}, &bulletin);
  EXPECT_EQ(read.code(), absl::StatusCode::kAborted) << read;
  EXPECT_EQ(ReasonOf(read), kReasonContended);
  EXPECT_TRUE(RetryInfoOf(read).has_value());
  EXPECT_TRUE(bulletin.source_text().empty());
}

// Records at the same seqs in another log are not this replica's.
TEST_F(SourceTextTest, AnotherLogIsNotReadFrom) {
  AppendAndApply(UpsertWithSource(0, kA, 1, "第一版"));
  index_.SetLogIdentity({"another-log", 1});
  v1::Bulletin bulletin;
  const absl::Status read = Get(kA, {"source_text"}, &bulletin);
  EXPECT_EQ(read.code(), absl::StatusCode::kUnavailable) << read;
  EXPECT_NE(read.message().find("another-log"), std::string::npos) << read;
  EXPECT_TRUE(bulletin.source_text().empty());
}

}  // namespace
}  // namespace bulletin
