#include "common/server/echo_service.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/server/grpc_server.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

class EchoServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.max_receive_message_bytes = 1 << 20;
    absl::StatusOr<StartedServer> started = StartGrpcServer(options, {&echo_});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    stub_ = v1::Diagnostics::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port),
                            grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { server_->Shutdown(); }

  EchoService echo_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Diagnostics::Stub> stub_;
};

TEST_F(EchoServiceTest, ReturnsThePayloadUnchanged) {
  v1::EchoRequest request;
  // Arbitrary bytes, not UTF-8: the payload is bytes.
  request.set_payload(std::string("\x00\xff\xfe load \x80", 10));
  v1::EchoResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->Echo(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.payload(), request.payload());
}

TEST_F(EchoServiceTest, AnswersAnEmptyPayload) {
  v1::EchoResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Echo(&context, v1::EchoRequest(), &response).ok());
  EXPECT_EQ(response.payload(), "");
}

TEST_F(EchoServiceTest, RefusesAPayloadOverTheServersLimit) {
  v1::EchoRequest request;
  request.set_payload(std::string(2 << 20, 'x'));
  v1::EchoResponse response;
  grpc::ClientContext context;
  grpc::Status status = stub_->Echo(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace bulletin
