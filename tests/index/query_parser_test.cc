#include "query-service/index/query/query_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(QueryParserTest, TermsAreSplitOnSpaceAndFolded) {
  absl::StatusOr<ParsedQuery> q = ParseQuery("會議  ＡＢＣ 政协");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_THAT(q->terms, ElementsAre("会议", "abc", "政协"));
  EXPECT_THAT(q->excluded, IsEmpty());
}

TEST(QueryParserTest, QuotedPhrasesKeepTheirSpaces) {
  absl::StatusOr<ParsedQuery> q =
      ParseQuery("\"Li  Ming\" “委员 会议” ＂ab c＂");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_THAT(q->terms, ElementsAre("li ming", "委员 会议", "ab c"));
}

TEST(QueryParserTest, LeadingMinusExcludes) {
  absl::StatusOr<ParsedQuery> q =
      ParseQuery("政协 -委员 -\"a b\" covid-19 －x");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_THAT(q->terms, ElementsAre("政协", "covid-19"));
  EXPECT_THAT(q->excluded, ElementsAre("委员", "a b", "x"));
}

TEST(QueryParserTest, LoneMinusIsALiteralTerm) {
  absl::StatusOr<ParsedQuery> q = ParseQuery("a - b");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_THAT(q->terms, ElementsAre("a", "-", "b"));
}

TEST(QueryParserTest, DuplicatesAreKeptOnce) {
  absl::StatusOr<ParsedQuery> q = ParseQuery("會議 会议 会议");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_THAT(q->terms, ElementsAre("会议"));
}

TEST(QueryParserTest, EmptyQueryHasNoTerms) {
  absl::StatusOr<ParsedQuery> q = ParseQuery("   ");
  ASSERT_TRUE(q.ok());
  EXPECT_THAT(q->terms, IsEmpty());
}

TEST(QueryParserTest, RejectsUnbalancedQuotes) {
  EXPECT_EQ(ParseQuery("\"open").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseQuery("“委员").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(QueryParserTest, RejectsInvalidUtf8AndOversizedQueries) {
  EXPECT_EQ(ParseQuery("\xff\xfe").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string many;
  for (int i = 0; i < 40; ++i) many += "t" + std::to_string(i) + " ";
  EXPECT_EQ(ParseQuery(many).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseQuery(std::string(600, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
