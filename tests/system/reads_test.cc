// Reads on the real services: Get's read_mask (source_text only when
// asked, and read from ingest's log), BatchGet, and the bound on a
// response's size.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

class ReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest().ok());
    ASSERT_TRUE(pair_.StartQuery().ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
    grpc::ChannelArguments big;
    big.SetMaxSendMessageSize(16 << 20);
    ingest_ = v1::IngestService::NewStub(grpc::CreateCustomChannel(
        pair_.ingest_address(), grpc::InsecureChannelCredentials(), big));
    // A default client: it receives at most 4 MiB.
    query_ = v1::QueryService::NewStub(grpc::CreateChannel(
        pair_.query_address(), grpc::InsecureChannelCredentials()));
  }
  v1::SubmitResponse Submit(const std::string& text) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::SubmitRequest request;
    request.set_content(text);
    v1::SubmitResponse response;
    grpc::Status status = ingest_->Submit(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
  absl::Status Get(v1::GetRequest request, v1::Bulletin* bulletin) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    request.set_min_seq(last_seq_);
    v1::GetResponse response;
    absl::Status status =
        FromGrpcStatus(query_->Get(&context, request, &response));
    *bulletin = response.bulletin();
    return status;
  }
  absl::Status BatchGet(v1::BatchGetRequest request,
                        v1::BatchGetResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    request.set_min_seq(last_seq_);
    return FromGrpcStatus(query_->BatchGet(&context, request, response));
  }

  ServicePair pair_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  uint64_t last_seq_ = 0;
};

TEST_F(ReadsTest, SourceTextComesOnlyWhenAskedFor) {
  const std::string example = ReadExample("chongqing-cppcc-roundup.txt");
  const v1::SubmitResponse submitted = Submit(example);
  last_seq_ = submitted.seq();
  v1::GetRequest get;
  get.set_id(submitted.id());
  v1::Bulletin plain;
  ASSERT_TRUE(Get(get, &plain).ok());
  EXPECT_TRUE(plain.source_text().empty());
  EXPECT_FALSE(plain.headline().empty());
  EXPECT_GT(plain.items_size(), 0);

  get.mutable_read_mask()->add_paths("source_text");
  v1::Bulletin text_only;
  ASSERT_TRUE(Get(get, &text_only).ok());
  EXPECT_EQ(text_only.source_text(), example);  // A UTF-8 file, as sent.
  EXPECT_EQ(text_only.id(), submitted.id());
  EXPECT_EQ(text_only.seq(), submitted.seq());
  EXPECT_EQ(text_only.version(), 1);
  EXPECT_TRUE(text_only.headline().empty());
  EXPECT_EQ(text_only.items_size(), 0);

  get.mutable_read_mask()->add_paths("no_such_field");
  v1::Bulletin refused;
  absl::Status invalid = Get(get, &refused);
  EXPECT_EQ(invalid.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(invalid).has_value());
  EXPECT_EQ(BadRequestOf(invalid)->field_violations(0).field(), "read_mask");
}

