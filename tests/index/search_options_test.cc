// SearchRequest's presentation options on the index: ordering by
// publication date (undated last, pages that continue exactly), highlight
// marks and HTML escaping in snippets, match spans, and the facet size
// with its cap.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/server/error_details.h"
#include "query-service/index/bulletin_index.h"
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::MakeBulletin;
using testing::Upsert;

class SearchOptionsTest : public ::testing::Test {
 protected:
  void Add(const std::string& id, const std::string& date,
           const std::string& headline = "会议",
           const std::string& lead = "会议") {
    v1::Bulletin b = MakeBulletin(id, headline, lead);
    b.set_date(date);
    index_.Apply(Upsert(++seq_, b));
  }

  v1::SearchResponse Search(const v1::SearchRequest& request) {
    absl::StatusOr<v1::SearchResponse> response = index_.Search(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::SearchResponse();
  }

  // Every hit's id, walking the pages `limit` at a time.
  std::vector<std::string> AllPages(v1::SearchRequest request, int limit) {
    request.set_limit(limit);
    std::vector<std::string> ids;
    for (int page = 0; page < 100; ++page) {
      const v1::SearchResponse response = Search(request);
      for (const v1::Hit& hit : response.hits()) {
        ids.push_back(hit.bulletin_id());
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return ids;
  }

  BulletinIndex index_;
  uint64_t seq_ = 0;
};

TEST_F(SearchOptionsTest, DateOrdersPutUndatedLastAndBreakTiesByNewestSeq) {
  Add("mid", "2021-06-01");
  Add("undated-old", "");
  Add("late", "2022-01-15");
  Add("early", "2020-12-31");
  Add("mid-newer", "2021-06-01");
  Add("undated-new", "");
  v1::SearchRequest request;
  request.set_query("会议");
  request.set_order(v1::SearchRequest::DATE_DESCENDING);
  const std::vector<std::string> descending = {
      "late", "mid-newer", "mid", "early", "undated-new", "undated-old"};
  EXPECT_THAT(AllPages(request, 1000), ElementsAreArray(descending));
  request.set_order(v1::SearchRequest::DATE_ASCENDING);
  const std::vector<std::string> ascending = {
      "early", "mid-newer", "mid", "late", "undated-new", "undated-old"};
  EXPECT_THAT(AllPages(request, 1000), ElementsAreArray(ascending));
  EXPECT_EQ(Search(request).hits(0).score(), 0);
  EXPECT_EQ(Search(request).hits(0).date(), "2020-12-31");
}

TEST_F(SearchOptionsTest, DatePagesContinueExactlyWhereTheLastEnded) {
  // Ties, undated bulletins and page boundaries in every place.
  const char* dates[] = {"2021-03-01", "", "2021-03-01",
                         "2020-01-01", "", "2023-07-09",
                         "2021-03-01", "", "2019-11-18"};
  for (int i = 0; i < 9; ++i) Add("d" + std::to_string(i), dates[i]);
  for (auto order : {v1::SearchRequest::DATE_DESCENDING,
                     v1::SearchRequest::DATE_ASCENDING}) {
    for (const char* query : {"会议", ""}) {
      v1::SearchRequest request;
      request.set_query(query);
      request.set_order(order);
      const std::vector<std::string> whole = AllPages(request, 1000);
      ASSERT_EQ(whole.size(), 9u);
      for (int limit : {1, 2, 4}) {
        EXPECT_THAT(AllPages(request, limit), ElementsAreArray(whole))
            << "order " << order << " limit " << limit;
      }
    }
  }
}

TEST_F(SearchOptionsTest, ABulletinArrivingBetweenPagesDoesNotShiftThem) {
  Add("a", "2021-01-01");
  Add("b", "2021-01-02");
  Add("c", "2021-01-03");
  v1::SearchRequest request;
  request.set_query("会议");
  request.set_order(v1::SearchRequest::DATE_DESCENDING);
  request.set_limit(2);
  const v1::SearchResponse first = Search(request);
  ASSERT_EQ(first.hits_size(), 2);
  EXPECT_EQ(first.hits(1).bulletin_id(), "b");
  // Newer than the cursor: not on the next page. Older: on it.
  Add("newest", "2021-05-05");
  Add("older", "2020-05-05");
  request.set_page_token(first.next_page_token());
  std::vector<std::string> next;
  const v1::SearchResponse second = Search(request);
  for (const v1::Hit& hit : second.hits()) {
    next.push_back(hit.bulletin_id());
  }
  EXPECT_THAT(next, ElementsAre("a", "older"));
}

TEST_F(SearchOptionsTest, ATokenOfOneOrderIsRefusedByAnother) {
  Add("a", "2021-01-01");
  Add("b", "2021-01-02");
  v1::SearchRequest request;
  request.set_query("会议");
  request.set_order(v1::SearchRequest::DATE_DESCENDING);
  request.set_limit(1);
  request.set_page_token(Search(request).next_page_token());
  request.set_order(v1::SearchRequest::DATE_ASCENDING);
  EXPECT_EQ(index_.Search(request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SearchOptionsTest, HighlightMarksAreTheRequestsOrTheDefault) {
  Add("a", "", "标题", "【政协动态】区县政协组织学习");
  v1::SearchRequest request;
  request.set_query("政协");
  EXPECT_EQ(Search(request).hits(0).snippet(),
            "【【政协】动态】区县【政协】组织学习");
  request.set_highlight_pre_tag("<em>");
  request.set_highlight_post_tag("</em>");
  EXPECT_EQ(Search(request).hits(0).snippet(),
            "【<em>政协</em>动态】区县<em>政协</em>组织学习");
}

TEST_F(SearchOptionsTest, EscapedSnippetsHaveTheMarksAsTheirOnlyMarkup) {
  Add("a", "", "标题", "<b>政协</b> & \"委员\" 'x'");
  v1::SearchRequest request;
  request.set_query("政协");
  request.set_highlight_pre_tag("<mark>");
  request.set_highlight_post_tag("</mark>");
  request.set_escape_snippet_html(true);
  EXPECT_EQ(Search(request).hits(0).snippet(),
            "&lt;b&gt;<mark>政协</mark>&lt;/b&gt; &amp; &quot;委员&quot; "
            "&#39;x&#39;");
}

TEST_F(SearchOptionsTest, HighlightMarksAreChecked) {
  Add("a", "");
  v1::SearchRequest request;
  request.set_query("会议");
  request.set_highlight_pre_tag("<em>");
  absl::Status alone = index_.Search(request).status();
  EXPECT_EQ(alone.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(alone).has_value());
  EXPECT_EQ(BadRequestOf(alone)->field_violations(0).field(),
            "highlight_post_tag");
  request.set_highlight_post_tag(std::string(65, 'x'));
  absl::Status long_tag = index_.Search(request).status();
  EXPECT_EQ(long_tag.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(long_tag).has_value());
  EXPECT_EQ(BadRequestOf(long_tag)->field_violations(0).field(),
            "highlight_post_tag");
}

TEST_F(SearchOptionsTest, MatchSpansNameTheFieldAndBothOffsets) {
  v1::Bulletin b = MakeBulletin("a", "區縣政協", "连日来，区县政协组织",
                                {"无关", "政协委员和政协"});
  b.set_kicker("政协");
  index_.Apply(Upsert(++seq_, b));
  v1::SearchRequest request;
  request.set_query("政协");
  EXPECT_EQ(Search(request).hits(0).matches_size(), 0);  // Not asked for.
  request.set_include_matches(true);
  const v1::Hit hit = Search(request).hits(0);
  std::vector<std::string> spans;
  for (const v1::MatchSpan& m : hit.matches()) {
    spans.push_back(m.field() + "[" + std::to_string(m.item_index()) + "] " +
                    std::to_string(m.begin_byte()) + "-" +
                    std::to_string(m.end_byte()) + " " +
                    std::to_string(m.begin_code_point()) + "-" +
                    std::to_string(m.end_code_point()));
  }
  // "连日来，" is 4 code points, 12 bytes; traditional 政協 matches too.
  EXPECT_THAT(spans, ElementsAre("kicker[0] 0-6 0-2", "headline[0] 6-12 2-4",
                                 "lead[0] 18-24 6-8", "items[1] 0-6 0-2",
                                 "items[1] 15-21 5-7"));
}

TEST_F(SearchOptionsTest, OverlappingAndTouchingOccurrencesMakeOneSpan) {
  Add("a", "", "标题", "啊啊啊x政协政协");
  v1::SearchRequest request;
  request.set_query("啊啊 政协");
  request.set_include_matches(true);
  const v1::Hit hit = Search(request).hits(0);
  ASSERT_EQ(hit.matches_size(), 2);
  EXPECT_EQ(hit.matches(0).begin_code_point(), 0);
  EXPECT_EQ(hit.matches(0).end_code_point(), 3);
  EXPECT_EQ(hit.matches(1).begin_code_point(), 4);
  EXPECT_EQ(hit.matches(1).end_code_point(), 8);
}

TEST_F(SearchOptionsTest, FacetSizeBoundsValuesAndIsCapped) {
  for (int i = 0; i < 60; ++i) {
    v1::Bulletin b =
        MakeBulletin("d" + std::to_string(i), "会议", "会议", {"条目"});
    b.mutable_items(0)->mutable_organization()->set_region(
        "区" + std::to_string(i % 55));
    index_.Apply(Upsert(++seq_, b));
  }
  v1::SearchRequest request;
  request.set_query("会议");
  request.add_facets("region");
  EXPECT_EQ(Search(request).facets(0).values_size(), 50);  // The default.
  request.set_facet_size(3);
  const v1::Facet facet = Search(request).facets(0);
  ASSERT_EQ(facet.values_size(), 3);
  // The most frequent first: 区0 .. 区4 have two bulletins each.
  EXPECT_EQ(facet.values(0).count(), 2);
  EXPECT_EQ(facet.values(0).value(), "区0");
  request.set_facet_size(1000);
  EXPECT_EQ(Search(request).facets(0).values_size(), 55);
  request.set_facet_size(1001);
  absl::Status over = index_.Search(request).status();
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(over).has_value());
  EXPECT_EQ(BadRequestOf(over)->field_violations(0).field(), "facet_size");
  request.set_facet_size(-1);
  EXPECT_EQ(index_.Search(request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
