// The HTTP/JSON API on the real binaries (--http_listen): the same answers
// as gRPC, errors as google.rpc.Status with AIP-193's HTTP statuses, body
// limits, CORS, and Watch as server-sent events.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.pb.h"
#include "bulletin/v1/query.pb.h"
#include "common/record/json.h"
#include "common/sync/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kJson[] = "application/json";

// What a streaming client received so far, shared between the thread that
// reads the stream and the test's thread.
class Received {
 public:
  void Append(const char* data, size_t length) {
    {
      MutexLock lock(&mutex_);
      text_.append(data, length);
    }
    arrived_.SignalAll();
  }
  // Waits up to 30 s for `wanted` to have arrived.
  bool Contains(const std::string& wanted) {
    MutexLock lock(&mutex_);
    return arrived_.WaitUntil(&mutex_, absl::Now() + absl::Seconds(30),
                              [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                                return absl::StrContains(text_, wanted);
                              });
  }
  std::string Text() {
    MutexLock lock(&mutex_);
    return text_;
  }

 private:
  Mutex mutex_;
  CondVar arrived_;
  std::string text_ ABSL_GUARDED_BY(mutex_);
};

class HttpApiTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& ingest_flags = {},
             const std::vector<std::string>& query_flags = {}) {
    std::vector<std::string> ingest = {"--http_listen=127.0.0.1:0"};
    ingest.insert(ingest.end(), ingest_flags.begin(), ingest_flags.end());
    std::vector<std::string> query = {"--http_listen=127.0.0.1:0"};
    query.insert(query.end(), query_flags.begin(), query_flags.end());
    ASSERT_TRUE(pair_.StartIngest(0, ingest).ok());
    ASSERT_TRUE(pair_.StartQuery(query).ok());
    ingest_http_ = LoggedPort(*pair_.ingest(), "http_port");
    query_http_ = LoggedPort(*pair_.query(), "http_port");
    ASSERT_GT(ingest_http_, 0) << FileTail(pair_.ingest()->log_path());
    ASSERT_GT(query_http_, 0) << FileTail(pair_.query()->log_path());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
  }

  // POSTs the example as a JSON SubmitRequest; the response.
  v1::SubmitResponse Submit(const std::string& example,
                            const std::string& external_id = "") {
    v1::SubmitRequest request;
    request.set_content(ReadExample(example));
    request.set_external_id(external_id);
    httplib::Client client("127.0.0.1", ingest_http_);
    httplib::Result result =
        client.Post("/v1/bulletins", ToJson(request), kJson);
    v1::SubmitResponse response;
    EXPECT_TRUE(result) << "no answer";
    if (!result) return response;
    EXPECT_EQ(result->status, 200) << result->body;
    EXPECT_TRUE(FromJson(result->body, &response).ok()) << result->body;
    return response;
  }

  ServicePair pair_;
  int ingest_http_ = 0;
  int query_http_ = 0;
};

// A failed precondition over HTTP carries the same ErrorInfo as over gRPC,
// in JSON: a client reads the current version from the details.
TEST_F(HttpApiTest, AVersionMismatchCarriesItsErrorInfo) {
  Start();
  const v1::SubmitResponse submitted =
      Submit("chongqing-cppcc-roundup.txt", "cq-1");
  ASSERT_EQ(submitted.version(), 1);
  httplib::Client ingest("127.0.0.1", ingest_http_);
  httplib::Result refused = ingest.Post(
      "/v1/bulletins",
      R"({"content":"5qCH6aKYCuWvvOivreOAgg==","external_id":"cq-1","expected_version":"0"})",
      kJson);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_THAT(refused->body, HasSubstr(R"("code":9)"));
  EXPECT_THAT(
      refused->body,
      HasSubstr(R"("@type":"type.googleapis.com/google.rpc.ErrorInfo")"));
  EXPECT_THAT(refused->body, HasSubstr(R"("reason":"VERSION_MISMATCH")"));
  EXPECT_THAT(refused->body, HasSubstr(R"("current_version":"1")"));
}

