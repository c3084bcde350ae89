// Search on the real services: a search that outlives its deadline is
// stopped by the replica, which answers DEADLINE_EXCEEDED with reason
// DEADLINE_PASSED, and one whose caller cancelled stops; the request's order by
// publication date, highlight marks, match spans and facet size, over gRPC and
// through bulletinctl.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

class SearchTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& query_flags = {}) {
    ASSERT_TRUE(pair_.StartIngest().ok());
    ASSERT_TRUE(pair_.StartQuery(query_flags).ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
    ingest_ = v1::IngestService::NewStub(grpc::CreateChannel(
        pair_.ingest_address(), grpc::InsecureChannelCredentials()));
    query_ = v1::QueryService::NewStub(grpc::CreateChannel(
        pair_.query_address(), grpc::InsecureChannelCredentials()));
  }

  void Submit(const std::string& text, const std::string& date = "") {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::SubmitRequest request;
    request.set_content(text);
    request.set_date(date);
    v1::SubmitResponse response;
    grpc::Status status = ingest_->Submit(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    last_seq_ = response.seq();
  }

  // Waits (with Stats, which nothing stalls) until the replica has applied
  // the last submit.
  void AwaitLastSubmit() {
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    v1::StatsResponse stats;
    do {
      grpc::ClientContext context;
      stats.Clear();
      ASSERT_TRUE(query_->Stats(&context, v1::StatsRequest(), &stats).ok());
      if (stats.applied_seq() >= last_seq_) return;
      absl::SleepFor(absl::Milliseconds(20));
    } while (absl::Now() < give_up);
    FAIL() << "seq " << last_seq_ << " not applied; at " << stats.applied_seq();
  }

  absl::Status Search(const v1::SearchRequest& request,
                      v1::SearchResponse* response,
                      absl::Duration deadline = absl::Seconds(30)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return FromGrpcStatus(query_->Search(&context, request, response));
  }

  std::string QueryLog() {
    std::ifstream file(pair_.query()->log_path());
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  ServicePair pair_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  uint64_t last_seq_ = 0;
};

TEST_F(SearchTest, ASearchPastItsDeadlineIsStoppedWithAReason) {
  // Every search with a deadline waits out its time before it runs, as one
  // over an index too large for its deadline would: the replica's own
  // check must then stop it.
  Start({"--stall_searches_for_testing"});
  Submit(ReadExample("chongqing-cppcc-roundup.txt"));
  AwaitLastSubmit();
  v1::SearchRequest request;
  request.set_query("政协");
  v1::SearchResponse response;
  const absl::Status status =
      Search(request, &response, /*deadline=*/absl::Seconds(3));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  // The replica answers a little before the deadline, so the reason
  // reaches the caller (as SEQ_NOT_APPLIED does).
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status);
  ASSERT_TRUE(info.has_value()) << status;
  EXPECT_EQ(info->reason(), kReasonDeadlinePassed);
  // And the replica itself ended the call so: its log says how.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  std::string log;
  do {
    log = QueryLog();
    if (log.find("\"code\":\"DEADLINE_EXCEEDED\"") != std::string::npos) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < give_up);
  EXPECT_NE(log.find("the search did not finish within the call's deadline"),
            std::string::npos)
      << FileTail(pair_.query()->log_path());
}

// A search whose caller cancelled stops, long before its deadline: the
// replica's own log says the handler ended it so.
TEST_F(SearchTest, ASearchWhoseCallerCancelledStops) {
  Start({"--stall_searches_for_testing"});
  Submit(ReadExample("chongqing-cppcc-roundup.txt"));
  AwaitLastSubmit();
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(600)));
  context.AddMetadata("x-request-id", "cancelled-search-1");
  v1::SearchRequest request;
  request.set_query("政协");
  grpc::Status status;
  std::thread caller([&] {
    v1::SearchResponse response;
    status = query_->Search(&context, request, &response);
  });
  // Cancelled once the handler has it, stalled for its 600 s deadline: a
  // cancel sent earlier may end the call before any handler sees it.
  const absl::Time stalled_by = absl::Now() + absl::Seconds(30);
  while (QueryLog().find("search_stalled_for_testing") == std::string::npos &&
         absl::Now() < stalled_by) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  context.TryCancel();
  caller.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::string log;
  do {
    log = QueryLog();
    if (log.find("cancelled-search-1") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(50));
  } while (absl::Now() < give_up);
  EXPECT_NE(log.find("\"code\":\"CANCELLED\",\"message\":\"the caller "
                     "cancelled the search\""),
            std::string::npos)
      << FileTail(pair_.query()->log_path());
}

class SearchOptionsTest : public SearchTest {
 protected:
  void SetUp() override {
    Start();
    Submit(ReadExample("single-article-report.txt"), "2021-11-18");
    Submit(ReadExample("sichuan-roundup.txt"));  // Undated.
    Submit(ReadExample("chongqing-cppcc-roundup.txt"), "2021-11-20");
    AwaitLastSubmit();
  }
};

