#include "query-service/index/query/standing_query.h"

#include <gtest/gtest.h>

#include "tests/index/test_records.h"

namespace bulletin {
namespace {

using testing::MakeBulletin;

v1::WatchRequest Watch(const std::string& query) {
  v1::WatchRequest request;
  request.set_query(query);
  return request;
}

TEST(StandingQueryTest, MatchesExactSubstringsOnly) {
  absl::StatusOr<StandingQuery> q = StandingQuery::Create(Watch("委员会议"));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_FALSE(q->Match(
      MakeBulletin("a", "政协委员会召开", "会议强调", {"委员会和会议"})));
  std::optional<v1::Hit> hit =
      q->Match(MakeBulletin("b", "标题", "导语", {"其他", "召开委員會議"}));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->bulletin_id(), "b");
  ASSERT_EQ(hit->item_indexes_size(), 1);
  EXPECT_EQ(hit->item_indexes(0), 1);
  EXPECT_EQ(hit->snippet(), "召开【委員會議】");
}

TEST(StandingQueryTest, AppliesFiltersAndExclusions) {
  v1::WatchRequest request = Watch("政协 -常委");
  request.mutable_filters()->add_regions("忠縣");
  absl::StatusOr<StandingQuery> q = StandingQuery::Create(request);
  ASSERT_TRUE(q.ok()) << q.status();
  v1::Bulletin b = MakeBulletin("a", "忠县政协", "导语", {"忠县政协开会"});
  EXPECT_FALSE(q->Match(b));  // no region
  b.mutable_items(0)->mutable_organization()->set_region("忠县");
  EXPECT_TRUE(q->Match(b));
  b.set_lead("常委会");
  EXPECT_FALSE(q->Match(b));
}

TEST(StandingQueryTest, RejectsMalformedQueries) {
  EXPECT_EQ(StandingQuery::Create(Watch("\"x")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StandingQuery::Create(Watch("-x")).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::WatchRequest bad_date = Watch("x");
  bad_date.mutable_filters()->set_date_from("2021-13-01");
  EXPECT_EQ(StandingQuery::Create(bad_date).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
