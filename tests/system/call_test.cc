// What every call gets on the real binaries: a request id back in trailing
// metadata and in the logs (the client's, or a generated one), the caller in
// Submit's log line, and INVALID_ARGUMENT, not INTERNAL, for request bytes
// that are not the method's message.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/diagnostics.grpc.pb.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// The value of `key` in a call's trailing metadata, or "(absent)".
std::string Trailer(const grpc::ClientContext& context,
                    const std::string& key) {
  auto it = context.GetServerTrailingMetadata().find(key);
  if (it == context.GetServerTrailingMetadata().end()) return "(absent)";
  return std::string(it->second.data(), it->second.size());
}

class CallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest().ok());
    ASSERT_TRUE(pair_.StartQuery().ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
    ingest_ = v1::IngestService::NewStub(grpc::CreateChannel(
        pair_.ingest_address(), grpc::InsecureChannelCredentials()));
  }

  ServicePair pair_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
};

TEST_F(CallTest, BytesThatAreNotTheRequestMessageAreInvalidArgument) {
  // Field 1 as a length-delimited value claiming more bytes than follow.
  const std::string garbage("\x0a\xff\xff\x03zz", 6);
  for (const auto& [address, method] :
       std::vector<std::pair<std::string, std::string>>{
           {pair_.ingest_address(), "/bulletin.v1.IngestService/Submit"},
           {pair_.ingest_address(), "/bulletin.v1.IngestService/Parse"},
           {pair_.ingest_address(), "/bulletin.v1.IngestService/Retract"},
           {pair_.query_address(), "/bulletin.v1.QueryService/Search"},
           {pair_.query_address(), "/bulletin.v1.QueryService/Get"}}) {
    const grpc::Status status = CallWithBytes(address, method, garbage);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("not a valid protobuf"))
        << method;
    auto info = ErrorInfoOf(FromGrpcStatus(status));
    ASSERT_TRUE(info.has_value()) << method;
    EXPECT_EQ(info->reason(), kReasonMalformedRequest);
  }
  // Still serving everyone else.
  v1::SubmitRequest request;
  request.set_content("第1号快讯\n江津区政协召开会议。\n");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  EXPECT_TRUE(ingest_->Submit(&context, request, &response).ok());
}

TEST_F(CallTest, TheClientsRequestIdComesBackAndIsLogged) {
  v1::SubmitRequest request;
  request.set_content("第2号快讯\n江津区政协召开会议。\n");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "cms-42.a");
  ASSERT_TRUE(ingest_->Submit(&context, request, &response).ok());
  EXPECT_EQ(Trailer(context, "x-request-id"), "cms-42.a");
  EXPECT_THAT(FileTail(pair_.ingest()->log_path(), 1 << 20),
              ContainsRegex("\"event\":\"submit_acked\".*\"request_id\":"
                            "\"cms-42.a\",\"caller\":\"anonymous\""));
}

// The HTTP gateway names the caller it authenticated in metadata that only
// a call from inside the process can prove; a network client that sends
// the same metadata is still anonymous.
TEST_F(CallTest, ANetworkClientCannotClaimACaller) {
  v1::SubmitRequest request;
  request.set_content("第5号快讯\n江津区政协召开会议。\n");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "forged-caller-1");
  context.AddMetadata("x-bulletin-caller", "bearer:0badc0de");
  context.AddMetadata("x-bulletin-in-process-key", "guessed");
  ASSERT_TRUE(ingest_->Submit(&context, request, &response).ok());
  const std::string log = FileTail(pair_.ingest()->log_path(), 1 << 20);
  EXPECT_THAT(log, ContainsRegex("\"request_id\":\"forged-caller-1\","
                                 "\"caller\":\"anonymous\""));
  EXPECT_THAT(log, Not(HasSubstr("0badc0de")));
}

TEST_F(CallTest, ACallWithoutAUsableRequestIdGetsOne) {
  for (const std::string& given : {std::string(), std::string("has space")}) {
    v1::SubmitRequest request;
    request.set_content(absl::StrCat("第3号快讯\n", given, "江津区政协。\n"));
    v1::SubmitResponse response;
    grpc::ClientContext context;
    if (!given.empty()) context.AddMetadata("x-request-id", given);
    ASSERT_TRUE(ingest_->Submit(&context, request, &response).ok());
    const std::string id = Trailer(context, "x-request-id");
    EXPECT_THAT(id, MatchesRegex("[0-9a-f]{16}")) << given;
    EXPECT_THAT(FileTail(pair_.ingest()->log_path(), 1 << 20),
                HasSubstr(absl::StrCat("\"request_id\":\"", id, "\"")));
  }
}

TEST_F(CallTest, AFailedCallIsLoggedWithItsRequestId) {
  auto query = v1::QueryService::NewStub(grpc::CreateChannel(
      pair_.query_address(), grpc::InsecureChannelCredentials()));
  v1::GetRequest request;
  request.set_id("00000000000000ee");  // well formed, never submitted
  v1::GetResponse response;
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "lookup-7");
  const grpc::Status status = query->Get(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Trailer(context, "x-request-id"), "lookup-7");
  EXPECT_THAT(FileTail(pair_.query()->log_path(), 1 << 20),
              ContainsRegex("\"event\":\"rpc_failed\",\"method\":\"/"
                            "bulletin.v1.QueryService/Get\",\"code\":"
                            "\"NOT_FOUND\".*\"request_id\":\"lookup-7\""));
}

TEST(EchoTest, TheDiagnosticEchoIsServedOnlyWhenEnabled) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery({"--enable_echo"}).ok());
  for (const auto& [address, code] :
       std::vector<std::pair<std::string, grpc::StatusCode>>{
           {pair.ingest_address(), grpc::StatusCode::UNIMPLEMENTED},
           {pair.query_address(), grpc::StatusCode::OK}}) {
    auto stub = v1::Diagnostics::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    v1::EchoRequest request;
    v1::EchoResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    EXPECT_EQ(stub->Echo(&context, request, &response).error_code(), code)
        << address;
  }
}

}  // namespace
}  // namespace bulletin::testing