TEST_F(SearchOptionsTest, TheNewRequestFieldsShapeTheAnswer) {
  v1::SearchRequest request;
  request.set_query("会议");
  request.set_order(v1::SearchRequest::DATE_ASCENDING);
  request.set_limit(2);
  request.set_highlight_pre_tag("<em>");
  request.set_highlight_post_tag("</em>");
  request.set_escape_snippet_html(true);
  request.set_include_matches(true);
  request.add_facets("date");
  request.set_facet_size(1);
  v1::SearchResponse first;
  ASSERT_TRUE(Search(request, &first).ok());
  EXPECT_EQ(first.total_hits(), 3);
  ASSERT_EQ(first.hits_size(), 2);
  EXPECT_EQ(first.hits(0).date(), "2021-11-18");
  EXPECT_EQ(first.hits(1).date(), "2021-11-20");
  EXPECT_EQ(first.hits(0).score(), 0);
  ASSERT_EQ(first.facets_size(), 1);
  EXPECT_EQ(first.facets(0).values_size(), 1);
  for (const v1::Hit& hit : first.hits()) {
    EXPECT_NE(hit.snippet().find("<em>会议</em>"), std::string::npos)
        << hit.snippet();
    EXPECT_EQ(hit.snippet().find("【"), std::string::npos) << hit.snippet();
    ASSERT_GT(hit.matches_size(), 0);
    // Each span is the matched text, in bytes of the field as stored.
    for (const v1::MatchSpan& m : hit.matches()) {
      EXPECT_EQ(m.end_byte() - m.begin_byte(), 6) << m.ShortDebugString();
      EXPECT_EQ(m.end_code_point() - m.begin_code_point(), 2);
    }
  }
  // The undated bulletin comes last, on the next page.
  request.set_page_token(first.next_page_token());
  v1::SearchResponse second;
  ASSERT_TRUE(Search(request, &second).ok());
  ASSERT_EQ(second.hits_size(), 1);
  EXPECT_EQ(second.hits(0).date(), "");
  EXPECT_TRUE(second.next_page_token().empty());

  request.set_facet_size(1001);
  v1::SearchResponse refused;
  const absl::Status over = Search(request, &refused);
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(over).has_value()) << over;
  EXPECT_EQ(BadRequestOf(over)->field_violations(0).field(), "facet_size");
}

TEST_F(SearchOptionsTest, BulletinctlPassesTheNewFlags) {
  absl::StatusOr<CommandResult> searched =
      pair_.Ctl({"search", "--order=date_descending", "--highlight_pre_tag=[[",
                 "--highlight_post_tag=]]", "--matches", "--facets=date",
                 "--facet_size=2", "--limit=1", "会议"});
  ASSERT_TRUE(searched.ok()) << searched.status();
  ASSERT_EQ(searched->exit_code, 0) << searched->err;
  EXPECT_NE(searched->out.find("[[会议]]"), std::string::npos) << searched->out;
  EXPECT_NE(searched->out.find("    match "), std::string::npos)
      << searched->out;
  EXPECT_NE(searched->out.find("facet date: 2021-11-18=1 2021-11-20=1"),
            std::string::npos)
      << searched->out;
  absl::StatusOr<CommandResult> json = pair_.Ctl(
      {"search", "--order=date_descending", "--limit=1", "--json", "会议"});
  ASSERT_TRUE(json.ok());
  ASSERT_EQ(json->exit_code, 0) << json->err;
  EXPECT_NE(json->out.find("\"date\":\"2021-11-20\""), std::string::npos)
      << json->out;
  absl::StatusOr<CommandResult> bad =
      pair_.Ctl({"search", "--order=newest", "会议"});
  ASSERT_TRUE(bad.ok());
  EXPECT_NE(bad->exit_code, 0);
  EXPECT_NE(bad->err.find("date_descending"), std::string::npos) << bad->err;
}

// A replica that may stop counting after the first match still counts
// every one when asked, through bulletinctl and in its JSON.
class SearchTotalsTest : public SearchTest {
 protected:
  void SetUp() override {
    Start({"--total_hits_threshold=0"});
    Submit(ReadExample("single-article-report.txt"), "2021-11-18");
    Submit(ReadExample("sichuan-roundup.txt"));
    Submit(ReadExample("chongqing-cppcc-roundup.txt"), "2021-11-20");
    AwaitLastSubmit();
  }
};

TEST_F(SearchTotalsTest, BulletinctlAsksForExactTotals) {
  absl::StatusOr<CommandResult> exact = pair_.Ctl(
      {"search", "--exact_total", "--limit=1", "--json", "\"会议\" -政协委员"});
  ASSERT_TRUE(exact.ok()) << exact.status();
  ASSERT_EQ(exact->exit_code, 0) << exact->err;
  EXPECT_NE(exact->out.find("\"total_hits_is_lower_bound\":false"),
            std::string::npos)
      << exact->out;
  v1::SearchRequest request;
  request.set_query("\"会议\" -政协委员");
  request.set_exact_total_hits(true);
  v1::SearchResponse response;
  ASSERT_TRUE(Search(request, &response).ok());
  EXPECT_FALSE(response.total_hits_is_lower_bound());
  EXPECT_NE(exact->out.find("\"total_hits\":\"" +
                            std::to_string(response.total_hits()) + "\""),
            std::string::npos)
      << exact->out;
  // Without it the total may be a lower bound, never above the count.
  request.set_exact_total_hits(false);
  request.set_limit(1);
  v1::SearchResponse bounded;
  ASSERT_TRUE(Search(request, &bounded).ok());
  EXPECT_LE(bounded.total_hits(), response.total_hits());
  EXPECT_EQ(bounded.hits(0).bulletin_id(), response.hits(0).bulletin_id());
  absl::StatusOr<CommandResult> text =
      pair_.Ctl({"search", "--exact_total", "--limit=1", "会议"});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->out.rfind("3 hits\n", 0), 0u) << text->out;
}

}  // namespace
}  // namespace bulletin::testing
