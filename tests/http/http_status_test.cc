// HTTP statuses for gRPC codes (AIP-193) and the google.rpc.Status JSON
// that errors carry.

#include "common/http/http_status.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(HttpStatusTest, MapsEveryCodeAsAip193Does) {
  struct Case {
    grpc::StatusCode code;
    int http;
  };
  for (const Case& c :
       std::initializer_list<Case>{{grpc::StatusCode::OK, 200},
                                   {grpc::StatusCode::CANCELLED, 499},
                                   {grpc::StatusCode::UNKNOWN, 500},
                                   {grpc::StatusCode::INVALID_ARGUMENT, 400},
                                   {grpc::StatusCode::DEADLINE_EXCEEDED, 504},
                                   {grpc::StatusCode::NOT_FOUND, 404},
                                   {grpc::StatusCode::ALREADY_EXISTS, 409},
                                   {grpc::StatusCode::PERMISSION_DENIED, 403},
                                   {grpc::StatusCode::RESOURCE_EXHAUSTED, 429},
                                   {grpc::StatusCode::FAILED_PRECONDITION, 400},
                                   {grpc::StatusCode::ABORTED, 409},
                                   {grpc::StatusCode::OUT_OF_RANGE, 400},
                                   {grpc::StatusCode::UNIMPLEMENTED, 501},
                                   {grpc::StatusCode::INTERNAL, 500},
                                   {grpc::StatusCode::UNAVAILABLE, 503},
                                   {grpc::StatusCode::DATA_LOSS, 500},
                                   {grpc::StatusCode::UNAUTHENTICATED, 401}}) {
    EXPECT_EQ(HttpStatusFor(c.code), c.http) << static_cast<int>(c.code);
  }
}

// A status without details gets the ErrorInfo every error carries: its
// code's name as the reason.
TEST(HttpStatusTest, WritesGoogleRpcStatusJson) {
  EXPECT_EQ(StatusJson(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                    "no bulletin with id x")),
            R"({"code":5,"message":"no bulletin with id x","details":[)"
            R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
            R"("reason":"NOT_FOUND","domain":"bulletin.v1","metadata":{}}]})");
}

TEST(HttpStatusTest, KeepsTheCallsCodeAndMessageOverBinaryDetails) {
  // A serialized google.rpc.Status with code 9 and message "m": the call's
  // own code and message win.
  const std::string details("\x08\x09\x12\x01m", 5);
  EXPECT_EQ(StatusJson(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                    "version is 3", details)),
            R"({"code":9,"message":"version is 3","details":[)"
            R"({"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
            R"("reason":"FAILED_PRECONDITION","domain":"bulletin.v1",)"
            R"("metadata":{}}]})");
}

}  // namespace
}  // namespace bulletin
