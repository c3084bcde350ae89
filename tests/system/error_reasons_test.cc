// The error catalogue (docs/errors.md) against the code and the real
// services: the catalogue lists exactly the reasons the code has, and a
// client decodes every reason it lists, with its BadRequest field or
// RetryInfo, from calls to the running binaries; the reasons are read from
// the catalogue, so one added there without a call here fails the test.
// CONTENDED, which no client can provoke on purpose (32 lost races in a
// row), is the one exception: tests/ingest/write_rules_test.cc decodes it
// from the committer with a log that loses every race, and this test checks
// that it does.

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  EXPECT_TRUE(file) << path;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The reasons docs/errors.md lists: its catalogue rows start with the reason
// in backquotes, "| `REASON` |".
std::set<std::string> CatalogueReasons() {
  std::stringstream text(ReadText(BULLETIN_ERRORS_DOC));
  std::set<std::string> documented;
  // (Not std::regex: GCC 12 warns inside it under ASan, and -Werror.)
  std::string line;
  while (std::getline(text, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const size_t end = line.find("` |", 3);
    if (end == std::string::npos) continue;
    const std::string reason = line.substr(3, end - 3);
    if (!reason.empty() &&
        reason.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
            std::string::npos) {
      documented.insert(reason);
    }
  }
  return documented;
}

TEST(ErrorCatalogueTest, ListsExactlyTheReasonsTheCodeHas) {
  std::set<std::string> in_code(std::begin(kErrorReasons),
                                std::end(kErrorReasons));
  EXPECT_EQ(CatalogueReasons(), in_code);
}

// What a client sees of a failed call: the status with its details.
struct Failure {
  absl::Status status;
  std::string reason() const {
    auto info = ErrorInfoOf(status);
    return info.has_value() ? info->reason() : "(no ErrorInfo)";
  }
  std::string field() const {
    auto bad = BadRequestOf(status);
    return bad.has_value() && bad->field_violations_size() > 0
               ? bad->field_violations(0).field()
               : "(no BadRequest)";
  }
  bool retry_info() const { return RetryInfoOf(status).has_value(); }
};

class ErrorReasonsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest(0, {"--max_bulletin_bytes=2000"}).ok());
    ASSERT_TRUE(pair_
                    .StartQuery({"--stall_searches_for_testing",
                                 "--lame_duck_period=0s"})
                    .ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
    ingest_ = v1::IngestService::NewStub(grpc::CreateChannel(
        pair_.ingest_address(), grpc::InsecureChannelCredentials()));
    query_ = v1::QueryService::NewStub(grpc::CreateChannel(
        pair_.query_address(), grpc::InsecureChannelCredentials()));
  }
  static void Prepare(grpc::ClientContext* context,
                      absl::Duration timeout = absl::Seconds(20)) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }
  Failure Submit(v1::IngestService::Stub* stub,
                 const v1::SubmitRequest& request) {
    grpc::ClientContext context;
    Prepare(&context);
    v1::SubmitResponse response;
    return {FromGrpcStatus(stub->Submit(&context, request, &response))};
  }
  Failure Submit(const v1::SubmitRequest& request) {
    return Submit(ingest_.get(), request);
  }
  Failure Retract(const v1::RetractRequest& request) {
    grpc::ClientContext context;
    Prepare(&context);
    v1::RetractResponse response;
    return {FromGrpcStatus(ingest_->Retract(&context, request, &response))};
  }
  // Watches until the stream ends; how it ended.
  Failure WatchUntilEnd(const v1::WatchRequest& request) {
    grpc::ClientContext context;
    Prepare(&context);
    auto reader = query_->Watch(&context, request);
    v1::WatchEvent event;
    while (reader->Read(&event)) {
    }
    return {FromGrpcStatus(reader->Finish())};
  }
  Failure Get(const v1::GetRequest& request,
              absl::Duration timeout = absl::Seconds(20)) {
    grpc::ClientContext context;
    Prepare(&context, timeout);
    v1::GetResponse response;
    return {FromGrpcStatus(query_->Get(&context, request, &response))};
  }

  ServicePair pair_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
};

v1::SubmitRequest Bulletin(const std::string& text) {
  v1::SubmitRequest request;
  request.set_content(text);
  return request;
}