TEST_F(HttpApiTest, SubmitSearchAndGetAnswerAsGrpcDoes) {
  Start();
  const v1::SubmitResponse submitted =
      Submit("chongqing-cppcc-roundup.txt", "cq-1");
  ASSERT_FALSE(submitted.id().empty());
  ASSERT_GT(submitted.seq(), 0u);

  httplib::Client query("127.0.0.1", query_http_);
  const std::string body = absl::StrCat(
      R"({"query":"政协","filters":{"regions":["忠县"]},"facets":["region"],)",
      R"("min_seq":")", submitted.seq(), R"("})");
  httplib::Result searched = query.Post("/v1/bulletins:search", body, kJson);
  ASSERT_TRUE(searched);
  ASSERT_EQ(searched->status, 200) << searched->body;
  EXPECT_EQ(searched->get_header_value("Content-Type"), kJson);
  v1::SearchResponse over_http;
  ASSERT_TRUE(FromJson(searched->body, &over_http).ok());
  ASSERT_EQ(over_http.total_hits(), 1);
  EXPECT_EQ(over_http.hits(0).bulletin_id(), submitted.id());
  EXPECT_THAT(over_http.hits(0).snippet(), HasSubstr("【政协】"));
  // Proto field names, as bulletinctl --json prints them.
  EXPECT_THAT(searched->body, HasSubstr(R"("total_hits":"1")"));

  absl::StatusOr<CommandResult> over_grpc =
      pair_.Ctl({"search", "--json", "--region", "忠县", "政协"});
  ASSERT_TRUE(over_grpc.ok());
  ASSERT_EQ(over_grpc->exit_code, 0) << over_grpc->err;
  EXPECT_THAT(over_grpc->out, HasSubstr(submitted.id()));

  httplib::Client get_client("127.0.0.1", query_http_);
  httplib::Result got = get_client.Get(absl::StrCat(
      "/v1/bulletins/", submitted.id(), "?min_seq=", submitted.seq()));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  v1::GetResponse record;
  ASSERT_TRUE(FromJson(got->body, &record).ok());
  EXPECT_EQ(record.bulletin().headline(),
            "区县政协组织学习贯彻党的十九届六中全会精神");
  EXPECT_EQ(record.bulletin().kicker(), "为新时代新征程汇聚力量");

  httplib::Result stats = get_client.Get("/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_THAT(stats->body, HasSubstr(R"("bulletin_count":"1")"));

  // Retract over HTTP, then the bulletin is gone over HTTP.
  httplib::Client ingest("127.0.0.1", ingest_http_);
  httplib::Result retracted =
      ingest.Post(absl::StrCat("/v1/bulletins/", submitted.id(), ":retract"),
                  R"({"reason":"test"})", kJson);
  ASSERT_TRUE(retracted);
  ASSERT_EQ(retracted->status, 200) << retracted->body;
  v1::RetractResponse retract;
  ASSERT_TRUE(FromJson(retracted->body, &retract).ok());
  httplib::Result gone = get_client.Get(absl::StrCat(
      "/v1/bulletins/", submitted.id(), "?min_seq=", retract.seq()));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404) << gone->body;
}

TEST_F(HttpApiTest, SearchTakesItsPresentationFieldsInTheBody) {
  Start();
  const v1::SubmitResponse submitted =
      Submit("chongqing-cppcc-roundup.txt", "cq-1");
  ASSERT_GT(submitted.seq(), 0u);
  httplib::Client query("127.0.0.1", query_http_);
  const std::string body = absl::StrCat(
      R"({"query":"政协","order":"DATE_DESCENDING","facets":["region"],)",
      R"("facet_size":2,"highlight_pre_tag":"[","highlight_post_tag":"]",)",
      R"("escape_snippet_html":true,"include_matches":true,)", R"("min_seq":")",
      submitted.seq(), R"("})");
  httplib::Result searched = query.Post("/v1/bulletins:search", body, kJson);
  ASSERT_TRUE(searched);
  ASSERT_EQ(searched->status, 200) << searched->body;
  v1::SearchResponse over_http;
  ASSERT_TRUE(FromJson(searched->body, &over_http).ok());
  ASSERT_EQ(over_http.hits_size(), 1);
  EXPECT_THAT(over_http.hits(0).snippet(), HasSubstr("[政协]"));
  EXPECT_GT(over_http.hits(0).matches_size(), 0);
  EXPECT_THAT(searched->body, HasSubstr(R"("begin_code_point":)"));
  ASSERT_EQ(over_http.facets_size(), 1);
  EXPECT_EQ(over_http.facets(0).values_size(), 2);

  httplib::Result refused = query.Post(
      "/v1/bulletins:search", R"({"query":"政协","facet_size":5000})", kJson);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_THAT(refused->body, HasSubstr("facet_size"));
}

