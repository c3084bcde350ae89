// bulletin/client.h's service config at work: which calls gRPC retries on
// UNAVAILABLE (reads always, Submit and Retract only with a request_id)
// and round_robin across every address of a target. The servers are
// in-process fakes that fail the first attempts of each call.

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bulletin/client.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

// Answers UNAVAILABLE to the first `failures` attempts of each method,
// then succeeds; counts every attempt.
class FlakyServices final : public v1::IngestService::Service,
                            public v1::QueryService::Service {
 public:
  explicit FlakyServices(int failures) : failures_(failures) {}

  grpc::Status Submit(grpc::ServerContext*, const v1::SubmitRequest*,
                      v1::SubmitResponse* response) override {
    response->set_seq(7);
    return Attempt(submits_);
  }
  grpc::Status Retract(grpc::ServerContext*, const v1::RetractRequest*,
                       v1::RetractResponse* response) override {
    response->set_seq(8);
    return Attempt(retracts_);
  }
  grpc::Status Get(grpc::ServerContext*, const v1::GetRequest*,
                   v1::GetResponse* response) override {
    response->mutable_bulletin()->set_id("0123456789abcdef");
    return Attempt(gets_);
  }
  grpc::Status BatchGet(grpc::ServerContext*, const v1::BatchGetRequest*,
                        v1::BatchGetResponse* response) override {
    response->add_bulletins()->set_id("0123456789abcdef");
    return Attempt(batch_gets_);
  }

  int submits() const { return submits_; }
  int retracts() const { return retracts_; }
  int gets() const { return gets_; }
  int batch_gets() const { return batch_gets_; }

 private:
  grpc::Status Attempt(std::atomic<int>& attempts) {
    if (attempts.fetch_add(1) < failures_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "try again");
    }
    return grpc::Status::OK;
  }

  const int failures_;
  std::atomic<int> submits_{0};
  std::atomic<int> retracts_{0};
  std::atomic<int> gets_{0};
  std::atomic<int> batch_gets_{0};
};

// A server on a free loopback port with `services`.
class FakeServer {
 public:
  explicit FakeServer(int failures) : services_(failures) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(
        static_cast<v1::IngestService::Service*>(&services_));
    builder.RegisterService(
        static_cast<v1::QueryService::Service*>(&services_));
    server_ = builder.BuildAndStart();
  }
  ~FakeServer() { server_->Shutdown(); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  const FlakyServices& services() const { return services_; }

 private:
  FlakyServices services_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

TEST(ClientChannelTest, GetIsRetriedOnUnavailable) {
  FakeServer server(/*failures=*/2);
  auto query = v1::QueryService::NewStub(CreateChannel(server.address()));
  grpc::ClientContext context;
  v1::GetRequest request;
  request.set_id("0123456789abcdef");
  v1::GetResponse response;
  grpc::Status status = query->Get(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(server.services().gets(), 3);
}

TEST(ClientChannelTest, BatchGetIsRetriedOnUnavailable) {
  FakeServer server(/*failures=*/2);
  auto query = v1::QueryService::NewStub(CreateChannel(server.address()));
  grpc::ClientContext context;
  v1::BatchGetRequest request;
  request.add_ids("0123456789abcdef");
  v1::BatchGetResponse response;
  grpc::Status status = query->BatchGet(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.bulletins_size(), 1);
  EXPECT_EQ(server.services().batch_gets(), 3);
}

TEST(ClientChannelTest, WritesWithARequestIdAreRetried) {
  FakeServer server(/*failures=*/1);
  IngestClient ingest(server.address());
  {
    v1::SubmitRequest request;
    request.set_content("text");
    request.set_request_id("submit-1");
    v1::SubmitResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(ingest.Submit(&context, request, &response).ok());
    EXPECT_EQ(response.seq(), 7u);
  }
  {
    v1::RetractRequest request;
    request.set_id("0123456789abcdef");
    request.set_request_id("retract-1");
    v1::RetractResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(ingest.Retract(&context, request, &response).ok());
  }
  EXPECT_EQ(server.services().submits(), 2);
  EXPECT_EQ(server.services().retracts(), 2);
}

TEST(ClientChannelTest, WritesWithoutARequestIdAreNotRetried) {
  FakeServer server(/*failures=*/1);
  IngestClient ingest(server.address());
  {
    v1::SubmitRequest request;
    request.set_content("text");
    v1::SubmitResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(ingest.Submit(&context, request, &response).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  {
    v1::RetractRequest request;
    request.set_id("0123456789abcdef");
    v1::RetractResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(ingest.Retract(&context, request, &response).error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  EXPECT_EQ(server.services().submits(), 1);
  EXPECT_EQ(server.services().retracts(), 1);
}

TEST(ClientChannelTest, RoundRobinSpreadsCallsOverEveryAddress) {
  FakeServer first(/*failures=*/0);
  FakeServer second(/*failures=*/0);
  auto query = v1::QueryService::NewStub(CreateChannel(
      absl::StrCat("ipv4:", first.address(), ",", second.address())));
  // round_robin sends calls to every READY address; the second may become
  // READY a little after the first, so call until both have answered (a
  // pick_first channel would send all of them to one).
  int calls = 0;
  while (calls < 1000 &&
         (first.services().gets() == 0 || second.services().gets() == 0)) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    v1::GetRequest request;
    v1::GetResponse response;
    ASSERT_TRUE(query->Get(&context, request, &response).ok());
    ++calls;
  }
  EXPECT_GT(first.services().gets(), 0);
  EXPECT_GT(second.services().gets(), 0);
}

}  // namespace
}  // namespace bulletin