TEST_F(ErrorReasonsTest, AClientDecodesEveryReasonInTheCatalogue) {
  // Every reason decoded below, from calls to the running binaries.
  std::set<std::string> decoded;
  auto expect = [&decoded](const Failure& failure, absl::StatusCode code,
                           const std::string& reason) {
    EXPECT_EQ(failure.status.code(), code) << failure.status;
    EXPECT_EQ(failure.reason(), reason) << failure.status;
    if (failure.status.code() == code && failure.reason() == reason) {
      decoded.insert(reason);
    }
  };

  v1::SubmitRequest bad_source = Bulletin("标题\n导语。\n");
  bad_source.set_source("two words");
  Failure invalid_field = Submit(bad_source);
  expect(invalid_field, absl::StatusCode::kInvalidArgument,
         kReasonInvalidField);
  EXPECT_EQ(invalid_field.field(), "source");

  Failure invalid_content = Submit(Bulletin(" \n\t\n"));
  expect(invalid_content, absl::StatusCode::kInvalidArgument,
         kReasonInvalidContent);
  EXPECT_EQ(invalid_content.field(), "content");

  // Field 1 as a length-delimited value claiming more bytes than follow.
  expect({FromGrpcStatus(CallWithBytes(pair_.ingest_address(),
                                       "/bulletin.v1.IngestService/Submit",
                                       std::string("\x0a\xff\xff\x03zz", 6)))},
         absl::StatusCode::kInvalidArgument, kReasonMalformedRequest);

  Failure too_large = Submit(Bulletin(std::string(3000, 'x')));
  expect(too_large, absl::StatusCode::kResourceExhausted, kReasonTooLarge);
  EXPECT_FALSE(too_large.retry_info()) << "retrying cannot help";

  v1::SubmitRequest first = Bulletin("标题\n导语。\n");
  first.set_external_id("e-1");
  first.set_request_id("r-1");
  ASSERT_TRUE(Submit(first).status.ok());
  v1::SubmitRequest mismatch = first;
  mismatch.set_request_id("r-2");
  mismatch.set_expected_version(0);
  Failure version_mismatch = Submit(mismatch);
  expect(version_mismatch, absl::StatusCode::kFailedPrecondition,
         kReasonVersionMismatch);
  EXPECT_EQ(
      ErrorInfoOf(version_mismatch.status)->metadata().at("current_version"),
      "1");

  v1::SubmitRequest reused = first;
  reused.set_content("另一个标题\n导语。\n");
  expect(Submit(reused), absl::StatusCode::kInvalidArgument,
         kReasonRequestIdReused);

  v1::RetractRequest other;
  other.set_source("cms-b");
  v1::SubmitRequest owned = Bulletin("甲方的标题\n导语。\n");
  owned.set_source("cms-a");
  grpc::ClientContext context;
  Prepare(&context);
  v1::SubmitResponse owned_response;
  ASSERT_TRUE(ingest_->Submit(&context, owned, &owned_response).ok());
  other.set_id(owned_response.id());
  expect(Retract(other), absl::StatusCode::kPermissionDenied,
         kReasonOtherSource);

  v1::GetRequest missing;
  missing.set_id("00000000000000ff");
  expect(Get(missing), absl::StatusCode::kNotFound, kReasonBulletinNotFound);
  v1::RetractRequest gone;
  gone.set_id("00000000000000ff");
  expect(Retract(gone), absl::StatusCode::kNotFound, kReasonBulletinNotFound);

  v1::GetRequest future = missing;
  future.set_min_seq(1'000'000);
  Failure not_applied = Get(future, absl::Seconds(2));
  expect(not_applied, absl::StatusCode::kDeadlineExceeded,
         kReasonSeqNotApplied);
  EXPECT_TRUE(not_applied.retry_info());

  // The replica stalls every search that has a deadline until that
  // deadline (--stall_searches_for_testing): one without a deadline runs,
  // and is refused for its query.
  v1::SearchRequest search;
  search.set_query("\"政协");
  v1::SearchResponse found;
  grpc::ClientContext unbounded_search;
  expect({FromGrpcStatus(query_->Search(&unbounded_search, search, &found))},
         absl::StatusCode::kInvalidArgument, kReasonInvalidQuery);
  search.set_query("政协");
  grpc::ClientContext stalled_search;
  Prepare(&stalled_search, absl::Seconds(2));
  Failure deadline_passed = {
      FromGrpcStatus(query_->Search(&stalled_search, search, &found))};
  expect(deadline_passed, absl::StatusCode::kDeadlineExceeded,
         kReasonDeadlinePassed);
  EXPECT_FALSE(deadline_passed.retry_info())
      << "the same search would stop again";

  // A Feed position from another log.
  auto feed = v1::Feed::NewStub(grpc::CreateChannel(
      pair_.ingest_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext feed_context;
  Prepare(&feed_context);
  v1::SubscribeRequest subscribe;
  subscribe.set_replica_id("error-reasons-test");
  subscribe.set_log_id("00000000000000000000000000000000");
  subscribe.set_log_epoch(1);
  subscribe.set_after_seq(1);
  auto reader = feed->Subscribe(&feed_context, subscribe);
  v1::FeedMessage message;
  while (reader->Read(&message)) {
  }
  expect({FromGrpcStatus(reader->Finish())},
         absl::StatusCode::kFailedPrecondition, kReasonLogReplaced);

  // A Watch position from another log.
  v1::WatchRequest resume;
  resume.set_query("政协");
  resume.set_after_seq(1);
  resume.set_log_id("00000000000000000000000000000000");
  resume.set_log_epoch(1);
  expect(WatchUntilEnd(resume), absl::StatusCode::kFailedPrecondition,
         kReasonResyncRequired);

  // Overloaded: no room for any submit.
  ServicePair no_room;
  ASSERT_TRUE(no_room.StartIngest(0, {"--max_pending_submits=0"}).ok());
  auto no_room_stub = v1::IngestService::NewStub(grpc::CreateChannel(
      no_room.ingest_address(), grpc::InsecureChannelCredentials()));
  Failure overloaded = Submit(no_room_stub.get(), Bulletin("标题\n导语。\n"));
  expect(overloaded, absl::StatusCode::kResourceExhausted, kReasonOverloaded);
  EXPECT_TRUE(overloaded.retry_info());

  // A full disk (as in fault_test.cc): the log cannot be written.
  ServicePair full;
  ASSERT_TRUE(full.StartIngest(0, {}, /*file_size_limit=*/512 << 10).ok());
  auto full_stub = v1::IngestService::NewStub(grpc::CreateChannel(
      full.ingest_address(), grpc::InsecureChannelCredentials()));
  Failure unavailable;
  for (int i = 0; i < 2000 && unavailable.status.ok(); ++i) {
    unavailable =
        Submit(full_stub.get(), Bulletin("标题" + std::to_string(i) + "\n" +
                                         std::string(4000, 'x') + "\n"));
  }
  expect(unavailable, absl::StatusCode::kUnavailable, kReasonLogUnavailable);
  EXPECT_TRUE(unavailable.retry_info());

  // A Watch open while its replica stops (after its lame-duck period).
  {
    grpc::ClientContext watch_context;
    Prepare(&watch_context, absl::Seconds(60));
    v1::WatchRequest live;
    live.set_query("政协");
    auto watch = query_->Watch(&watch_context, live);
    watch->WaitForInitialMetadata();
    absl::StatusOr<int> stopped = pair_.query()->Terminate(absl::Seconds(30));
    ASSERT_TRUE(stopped.ok()) << stopped.status();
    v1::WatchEvent event;
    while (watch->Read(&event)) {
    }
    Failure shutting_down = {FromGrpcStatus(watch->Finish())};
    expect(shutting_down, absl::StatusCode::kUnavailable, kReasonShuttingDown);
    EXPECT_TRUE(shutting_down.retry_info());
  }

  // CONTENDED: decoded where a log that loses every race can be had.
  EXPECT_NE(ReadText(BULLETIN_WRITE_RULES_TEST)
                .find("ErrorInfoOf(contended.status())->reason(), "
                      "kReasonContended"),
            std::string::npos);
  decoded.insert(kReasonContended);

  EXPECT_EQ(decoded, CatalogueReasons())
      << "every reason docs/errors.md lists must be decoded here";
}

}  // namespace
}  // namespace bulletin::testing
