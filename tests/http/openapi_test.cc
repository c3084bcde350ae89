// docs/openapi.json is what common/http/openapi.cc generates from the
// annotated protos: a route or field added without regenerating it fails
// here.

#include "common/http/openapi.h"

#include <fstream>
#include <sstream>
#include <string>

#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

std::string Generated() {
  absl::StatusOr<HttpRoutes> routes =
      HttpRoutes::ForServices({v1::IngestService::service_full_name(),
                               v1::QueryService::service_full_name()});
  EXPECT_TRUE(routes.ok()) << routes.status();
  return routes.ok() ? OpenApiJson(*routes, "Bulletin HTTP/JSON API") : "";
}

TEST(OpenApiTest, DocsCopyIsWhatTheProtosGenerate) {
  std::ifstream file(BULLETIN_OPENAPI_FILE);
  ASSERT_TRUE(file.good()) << BULLETIN_OPENAPI_FILE;
  std::stringstream committed;
  committed << file.rdbuf();
  EXPECT_EQ(committed.str(), Generated())
      << "docs/openapi.json is stale: regenerate it with "
         "build/common/bulletin_openapi > docs/openapi.json";
}

TEST(OpenApiTest, DescribesEveryRouteAndItsMessages) {
  const std::string document = Generated();
  for (const char* expected :
       {R"("/v1/bulletins/{id}": {)", R"("/v1/bulletins:search": {)",
        R"("/v1/bulletins:watch": {)", R"("/v1/bulletins": {)",
        R"("operationId": "QueryService_Search")",
        R"("bulletin.v1.SearchResponse": {)", R"("google.rpc.Status": {)",
        R"("name": "filters.regions")", R"("text/event-stream": {)",
        R"("total_hits": {)"}) {
    EXPECT_THAT(document, HasSubstr(expected));
  }
}

}  // namespace
}  // namespace bulletin