TEST_F(HttpApiTest, WritesCarryTheRequestIdBothWays) {
  Start();
  v1::ParseRequest request;
  request.set_content(ReadExample("chongqing-cppcc-roundup.txt"));
  httplib::Client client("127.0.0.1", ingest_http_);
  httplib::Result named =
      client.Post("/v1/bulletins:parse", {{"X-Request-Id", "cms-edit-4711"}},
                  ToJson(request), kJson);
  ASSERT_TRUE(named);
  EXPECT_EQ(named->status, 200) << named->body;
  EXPECT_EQ(named->get_header_value("X-Request-Id"), "cms-edit-4711");

  // Without one, or with one the server will not use, it makes its own.
  httplib::Result unnamed =
      client.Post("/v1/bulletins:parse", ToJson(request), kJson);
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(unnamed->get_header_value("X-Request-Id").size(), 16u);
  httplib::Result refused_id = client.Post(
      "/v1/bulletins:parse", {{"X-Request-Id", "no spaces allowed"}},
      ToJson(request), kJson);
  ASSERT_TRUE(refused_id);
  EXPECT_EQ(refused_id->get_header_value("X-Request-Id").size(), 16u);
}

// Reads called straight on the service (no interceptor on their way) still
// get a request id, are counted in the RPC metrics and, when they fail,
// logged, as every gRPC call is.
TEST_F(HttpApiTest, DirectReadsAreCountedAndLoggedAsCalls) {
  Start({}, {"--metrics_listen=127.0.0.1:0"});
  const int metrics_port = LoggedPort(*pair_.query(), "metrics_port");
  ASSERT_GT(metrics_port, 0);
  httplib::Client client("127.0.0.1", query_http_);
  httplib::Result missing = client.Get("/v1/bulletins/00000000000000ee",
                                       {{"X-Request-Id", "http-get-9"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("X-Request-Id"), "http-get-9");
  EXPECT_THAT(FileTail(pair_.query()->log_path(), 1 << 20),
              ContainsRegex("\"event\":\"rpc_failed\",\"method\":\"/"
                            "bulletin.v1.QueryService/Get\",\"code\":"
                            "\"NOT_FOUND\".*\"request_id\":\"http-get-9\""));
  httplib::Result searched =
      client.Post("/v1/bulletins:search", R"({"query":"政协"})", kJson);
  ASSERT_TRUE(searched);
  EXPECT_EQ(searched->status, 200);
  EXPECT_THAT(searched->get_header_value("X-Request-Id"),
              MatchesRegex("[0-9a-f]{16}"));

  httplib::Client metrics("127.0.0.1", metrics_port);
  httplib::Result page = metrics.Get("/metrics");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body,
              HasSubstr("grpc_server_handled_total{grpc_service=\"bulletin.v1."
                        "QueryService\",grpc_method=\"Get\",grpc_code=\"NOT_"
                        "FOUND\"} 1"));
  EXPECT_THAT(
      page->body,
      HasSubstr("grpc_server_handled_total{grpc_service=\"bulletin.v1."
                "QueryService\",grpc_method=\"Search\",grpc_code=\"OK\"}"
                " 1"));
}

// Waits until the replica has applied `seq` (Stats, which nothing stalls).
void AwaitApplied(int http_port, uint64_t seq) {
  httplib::Client client("127.0.0.1", http_port);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  v1::StatsResponse stats;
  do {
    httplib::Result got = client.Get("/v1/stats");
    ASSERT_TRUE(got);
    ASSERT_TRUE(FromJson(got->body, &stats).ok()) << got->body;
    if (stats.applied_seq() >= seq) return;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < give_up);
  FAIL() << "seq " << seq << " not applied; at " << stats.applied_seq();
}

// A search over HTTP has a deadline, as over gRPC: the grpc-timeout header's
// when it has one. A replica whose searches stall (as one over an index too
// large for the deadline would) stops them there and answers 504 with
// DEADLINE_PASSED; with the gateway's own bound at 600 s, only the header's
// second can end this one before the client gives up.
TEST_F(HttpApiTest, SearchHonoursTheGrpcTimeoutHeader) {
  Start({}, {"--stall_searches_for_testing", "--http_call_timeout=600s"});
  AwaitApplied(query_http_, Submit("chongqing-cppcc-roundup.txt").seq());
  httplib::Client client("127.0.0.1", query_http_);
  client.set_read_timeout(60, 0);
  httplib::Result searched =
      client.Post("/v1/bulletins:search", {{"grpc-timeout", "1S"}},
                  R"({"query":"政协"})", kJson);
  ASSERT_TRUE(searched) << "no answer within 60 s: the header was ignored";
  EXPECT_EQ(searched->status, 504) << searched->body;
  EXPECT_THAT(searched->body, HasSubstr(R"("reason":"DEADLINE_PASSED")"));
  httplib::Result malformed =
      client.Post("/v1/bulletins:search", {{"grpc-timeout", "soon"}},
                  R"({"query":"政协"})", kJson);
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_THAT(malformed->body, HasSubstr("grpc-timeout 'soon'"));
}

// --http_call_timeout bounds every HTTP call: one without a grpc-timeout
// header, and one whose header asks for longer.
TEST_F(HttpApiTest, SearchStopsAtTheGatewaysBound) {
  Start({}, {"--stall_searches_for_testing", "--http_call_timeout=3s"});
  AwaitApplied(query_http_, Submit("chongqing-cppcc-roundup.txt").seq());
  httplib::Client client("127.0.0.1", query_http_);
  client.set_read_timeout(60, 0);
  for (const httplib::Headers& headers :
       {httplib::Headers{}, httplib::Headers{{"grpc-timeout", "600S"}}}) {
    httplib::Result searched = client.Post("/v1/bulletins:search", headers,
                                           R"({"query":"政协"})", kJson);
    ASSERT_TRUE(searched) << "no answer within 60 s: the bound was not kept";
    EXPECT_EQ(searched->status, 504) << searched->body;
    EXPECT_THAT(searched->body, HasSubstr(R"("reason":"DEADLINE_PASSED")"));
  }
}

// A search whose HTTP client closed its connection stops, as a gRPC search
// whose caller cancelled does, long before its deadline.
TEST_F(HttpApiTest, SearchStopsWhenTheClientHasGone) {
  Start({}, {"--stall_searches_for_testing", "--http_call_timeout=600s"});
  AwaitApplied(query_http_, Submit("chongqing-cppcc-roundup.txt").seq());
  const std::string body = R"({"query":"政协"})";
  const std::string request = absl::StrCat(
      "POST /v1/bulletins:search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "X-Request-Id: gone-client-1\r\nContent-Type: application/json\r\n"
      "Content-Length: ",
      body.size(), "\r\n\r\n", body);
  const int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(socket_fd, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(query_http_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(socket_fd, reinterpret_cast<sockaddr*>(&address),
                    sizeof(address)),
            0);
  ASSERT_EQ(send(socket_fd, request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  // The search is under way (stalled) once the gateway has it; leaving now
  // must stop it.
  absl::SleepFor(absl::Milliseconds(300));
  close(socket_fd);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::string log;
  do {
    log = FileTail(pair_.query()->log_path(), 1 << 20);
    if (absl::StrContains(log, "gone-client-1")) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < give_up);
  EXPECT_THAT(log,
              ContainsRegex("\"code\":\"CANCELLED\",\"message\":\"the "
                            "caller cancelled the search\".*gone-client-1"))
      << log;
}

TEST_F(HttpApiTest, ErrorsAreGoogleRpcStatusWithTheirHttpStatus) {
  Start();
  httplib::Client client("127.0.0.1", query_http_);

  httplib::Result missing = client.Get("/v1/bulletins/00000000000000ff");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body,
            R"({"code":5,"message":"no bulletin with id 00000000000000ff",)"
            R"("details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo",)"
            R"("reason":"BULLETIN_NOT_FOUND","domain":"bulletin.v1",)"
            R"("metadata":{"id":"00000000000000ff"}}]})");

  httplib::Result malformed = client.Get("/v1/bulletins/no-such-id");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_THAT(malformed->body, HasSubstr("16 lowercase hex digits"));
  EXPECT_THAT(malformed->body, HasSubstr(R"("field":"id")"));

  httplib::Result bad_query =
      client.Post("/v1/bulletins:search", R"({"query":"\"政协"})", kJson);
  ASSERT_TRUE(bad_query);
  EXPECT_EQ(bad_query->status, 400);
  EXPECT_THAT(bad_query->body, HasSubstr(R"("code":3)"));
  EXPECT_THAT(bad_query->body, HasSubstr("unbalanced quote"));

  httplib::Result not_json =
      client.Post("/v1/bulletins:search", "{query:", kJson);
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_THAT(not_json->body,
              HasSubstr("the body is not a JSON SearchRequest"));

  httplib::Result unknown_field =
      client.Post("/v1/bulletins:search", R"({"qeury":"x"})", kJson);
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 400);

  httplib::Result unknown_parameter = client.Get("/v1/stats?verbose=1");
  ASSERT_TRUE(unknown_parameter);
  EXPECT_EQ(unknown_parameter->status, 400);
  EXPECT_THAT(unknown_parameter->body, HasSubstr("unknown parameter verbose"));

  httplib::Result wrong_method = client.Get("/v1/bulletins:search");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "POST");

  httplib::Result no_route = client.Get("/v2/anything");
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  EXPECT_THAT(no_route->body, HasSubstr(R"("code":5)"));
  // Even the gateway's own refusals name a reason.
  EXPECT_THAT(no_route->body, HasSubstr(R"("reason":"NOT_FOUND")"));
}

