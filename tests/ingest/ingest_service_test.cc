#include <fstream>
#include <sstream>

#include "bulletin/v1/ingest.grpc.pb.h"
#include "common/server/grpc_server.h"
#include "gtest/gtest.h"
#include "ingest-service/ingest_service_impl.h"
#include "ingest-service/log/leveldb_log.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(BULLETIN_EXAMPLES_DIR) + "/" + name,
                   std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = LevelDbLog::Open(dir_.path(), {});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    auto committer = GroupCommitter::Start(log_.get(), {});
    ASSERT_TRUE(committer.ok());
    committer_ = *std::move(committer);
    IngestServiceImpl::Options options;
    options.max_bulletin_bytes = 64 << 10;
    service_ = std::make_unique<IngestServiceImpl>(committer_.get(), options);
    ServerOptions server_options;
    server_options.listen_address = "127.0.0.1:0";
    server_options.max_receive_message_bytes = 256 << 10;
    auto started = StartGrpcServer(server_options, {service_.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    stub_ = v1::IngestService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    server_->Shutdown();
    committer_->Stop();
  }

  grpc::Status Submit(const std::string& content, v1::SubmitResponse* response,
                      const std::string& external_id = "",
                      const std::string& date = "") {
    v1::SubmitRequest request;
    request.set_content(content);
    request.set_external_id(external_id);
    request.set_date(date);
    grpc::ClientContext context;
    return stub_->Submit(&context, request, response);
  }

  testing::TempDir dir_;
  std::unique_ptr<LevelDbLog> log_;
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<IngestServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

TEST_F(IngestServiceTest, SubmitWritesTheParsedRecordBeforeAnswering) {
  const std::string seed = ReadExample("chongqing-cppcc-roundup.txt");
  ASSERT_FALSE(seed.empty());
  v1::SubmitResponse response;
  ASSERT_TRUE(Submit(seed, &response).ok());
  EXPECT_EQ(response.seq(), 1u);
  EXPECT_FALSE(response.duplicate());
  EXPECT_EQ(response.id().size(), 16u);
  auto records = log_->Read(0, 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const v1::Bulletin& stored = (*records)[0].upsert();
  EXPECT_EQ(stored.id(), response.id());
  EXPECT_EQ(stored.seq(), 1u);
  EXPECT_EQ(stored.headline(), "区县政协组织学习贯彻党的十九届六中全会精神");
  EXPECT_EQ(stored.source_text(), seed);
}

TEST_F(IngestServiceTest, SameTextInAnotherEncodingIsADuplicate) {
  v1::SubmitResponse first, second;
  ASSERT_TRUE(Submit("标题\n导语。\n", &first).ok());
  ASSERT_TRUE(Submit("\xEF\xBB\xBF标题\r\n导语。\r\n", &second).ok());
  EXPECT_TRUE(second.duplicate());
  EXPECT_EQ(second.id(), first.id());
  EXPECT_EQ(second.seq(), first.seq());
  EXPECT_EQ(log_->head_seq(), 1u);
}

TEST_F(IngestServiceTest, ExternalIdCorrectionKeepsTheIdWithANewSeq) {
  v1::SubmitResponse first, corrected;
  ASSERT_TRUE(Submit("标题\n第一版。\n", &first, "cms-7").ok());
  ASSERT_TRUE(Submit("标题\n更正版。\n", &corrected, "cms-7").ok());
  EXPECT_EQ(corrected.id(), first.id());
  EXPECT_EQ(corrected.seq(), 2u);
  EXPECT_FALSE(corrected.duplicate());
}

TEST_F(IngestServiceTest, RetractNeedsALiveId) {
  v1::SubmitResponse submitted;
  ASSERT_TRUE(Submit("标题\n导语。\n", &submitted).ok());
  v1::RetractRequest request;
  v1::RetractResponse response;
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->Retract(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  request.set_id(submitted.id());
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Retract(&context, request, &response).ok());
    EXPECT_EQ(response.seq(), 2u);
  }
  {
    grpc::ClientContext context;
    EXPECT_EQ(stub_->Retract(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
}

TEST_F(IngestServiceTest, BadInputIsRejectedAndNothingIsWritten) {
  v1::SubmitResponse response;
  EXPECT_EQ(Submit("", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit(" \n\t\n", &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit("标题\n导语。\n", &response, "", "2021-13-40").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Submit("标题\n导语。\n", &response, std::string(300, 'x')).error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // Over the bulletin limit but under the message limit: the parser refuses.
  EXPECT_EQ(Submit(std::string(100 << 10, 'a'), &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Over the message limit: gRPC refuses before any handler runs.
  EXPECT_EQ(Submit(std::string(1 << 20, 'a'), &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(log_->head_seq(), 0u);
}

// The request's content_type reaches the parser: stated plain text keeps its
// angle brackets, and a type ingest does not read is refused.
TEST_F(IngestServiceTest, TheStatedContentTypeDecidesHowTheTextIsRead) {
  v1::ParseRequest request;
  request.set_content("<b>标题</b>\n导语。\n");
  v1::ParseResponse detected;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Parse(&context, request, &detected).ok());
  }
  EXPECT_EQ(detected.bulletin().headline(), "标题");
  request.set_content_type("text/plain; charset=utf-8");
  v1::ParseResponse plain;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Parse(&context, request, &plain).ok());
  }
  EXPECT_EQ(plain.bulletin().headline(), "<b>标题</b>");
  v1::SubmitRequest submit;
  submit.set_content("标题\n导语。\n");
  submit.set_content_type("image/png");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  grpc::Status refused = stub_->Submit(&context, submit, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("text/plain"), std::string::npos);
  EXPECT_EQ(log_->head_seq(), 0u);
}

TEST_F(IngestServiceTest, ParseWritesNothing) {
  v1::ParseRequest request;
  request.set_content(ReadExample("chongqing-cppcc-roundup.txt"));
  v1::ParseResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Parse(&context, request, &response).ok());
  EXPECT_EQ(response.bulletin().kicker(), "为新时代新征程汇聚力量");
  EXPECT_TRUE(response.bulletin().id().empty());
  EXPECT_EQ(log_->head_seq(), 0u);
}

}  // namespace
}  // namespace bulletin