// The replica keeps no source text: it reads it from ingest's log, so a
// read that asks for it needs ingest, and one that does not never does.
TEST_F(ReadsTest, SourceTextIsReadFromTheIngestLog) {
  // CRLF and a trailing blank line: the source is the text as sent.
  const std::string sent =
      "全市安全生产会议召开\r\n\r\n本报讯 近日，市应急管理局"
      "召开会议，部署冬春季安全生产工作。\r\n\r\n";
  const v1::SubmitResponse submitted = Submit(sent);
  last_seq_ = submitted.seq();
  v1::GetRequest with_source;
  with_source.set_id(submitted.id());
  with_source.mutable_read_mask()->add_paths("headline");
  with_source.mutable_read_mask()->add_paths("source_text");
  v1::Bulletin bulletin;
  ASSERT_TRUE(Get(with_source, &bulletin).ok());
  EXPECT_EQ(bulletin.source_text(), sent);
  EXPECT_EQ(bulletin.headline(), "全市安全生产会议召开");
  v1::GetRequest plain;
  plain.set_id(submitted.id());
  ASSERT_TRUE(Get(plain, &bulletin).ok());
  EXPECT_TRUE(bulletin.source_text().empty());
  EXPECT_EQ(bulletin.headline(), "全市安全生产会议召开");

  pair_.ingest()->Kill();
  const absl::Status unreachable = Get(with_source, &bulletin);
  EXPECT_EQ(unreachable.code(), absl::StatusCode::kUnavailable) << unreachable;
  ASSERT_TRUE(ErrorInfoOf(unreachable).has_value()) << unreachable;
  EXPECT_EQ(ErrorInfoOf(unreachable)->reason(), kReasonLogUnavailable);
  EXPECT_NE(
      unreachable.message().find("unreachable at " + pair_.ingest_address()),
      std::string::npos)
      << unreachable;
  EXPECT_NE(unreachable.message().find("omit source_text from read_mask"),
            std::string::npos)
      << unreachable;
  // Reads that do not ask for the source answer from the replica alone.
  ASSERT_TRUE(Get(plain, &bulletin).ok());
  EXPECT_EQ(bulletin.headline(), "全市安全生产会议召开");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  v1::SearchRequest search;
  search.set_query("应急管理局");
  search.set_include_bulletins(true);
  v1::SearchResponse found;
  grpc::Status searched = query_->Search(&context, search, &found);
  ASSERT_TRUE(searched.ok()) << searched.error_message();
  ASSERT_EQ(found.hits_size(), 1);
  EXPECT_EQ(found.hits(0).bulletin().headline(), "全市安全生产会议召开");
}

TEST_F(ReadsTest, BatchGetAnswersInOrderOrNamesWhatIsMissing) {
  const v1::SubmitResponse first = Submit("第一篇\n导语。\n");
  const v1::SubmitResponse second = Submit("第二篇\n导语。\n");
  last_seq_ = second.seq();
  v1::BatchGetRequest request;
  request.add_ids(second.id());
  request.add_ids(first.id());
  request.mutable_read_mask()->add_paths("headline");
  v1::BatchGetResponse response;
  ASSERT_TRUE(BatchGet(request, &response).ok());
  ASSERT_EQ(response.bulletins_size(), 2);
  EXPECT_EQ(response.bulletins(0).id(), second.id());
  EXPECT_EQ(response.bulletins(0).headline(), "第二篇");
  EXPECT_EQ(response.bulletins(1).id(), first.id());

  request.add_ids("00000000000000ff");
  v1::BatchGetResponse none;
  absl::Status missing = BatchGet(request, &none);
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("00000000000000ff"), std::string::npos);
  EXPECT_EQ(none.bulletins_size(), 0);

  v1::BatchGetRequest too_many;
  for (int i = 0; i < 101; ++i) too_many.add_ids(first.id());
  EXPECT_EQ(BatchGet(too_many, &response).code(),
            absl::StatusCode::kInvalidArgument);
}

// A bulletin whose record is over what a default client receives: the
// answer says it is too large (instead of failing in the client), and a
// narrower read_mask gets what fits.
TEST_F(ReadsTest, AResponseOverTheBoundIsRefusedWithAReason) {
  std::string text = "很长的标题\n";
  while (text.size() < (3 << 20))
    text += "区政协召开常委会议,传达学习有关精神。\n";
  const v1::SubmitResponse submitted = Submit(text);
  last_seq_ = submitted.seq();
  v1::GetRequest get;
  get.set_id(submitted.id());
  v1::Bulletin bulletin;
  absl::Status too_large = Get(get, &bulletin);
  EXPECT_EQ(too_large.code(), absl::StatusCode::kResourceExhausted)
      << too_large;
  ASSERT_TRUE(ErrorInfoOf(too_large).has_value()) << too_large;
  EXPECT_EQ(ErrorInfoOf(too_large)->reason(), kReasonTooLarge);
  get.mutable_read_mask()->add_paths("headline");
  absl::Status narrow = Get(get, &bulletin);
  ASSERT_TRUE(narrow.ok()) << narrow;
  EXPECT_EQ(bulletin.headline(), "很长的标题");
}

}  // namespace
}  // namespace bulletin::testing
