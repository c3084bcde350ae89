#include "bulletin/client.h"

#include <memory>
#include <string>
#include <utility>

namespace bulletin {
namespace {

// One methodConfig entry: `names` (a JSON list of {service, method}) retried
// on UNAVAILABLE.
std::string RetriedMethods(const std::string& names) {
  return R"({"name": [)" + names + R"(],
      "retryPolicy": {
        "maxAttempts": 4,
        "initialBackoff": "0.1s",
        "maxBackoff": "2s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"]
      }})";
}

}  // namespace

std::string DefaultServiceConfig(RetryWrites retry_writes) {
  std::string names = R"(
      {"service": "bulletin.v1.QueryService", "method": "Get"},
      {"service": "bulletin.v1.QueryService", "method": "BatchGet"},
      {"service": "bulletin.v1.QueryService", "method": "Search"},
      {"service": "bulletin.v1.QueryService", "method": "Stats"},
      {"service": "bulletin.v1.IngestService", "method": "Parse"})";
  if (retry_writes == RetryWrites::kYes) {
    names += R"(,
      {"service": "bulletin.v1.IngestService", "method": "Submit"},
      {"service": "bulletin.v1.IngestService", "method": "Retract"})";
  }
  return R"({"loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [)" +
         RetriedMethods(names) + "]}";
}

std::shared_ptr<grpc::Channel> CreateChannel(
    const std::string& target,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    RetryWrites retry_writes) {
  grpc::ChannelArguments arguments;
  arguments.SetServiceConfigJSON(DefaultServiceConfig(retry_writes));
  return grpc::CreateCustomChannel(target, credentials, arguments);
}

IngestClient::IngestClient(
    const std::string& target,
    std::shared_ptr<grpc::ChannelCredentials> credentials)
    : retrying_(v1::IngestService::NewStub(
          CreateChannel(target, credentials, RetryWrites::kYes))),
      not_retrying_(v1::IngestService::NewStub(
          CreateChannel(target, credentials, RetryWrites::kNo))) {}

grpc::Status IngestClient::Submit(grpc::ClientContext* context,
                                  const v1::SubmitRequest& request,
                                  v1::SubmitResponse* response) {
  v1::IngestService::Stub& stub =
      request.request_id().empty() ? *not_retrying_ : *retrying_;
  return stub.Submit(context, request, response);
}

grpc::Status IngestClient::Retract(grpc::ClientContext* context,
                                   const v1::RetractRequest& request,
                                   v1::RetractResponse* response) {
  v1::IngestService::Stub& stub =
      request.request_id().empty() ? *not_retrying_ : *retrying_;
  return stub.Retract(context, request, response);
}

grpc::Status IngestClient::Parse(grpc::ClientContext* context,
                                 const v1::ParseRequest& request,
                                 v1::ParseResponse* response) {
  return retrying_->Parse(context, request, response);
}

}  // namespace bulletin
