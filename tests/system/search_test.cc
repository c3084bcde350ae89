// Search on the real services: a search that outlives its deadline is
// stopped by the replica, which answers DEADLINE_EXCEEDED with reason
// DEADLINE_PASSED.

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
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

}  // namespace
}  // namespace bulletin::testing
