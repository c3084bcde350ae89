// Bad input of every kind against the real ingest-service: each gets a
// defined status and a message a person can act on, nothing is written, and
// the service goes on serving everyone else.

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

struct BadInput {
  std::string name;
  std::string content;
  grpc::StatusCode code;
  // A part of the message that tells the submitter what is wrong.
  std::string message_part;
};

std::string Repeat(absl::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) absl::StrAppend(&out, text);
  return out;
}

std::vector<BadInput> BadInputs() {
  return {
      {"empty", "", grpc::StatusCode::INVALID_ARGUMENT, "empty"},
      {"whitespace only", " \n\t\r\n\u3000\n",
       grpc::StatusCode::INVALID_ARGUMENT, "whitespace"},
      {"binary", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16),
       grpc::StatusCode::INVALID_ARGUMENT, "binary"},
      {"NUL bytes", std::string("标题\n正文\0内容\n", 20),
       grpc::StatusCode::INVALID_ARGUMENT, "NUL byte at offset 13"},
      {"invalid UTF-8", "\x80\x80标题\n", grpc::StatusCode::INVALID_ARGUMENT,
       "not UTF-8"},
      {"mixed encodings",
       "标题\n\xD5\xFD\xCE\xC4\xC4\xDA\xC8\xDD\n",  // 正文内容 in GBK.
       grpc::StatusCode::INVALID_ARGUMENT, "mixes encodings"},
      {"over the bulletin limit", std::string((4 << 20) + 1000, 'a'),
       grpc::StatusCode::RESOURCE_EXHAUSTED, "bytes"},
      {"100 MB", std::string(100 << 20, 'a'),
       grpc::StatusCode::RESOURCE_EXHAUSTED, "larger than max"},
  };
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest().ok());
    grpc::ChannelArguments arguments;
    arguments.SetMaxSendMessageSize(200 << 20);
    ingest_ = v1::IngestService::NewStub(grpc::CreateCustomChannel(
        pair_.ingest_address(), grpc::InsecureChannelCredentials(), arguments));
  }

  grpc::Status Submit(const v1::SubmitRequest& request,
                      v1::SubmitResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return ingest_->Submit(&context, request, response);
  }

  grpc::Status SubmitText(const std::string& content,
                          v1::SubmitResponse* response) {
    v1::SubmitRequest request;
    request.set_content(content);
    return Submit(request, response);
  }

  ServicePair pair_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
};

TEST_F(BadInputTest, EachBadInputGetsItsStatusAndNothingIsWritten) {
  for (const BadInput& input : BadInputs()) {
    SCOPED_TRACE(input.name);
    v1::SubmitResponse response;
    grpc::Status status = SubmitText(input.content, &response);
    EXPECT_EQ(status.error_code(), input.code) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(input.message_part));
  }
  // Nothing was written, and the service still takes good bulletins.
  v1::SubmitResponse response;
  ASSERT_TRUE(SubmitText("标题\n忠县政协召开会议。\n", &response).ok());
  EXPECT_EQ(response.seq(), 1u);
}

TEST_F(BadInputTest, AwkwardButValidTextIsAccepted) {
  std::string many_paragraphs = "标题\n";
  for (int i = 0; i < 10000; ++i) {
    absl::StrAppend(&many_paragraphs, "第", i, "段。\n");
  }
  const std::vector<std::string> texts = {
      "标题\n" + Repeat("长", 350000) + "\n",  // One 1 MB line.
      many_paragraphs,
      "标题“没有结束\n(正文【内容\n“引号”)))\n",  // Unbalanced quotes,
                                                  // brackets.
  };
  uint64_t seq = 0;
  for (const std::string& text : texts) {
    v1::SubmitResponse response;
    grpc::Status status = SubmitText(text, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.seq(), ++seq);
  }
}

TEST_F(BadInputTest, UnknownFieldsAreIgnored) {
  v1::SubmitRequest request;
  request.set_content("标题\n导语。\n");
  // A field from a newer client that this server does not know.
  request.GetReflection()->MutableUnknownFields(&request)->AddVarint(999, 7);
  v1::SubmitResponse response;
  grpc::Status status = Submit(request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(BadInputTest, BadFieldsAreNamed) {
  v1::SubmitRequest request;
  request.set_content("标题\n导语。\n");
  request.set_date("2021-02-30");
  v1::SubmitResponse response;
  grpc::Status status = Submit(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("date"));
  request.set_date("");
  request.set_external_id(std::string(257, 'x'));
  status = Submit(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("external_id"));
}

TEST_F(BadInputTest, ConcurrentSubmitsOfTheSameTextWriteItOnce) {
  constexpr int kThreads = 16;
  std::vector<v1::SubmitResponse> responses(kThreads);
  std::vector<grpc::Status> statuses(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      statuses[t] = SubmitText("标题\n同一篇稿件。\n", &responses[t]);
    });
  }
  for (std::thread& thread : threads) thread.join();
  int written = 0;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(statuses[t].ok()) << statuses[t].error_message();
    EXPECT_EQ(responses[t].id(), responses[0].id());
    EXPECT_EQ(responses[t].seq(), 1u);
    if (!responses[t].duplicate()) ++written;
  }
  EXPECT_EQ(written, 1);
}

TEST_F(BadInputTest, OversizedQueryMessageIsRefusedAndTheReplicaGoesOn) {
  ASSERT_TRUE(pair_.StartQuery().ok());
  ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
  grpc::ChannelArguments arguments;
  arguments.SetMaxSendMessageSize(16 << 20);
  auto query = v1::QueryService::NewStub(grpc::CreateCustomChannel(
      pair_.query_address(), grpc::InsecureChannelCredentials(), arguments));
  v1::SearchRequest request;
  request.set_query(std::string(2 << 20, 'a'));
  v1::SearchResponse response;
  {
    grpc::ClientContext context;
    EXPECT_EQ(query->Search(&context, request, &response).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  request.set_query("政协");
  grpc::ClientContext context;
  EXPECT_TRUE(query->Search(&context, request, &response).ok());
}

}  // namespace
}  // namespace bulletin::testing
