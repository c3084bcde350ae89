// BulletinIndex::Search with a Cancellation (cancellation.h): a search stops
// with the cancellation's status at the first poll that says so, whether it
// is reading a term's matches or walking every document, and is not asked
// again; a search never told to stop polls every stride and answers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/index/query/cancellation.h"
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

using testing::MakeBulletin;
using testing::Upsert;

// Enough bulletins that matching them all takes several strides.
constexpr int kBulletins = 5 * Cancellation::kStride;

class SearchCancellationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    index_ = new BulletinIndex();
    for (int i = 0; i < kBulletins; ++i) {
      index_->Apply(Upsert(
          i + 1, MakeBulletin("d" + std::to_string(i), "区县政协", "会议")));
    }
  }
  static void TearDownTestSuite() {
    delete index_;
    index_ = nullptr;
  }

  // A cancellation whose poll says "go on" `go_on` times, then CANCELLED.
  static Cancellation CancelAtPoll(int go_on) {
    return Cancellation([polls = 0, go_on]() mutable {
      return ++polls > go_on ? absl::CancelledError("the caller went away")
                             : absl::OkStatus();
    });
  }

  static BulletinIndex* index_;
};

BulletinIndex* SearchCancellationTest::index_ = nullptr;

TEST_F(SearchCancellationTest, ACallerGoneBeforeTheSearchCostsNothing) {
  v1::SearchRequest request;
  request.set_query("政协");
  Cancellation cancellation = CancelAtPoll(0);
  absl::StatusOr<v1::SearchResponse> response =
      index_->Search(request, &cancellation);
  EXPECT_EQ(response.status(), absl::CancelledError("the caller went away"));
  EXPECT_EQ(cancellation.polls(), 1);
}

TEST_F(SearchCancellationTest, StopsWhileReadingATermsMatches) {
  v1::SearchRequest request;
  request.set_query("政协");
  request.set_limit(1000);
  // Polls: before the lock, after the term's lists are read, then once per
  // stride of candidates: the third is inside the candidate loop.
  Cancellation cancellation = CancelAtPoll(2);
  absl::StatusOr<v1::SearchResponse> response =
      index_->Search(request, &cancellation);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(cancellation.polls(), 3);
  // Stopped: asking again does not poll.
  EXPECT_TRUE(cancellation.Check());
  EXPECT_EQ(cancellation.polls(), 3);
}

TEST_F(SearchCancellationTest, StopsWhileWalkingEveryDocument) {
  // No terms and no filters: every document is a candidate.
  v1::SearchRequest request;
  Cancellation cancellation = CancelAtPoll(1);
  absl::StatusOr<v1::SearchResponse> response =
      index_->Search(request, &cancellation);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(cancellation.polls(), 2);
}

TEST_F(SearchCancellationTest, WhereverItIsStoppedTheSearchEndsStopped) {
  // Two terms and an exclusion (the second read per candidate or whole,
  // whichever the plan picks), facets counted over every match, and hits
  // built: stopped at any of its polls, the search answers the status.
  v1::SearchRequest request;
  request.set_query("政协 区县 -无关");
  request.add_facets("region");
  request.set_limit(1000);
  Cancellation counting([] { return absl::OkStatus(); });
  ASSERT_TRUE(index_->Search(request, &counting).ok());
  for (int go_on = 0; go_on < counting.polls(); ++go_on) {
    Cancellation cancellation = CancelAtPoll(go_on);
    EXPECT_EQ(index_->Search(request, &cancellation).status().code(),
              absl::StatusCode::kCancelled)
        << "stopped at poll " << go_on + 1 << " of " << counting.polls();
    EXPECT_EQ(cancellation.polls(), go_on + 1);
  }
}

TEST_F(SearchCancellationTest, AnUncancelledSearchPollsEveryStrideAndAnswers) {
  v1::SearchRequest request;
  request.set_query("政协");
  request.add_facets("region");
  Cancellation cancellation([] { return absl::OkStatus(); });
  absl::StatusOr<v1::SearchResponse> response =
      index_->Search(request, &cancellation);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->total_hits(), kBulletins);
  // Matching walks every match. (Facets are counted by value when most
  // bulletins match, a tick per posting read; these bulletins have no
  // region, so that reads nothing.)
  EXPECT_GE(cancellation.polls(), kBulletins / Cancellation::kStride);
  // ... but not on every candidate.
  EXPECT_LT(cancellation.polls(), kBulletins / 100);
}

}  // namespace
}  // namespace bulletin
