// HttpRoutes: the routes come from the google.api.http annotations of the
// real protos, match paths with variables and verbs, and refuse templates
// the gateway cannot serve.

#include "common/http/http_routes.h"

#include <set>
#include <string>
#include <tuple>

#include "bulletin/v1/ingest.pb.h"
#include "bulletin/v1/query.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// Links the generated descriptors in, so the pool knows the services.
const google::protobuf::FileDescriptor* const kQueryFile =
    v1::SearchRequest::descriptor()->file();
const google::protobuf::FileDescriptor* const kIngestFile =
    v1::SubmitRequest::descriptor()->file();

std::set<std::tuple<std::string, std::string, std::string, bool>> RouteSet(
    const HttpRoutes& routes) {
  std::set<std::tuple<std::string, std::string, std::string, bool>> set;
  for (const HttpRoute& route : routes.routes()) {
    set.emplace(route.http_method, route.path_template, route.full_method,
                route.body_is_request);
  }
  return set;
}

TEST(HttpRoutesTest, ReadsTheQueryAndIngestAnnotations) {
  ASSERT_NE(kQueryFile, nullptr);
  ASSERT_NE(kIngestFile, nullptr);
  absl::StatusOr<HttpRoutes> routes = HttpRoutes::ForServices(
      {"bulletin.v1.QueryService", "bulletin.v1.IngestService"});
  ASSERT_TRUE(routes.ok()) << routes.status();
  using T = std::tuple<std::string, std::string, std::string, bool>;
  EXPECT_THAT(
      RouteSet(*routes),
      UnorderedElementsAre(
          T{"GET", "/v1/bulletins/{id}", "/bulletin.v1.QueryService/Get",
            false},
          T{"GET", "/v1/bulletins:batchGet",
            "/bulletin.v1.QueryService/BatchGet", false},
          T{"POST", "/v1/bulletins:search", "/bulletin.v1.QueryService/Search",
            true},
          T{"GET", "/v1/bulletins:watch", "/bulletin.v1.QueryService/Watch",
            false},
          T{"GET", "/v1/stats", "/bulletin.v1.QueryService/Stats", false},
          T{"POST", "/v1/bulletins", "/bulletin.v1.IngestService/Submit", true},
          T{"POST", "/v1/bulletins:parse", "/bulletin.v1.IngestService/Parse",
            true},
          T{"POST", "/v1/bulletins/{id}:retract",
            "/bulletin.v1.IngestService/Retract", true}));
}

TEST(HttpRoutesTest, FindsRoutesAndBindsVariables) {
  absl::StatusOr<HttpRoutes> routes = HttpRoutes::ForServices(
      {"bulletin.v1.QueryService", "bulletin.v1.IngestService"});
  ASSERT_TRUE(routes.ok()) << routes.status();

  auto get = routes->Find("GET", "/v1/bulletins/3ea446075722f07c");
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->route->full_method, "/bulletin.v1.QueryService/Get");
  EXPECT_THAT(get->bindings, ElementsAre(Pair("id", "3ea446075722f07c")));

  auto retract = routes->Find("POST", "/v1/bulletins/abc:retract");
  ASSERT_TRUE(retract.has_value());
  EXPECT_EQ(retract->route->full_method, "/bulletin.v1.IngestService/Retract");
  EXPECT_THAT(retract->bindings, ElementsAre(Pair("id", "abc")));

  auto search = routes->Find("POST", "/v1/bulletins:search");
  ASSERT_TRUE(search.has_value());
  EXPECT_EQ(search->route->full_method, "/bulletin.v1.QueryService/Search");
  EXPECT_TRUE(search->bindings.empty());

  EXPECT_FALSE(routes->Find("GET", "/v1/bulletins:search").has_value());
  EXPECT_FALSE(routes->Find("GET", "/v1/bulletins/").has_value());
  EXPECT_FALSE(routes->Find("GET", "/v1/bulletins/a/b").has_value());
  EXPECT_FALSE(routes->Find("GET", "/v2/stats").has_value());
  EXPECT_FALSE(routes->Find("POST", "/v1/bulletins/abc:unknown").has_value());
}

TEST(HttpRoutesTest, ListsTheMethodsAPathAnswers) {
  absl::StatusOr<HttpRoutes> routes = HttpRoutes::ForServices(
      {"bulletin.v1.QueryService", "bulletin.v1.IngestService"});
  ASSERT_TRUE(routes.ok()) << routes.status();
  EXPECT_THAT(routes->MethodsFor("/v1/bulletins:search"), ElementsAre("POST"));
  EXPECT_THAT(routes->MethodsFor("/v1/stats"), ElementsAre("GET"));
  EXPECT_TRUE(routes->MethodsFor("/nowhere").empty());
}

TEST(HttpRoutesTest, RefusesAnUnknownService) {
  absl::StatusOr<HttpRoutes> routes =
      HttpRoutes::ForServices({"bulletin.v1.NoSuchService"});
  EXPECT_EQ(routes.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpRoutesTest, ParsesTemplatesWithVariablesAndVerbs) {
  HttpRoute route;
  ASSERT_TRUE(ParsePathTemplate("/v1/things/{thing.id}:touch", &route).ok());
  EXPECT_EQ(route.verb, "touch");
  ASSERT_EQ(route.segments.size(), 3u);
  EXPECT_EQ(route.segments[0].text, "v1");
  EXPECT_FALSE(route.segments[0].is_variable);
  EXPECT_EQ(route.segments[2].text, "thing.id");
  EXPECT_TRUE(route.segments[2].is_variable);
}

TEST(HttpRoutesTest, RefusesTemplatesItCannotServe) {
  for (const char* path_template : {"v1/no-slash", "/v1/{name=things/*}",
                                    "/v1/**", "/v1//double", "/v1/{}"}) {
    HttpRoute route;
    EXPECT_EQ(ParsePathTemplate(path_template, &route).code(),
              absl::StatusCode::kInvalidArgument)
        << path_template;
  }
}

}  // namespace
}  // namespace bulletin