TEST_F(HttpApiTest, LimitsRequestBodies) {
  Start({"--max_bulletin_bytes=1000", "--metrics_listen=127.0.0.1:0"});
  httplib::Client client("127.0.0.1", ingest_http_);
  // Over the HTTP limit (a third over gRPC's message limit, plus 64 KiB):
  // refused before it is read as JSON.
  const std::string huge(400 << 10, 'x');
  httplib::Result refused = client.Post("/v1/bulletins", huge, kJson);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_THAT(refused->body, HasSubstr(R"("code":8)"));
  // And counted, as a refused Submit.
  const int metrics_port = LoggedPort(*pair_.ingest(), "metrics_port");
  ASSERT_GT(metrics_port, 0);
  httplib::Client metrics("127.0.0.1", metrics_port);
  httplib::Result page = metrics.Get("/metrics");
  ASSERT_TRUE(page);
  EXPECT_THAT(page->body,
              HasSubstr("grpc_server_handled_total{grpc_service=\"bulletin.v1."
                        "IngestService\",grpc_method=\"Submit\",grpc_code="
                        "\"RESOURCE_EXHAUSTED\"} 1"));

  // Under the HTTP limit but over the service's: the service refuses it, as
  // over gRPC.
  v1::SubmitRequest request;
  request.set_content(std::string(2000, 'a'));
  httplib::Result too_big =
      client.Post("/v1/bulletins", ToJson(request), kJson);
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 429);
  EXPECT_THAT(too_big->body, HasSubstr(R"("code":8)"));
}

