// Server reflection on the real binaries, as buf curl and grpcurl use it:
// both protocol versions (grpc.reflection.v1, which the services relay to
// gRPC's v1alpha, and v1alpha itself) list the services, health included,
// and describe them.

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/sync_stream.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;
using ::testing::IsSupersetOf;

// The two versions' messages are the same on the wire, so v1's generated
// messages serve both; only the method name differs.
struct Version {
  std::string name;
  std::string method;
};

void PrintTo(const Version& version, std::ostream* out) {
  *out << version.name;
}

class ReflectionTest : public ::testing::TestWithParam<Version> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest().ok());
    ASSERT_TRUE(pair_.StartQuery().ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
  }

  // Sends `requests` on one reflection stream to `address`; the answers in
  // order, or the call's error.
  absl::StatusOr<std::vector<ServerReflectionResponse>> Ask(
      const std::string& address,
      const std::vector<ServerReflectionRequest>& requests) {
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    const grpc::internal::RpcMethod method(
        GetParam().method.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING);
    std::unique_ptr<grpc::ClientReaderWriter<ServerReflectionRequest,
                                             ServerReflectionResponse>>
        stream(grpc::internal::ClientReaderWriterFactory<
               ServerReflectionRequest,
               ServerReflectionResponse>::Create(channel.get(), method,
                                                 &context));
    std::vector<ServerReflectionResponse> responses;
    for (const ServerReflectionRequest& request : requests) {
      ServerReflectionResponse response;
      if (!stream->Write(request) || !stream->Read(&response)) break;
      responses.push_back(response);
    }
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    }
    return responses;
  }

  // The services `address` lists.
  std::vector<std::string> ListServices(const std::string& address) {
    ServerReflectionRequest request;
    request.set_list_services("");
    absl::StatusOr<std::vector<ServerReflectionResponse>> responses =
        Ask(address, {request});
    EXPECT_TRUE(responses.ok()) << responses.status();
    std::vector<std::string> names;
    if (!responses.ok() || responses->size() != 1) return names;
    for (const auto& service :
         (*responses)[0].list_services_response().service()) {
      names.push_back(service.name());
    }
    return names;
  }

  // The files `address` sends for `symbol`, by name.
  std::vector<google::protobuf::FileDescriptorProto> FilesFor(
      const std::string& address, const std::string& symbol) {
    ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    absl::StatusOr<std::vector<ServerReflectionResponse>> responses =
        Ask(address, {request});
    EXPECT_TRUE(responses.ok()) << responses.status();
    std::vector<google::protobuf::FileDescriptorProto> files;
    if (!responses.ok() || responses->size() != 1) return files;
    const ServerReflectionResponse& response = (*responses)[0];
    EXPECT_FALSE(response.has_error_response())
        << symbol << ": " << response.error_response().error_message();
    for (const std::string& bytes :
         response.file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      EXPECT_TRUE(file.ParseFromString(bytes));
      files.push_back(file);
    }
    return files;
  }

  ServicePair pair_;
};

TEST_P(ReflectionTest, ListsEachServiceHealthAndBothReflectionVersions) {
  EXPECT_THAT(ListServices(pair_.ingest_address()),
              IsSupersetOf({"bulletin.v1.IngestService", "bulletin.v1.Feed",
                            "grpc.health.v1.Health",
                            "grpc.reflection.v1.ServerReflection",
                            "grpc.reflection.v1alpha.ServerReflection"}));
  EXPECT_THAT(ListServices(pair_.query_address()),
              IsSupersetOf({"bulletin.v1.QueryService", "grpc.health.v1.Health",
                            "grpc.reflection.v1.ServerReflection",
                            "grpc.reflection.v1alpha.ServerReflection"}));
}

TEST_P(ReflectionTest, DescribesHealth) {
  for (const std::string& address :
       {pair_.ingest_address(), pair_.query_address()}) {
    std::vector<google::protobuf::FileDescriptorProto> files =
        FilesFor(address, "grpc.health.v1.Health");
    ASSERT_FALSE(files.empty()) << address;
    EXPECT_EQ(files[0].name(), "grpc/health/v1/health.proto");
    ASSERT_EQ(files[0].service_size(), 1);
    EXPECT_EQ(files[0].service(0).name(), "Health");
  }
}

TEST_P(ReflectionTest, DescribesTheApiWithWhatItImports) {
  std::vector<google::protobuf::FileDescriptorProto> files =
      FilesFor(pair_.query_address(), "bulletin.v1.QueryService.Search");
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(files[0].name(), "bulletin/v1/query.proto");
  std::vector<std::string> names;
  for (const auto& file : files) names.push_back(file.name());
  // A client decodes a Search answer only with every file it depends on.
  EXPECT_THAT(names, IsSupersetOf({"bulletin/v1/bulletin.proto",
                                   "google/api/annotations.proto",
                                   "google/protobuf/descriptor.proto"}));
}

TEST_P(ReflectionTest, AnswersSeveralRequestsOnOneStreamInOrder) {
  ServerReflectionRequest list;
  list.set_list_services("");
  ServerReflectionRequest unknown;
  unknown.set_file_containing_symbol("bulletin.v1.NoSuchThing");
  ServerReflectionRequest by_name;
  by_name.set_file_by_filename("bulletin/v1/ingest.proto");
  absl::StatusOr<std::vector<ServerReflectionResponse>> responses =
      Ask(pair_.ingest_address(), {list, unknown, by_name});
  ASSERT_TRUE(responses.ok()) << responses.status();
  ASSERT_EQ(responses->size(), 3u);
  EXPECT_TRUE((*responses)[0].has_list_services_response());
  EXPECT_EQ((*responses)[1].error_response().error_code(),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ((*responses)[1].original_request().file_containing_symbol(),
            "bulletin.v1.NoSuchThing");
  ASSERT_GT(
      (*responses)[2].file_descriptor_response().file_descriptor_proto_size(),
      0);
}

INSTANTIATE_TEST_SUITE_P(
    Versions, ReflectionTest,
    ::testing::Values(
        Version{"v1",
                "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"},
        Version{"v1alpha",
                "/grpc.reflection.v1alpha.ServerReflection/"
                "ServerReflectionInfo"}),
    [](const ::testing::TestParamInfo<Version>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace bulletin::testing
