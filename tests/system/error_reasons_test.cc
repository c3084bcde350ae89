// The error catalogue (docs/errors.md) against the code and the real
// services: the catalogue lists exactly the reasons the code has, and a
// client decodes each reason, with its BadRequest field or RetryInfo, from
// calls to the running binaries. MALFORMED_REQUEST is decoded in
// call_test.cc (it needs raw bytes); CONTENDED and SHUTTING_DOWN, which no
// client can provoke on purpose, in tests/ingest/write_rules_test.cc;
// DEADLINE_PASSED in search_test.cc (it needs a replica whose searches
// stall) and tests/ingest/group_committer_test.cc (a log that blocks).

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

TEST(ErrorCatalogueTest, ListsExactlyTheReasonsTheCodeHas) {
  std::ifstream file(BULLETIN_ERRORS_DOC);
  ASSERT_TRUE(file) << BULLETIN_ERRORS_DOC;
  std::stringstream text;
  text << file.rdbuf();
  std::set<std::string> documented;
  // Catalogue rows start with the reason in backquotes: "| `REASON` |".
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
  std::set<std::string> in_code(std::begin(kErrorReasons),
                                std::end(kErrorReasons));
  EXPECT_EQ(documented, in_code);
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
    ASSERT_TRUE(pair_.StartQuery().ok());
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

TEST_F(ErrorReasonsTest, AClientDecodesEachReason) {
  v1::SubmitRequest bad_source = Bulletin("标题\n导语。\n");
  bad_source.set_source("two words");
  Failure invalid_field = Submit(bad_source);
  EXPECT_EQ(invalid_field.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid_field.reason(), kReasonInvalidField);
  EXPECT_EQ(invalid_field.field(), "source");

  Failure invalid_content = Submit(Bulletin(" \n\t\n"));
  EXPECT_EQ(invalid_content.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid_content.reason(), kReasonInvalidContent);
  EXPECT_EQ(invalid_content.field(), "content");

  Failure too_large = Submit(Bulletin(std::string(3000, 'x')));
  EXPECT_EQ(too_large.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(too_large.reason(), kReasonTooLarge);
  EXPECT_FALSE(too_large.retry_info()) << "retrying cannot help";

  v1::SubmitRequest first = Bulletin("标题\n导语。\n");
  first.set_external_id("e-1");
  first.set_request_id("r-1");
  ASSERT_TRUE(Submit(first).status.ok());
  v1::SubmitRequest mismatch = first;
  mismatch.set_request_id("r-2");
  mismatch.set_expected_version(0);
  Failure version_mismatch = Submit(mismatch);
  EXPECT_EQ(version_mismatch.status.code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(version_mismatch.reason(), kReasonVersionMismatch);
  EXPECT_EQ(
      ErrorInfoOf(version_mismatch.status)->metadata().at("current_version"),
      "1");

  v1::SubmitRequest reused = first;
  reused.set_content("另一个标题\n导语。\n");
  EXPECT_EQ(Submit(reused).reason(), kReasonRequestIdReused);

  v1::RetractRequest other;
  other.set_source("cms-b");
  v1::SubmitRequest owned = Bulletin("甲方的标题\n导语。\n");
  owned.set_source("cms-a");
  grpc::ClientContext context;
  Prepare(&context);
  v1::SubmitResponse owned_response;
  ASSERT_TRUE(ingest_->Submit(&context, owned, &owned_response).ok());
  other.set_id(owned_response.id());
  Failure other_source = Retract(other);
  EXPECT_EQ(other_source.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(other_source.reason(), kReasonOtherSource);

  v1::GetRequest missing;
  missing.set_id("00000000000000ff");
  EXPECT_EQ(Get(missing).reason(), kReasonBulletinNotFound);
  v1::RetractRequest gone;
  gone.set_id("00000000000000ff");
  EXPECT_EQ(Retract(gone).reason(), kReasonBulletinNotFound);

  v1::GetRequest future = missing;
  future.set_min_seq(1'000'000);
  Failure not_applied = Get(future, absl::Seconds(2));
  EXPECT_EQ(not_applied.status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(not_applied.reason(), kReasonSeqNotApplied);
  EXPECT_TRUE(not_applied.retry_info());

  grpc::ClientContext search_context;
  Prepare(&search_context);
  v1::SearchRequest search;
  search.set_query("\"政协");
  v1::SearchResponse found;
  Failure invalid_query = {
      FromGrpcStatus(query_->Search(&search_context, search, &found))};
  EXPECT_EQ(invalid_query.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid_query.reason(), kReasonInvalidQuery);

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
  Failure replaced = {FromGrpcStatus(reader->Finish())};
  EXPECT_EQ(replaced.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(replaced.reason(), kReasonLogReplaced);
}

// Overloaded and unavailable: with RetryInfo, since waiting helps.
TEST_F(ErrorReasonsTest, OverloadedAndLogUnavailableSayWhenToRetry) {
  ServicePair no_room;
  ASSERT_TRUE(no_room.StartIngest(0, {"--max_pending_submits=0"}).ok());
  auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
      no_room.ingest_address(), grpc::InsecureChannelCredentials()));
  Failure overloaded = Submit(stub.get(), Bulletin("标题\n导语。\n"));
  EXPECT_EQ(overloaded.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(overloaded.reason(), kReasonOverloaded);
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
  EXPECT_EQ(unavailable.status.code(), absl::StatusCode::kUnavailable)
      << unavailable.status;
  EXPECT_EQ(unavailable.reason(), kReasonLogUnavailable);
  EXPECT_TRUE(unavailable.retry_info());
}

}  // namespace
}  // namespace bulletin::testing