TEST_F(HttpApiTest, AnswersCorsForAllowedOrigins) {
  Start({}, {"--http_cors_allowed_origins=https://cms.example"});
  httplib::Client client("127.0.0.1", query_http_);
  httplib::Headers allowed = {{"Origin", "https://cms.example"},
                              {"Access-Control-Request-Method", "POST"}};
  httplib::Result preflight = client.Options("/v1/bulletins:search", allowed);
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"),
            "https://cms.example");
  EXPECT_THAT(preflight->get_header_value("Access-Control-Allow-Methods"),
              HasSubstr("POST"));
  const std::string allowed_headers =
      preflight->get_header_value("Access-Control-Allow-Headers");
  for (const char* header : {"Authorization", "Content-Type", "grpc-timeout",
                             "X-Request-Id", "Last-Event-ID"}) {
    EXPECT_THAT(allowed_headers, HasSubstr(header));
  }

  httplib::Result search =
      client.Post("/v1/bulletins:search", allowed, R"({"query":"x"})", kJson);
  ASSERT_TRUE(search);
  EXPECT_EQ(search->status, 200);
  EXPECT_EQ(search->get_header_value("Access-Control-Allow-Origin"),
            "https://cms.example");
  EXPECT_EQ(search->get_header_value("Access-Control-Expose-Headers"),
            "X-Request-Id");

  httplib::Headers other = {{"Origin", "https://elsewhere.example"}};
  httplib::Result refused =
      client.Post("/v1/bulletins:search", other, R"({"query":"x"})", kJson);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->has_header("Access-Control-Allow-Origin"));
}

TEST_F(HttpApiTest, WatchStreamsNewMatchesAsServerSentEvents) {
  Start();
  Received received;
  httplib::Client client("127.0.0.1", query_http_);
  client.set_read_timeout(60, 0);
  std::thread watcher([&] {
    client.Get("/v1/bulletins:watch?query=%E6%94%BF%E5%8D%8F",  // 政协
               [&](const char* data, size_t length) {
                 received.Append(data, length);
                 return true;
               });
  });
  // The stream starts once the standing query is registered.
  ASSERT_TRUE(received.Contains(": started")) << received.Text();
  const v1::SubmitResponse matching = Submit("chongqing-cppcc-roundup.txt");
  EXPECT_TRUE(received.Contains(
      absl::StrCat(R"(data: {"hit":{"bulletin_id":")", matching.id(), "\"")))
      << received.Text();
  client.stop();
  watcher.join();
}

// Each event's position (SEQ/LOG_ID/LOG_EPOCH) is its SSE id, and the
// Last-Event-ID a reconnecting EventSource sends resumes the watch there:
// what was applied since comes first. A bare seq resumes too (by seq
// alone); a position in another log ends the stream with RESYNC_REQUIRED.
TEST_F(HttpApiTest, WatchResumesFromLastEventId) {
  Start();
  const v1::SubmitResponse before = Submit("chongqing-cppcc-roundup.txt");
  // Watches with `last_event_id` until `wanted` arrives, submitting
  // `then` (an external id for the seed) once started; what arrived.
  auto watch = [&](const std::string& last_event_id, std::string wanted,
                   const std::string& then = "") {
    Received received;
    httplib::Client client("127.0.0.1", query_http_);
    client.set_read_timeout(60, 0);
    std::thread watcher([&] {
      client.Get("/v1/bulletins:watch?query=%E6%94%BF%E5%8D%8F",  // 政协
                 {{"Last-Event-ID", last_event_id}},
                 [&](const char* data, size_t length) {
                   received.Append(data, length);
                   return true;
                 });
    });
    if (!then.empty()) {
      EXPECT_TRUE(received.Contains(": started")) << received.Text();
      wanted = Submit("chongqing-cppcc-roundup.txt", then).id();
    }
    EXPECT_TRUE(received.Contains(wanted)) << received.Text();
    client.stop();
    watcher.join();
    return received.Text();
  };
  const std::string first = watch(
      absl::StrCat(before.seq() - 1),
      absl::StrCat(R"("type":"TYPE_UPSERT","seq":")", before.seq(), "\""));
  const std::string id_line = absl::StrCat("id: ", before.seq(), "/");
  const size_t id_at = first.find(id_line);
  ASSERT_NE(id_at, std::string::npos) << first;
  const std::string position =
      first.substr(id_at + 4, first.find('\n', id_at) - id_at - 4);
  EXPECT_THAT(first.substr(id_at),
              HasSubstr(absl::StrCat("\ndata: {\"hit\":{\"bulletin_id\":\"",
                                     before.id(), "\"")));

  const std::vector<std::string> parts = absl::StrSplit(position, '/');
  ASSERT_EQ(parts.size(), 3u) << position;
  const std::string other_log = absl::StrCat(
      before.seq(), "/", std::string(parts[1].size(), 'f'), "/", parts[2]);
  EXPECT_THAT(watch(other_log, "event: status"),
              HasSubstr(R"("reason":"RESYNC_REQUIRED")"));
  // From the position itself: only what came after it.
  const std::string resumed = watch(position, "", "cq-2");
  EXPECT_THAT(resumed, Not(HasSubstr(before.id()))) << resumed;
}

// 64 clients, each keeping its connection open and calling again, are all
// answered: none waits for another's connection to close.
TEST_F(HttpApiTest, ServesManyKeptAliveConnectionsAtOnce) {
  Start();
  constexpr int kClients = 64;
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      httplib::Client client("127.0.0.1", query_http_);
      client.set_keep_alive(true);
      // Guards against a hang only: a starved client would wait forever.
      client.set_read_timeout(120, 0);
      bool counted = false;
      // Keeps calling on its connection until every client has had an
      // answer: with a fixed pool of 32 threads, the first 32 clients held
      // every thread and the others were never answered.
      while (answered.load() < kClients) {
        httplib::Result result =
            client.Post("/v1/bulletins:search", R"({"query":"政协"})", kJson);
        if (!result || result->status != 200) {
          ++failed;
          return;
        }
        if (!counted) {
          counted = true;
          ++answered;
        }
      }
    });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(answered.load(), kClients);
}

TEST_F(HttpApiTest, WatchReportsABadQueryInTheStream) {
  Start();
  httplib::Client client("127.0.0.1", query_http_);
  httplib::Result result = client.Get("/v1/bulletins:watch?query=%22x");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_THAT(result->body, HasSubstr("event: status\ndata: {\"code\":3,"));
  EXPECT_THAT(result->body, HasSubstr("unbalanced quote"));
}

}  // namespace
}  // namespace bulletin::testing
