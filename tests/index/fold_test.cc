#include "query-service/index/text/fold.h"

#include <gtest/gtest.h>

namespace bulletin {
namespace {

TEST(FoldTest, TraditionalFoldsToSimplified) {
  EXPECT_EQ(FoldText("會議"), "会议");
  EXPECT_EQ(FoldText("區縣政協"), "区县政协");
  EXPECT_EQ(FoldText("会议"), "会议");
}

TEST(FoldTest, WidthAndCaseFold) {
  EXPECT_EQ(FoldText("ＡＢＣ abc ÄÖ"), "abc abc äö");
  EXPECT_EQ(FoldText("２０２１年"), "2021年");
  EXPECT_EQ(FoldText("Straße"), "strasse");
}

TEST(FoldTest, SpacesCollapseAndControlsVanish) {
  EXPECT_EQ(FoldText("  a \t\n b\x01"
                     "c　d"),
            "a bc d");
}

TEST(FoldTest, IsIdempotent) {
  for (const char* s :
       {"會議 ＡＢＣ", "Straße ﬁ ①", "乾隆 後來 髮型 发型", "ΣΑΣ ﬀ İstanbul"}) {
    const std::string once = FoldText(s);
    EXPECT_EQ(FoldText(once), once) << s;
  }
}

TEST(FoldTest, OffsetsMapBackToTheOriginal) {
  const std::string text = "Ａ會議";
  FoldedWithOffsets f = FoldWithOffsets(text);
  ASSERT_EQ(f.folded, "a会议");
  ASSERT_EQ(f.begin.size(), f.folded.size());
  EXPECT_EQ(f.begin[0], 0u);
  EXPECT_EQ(f.end[0], 3u);
  EXPECT_EQ(f.begin[1], 3u);  // 会 comes from 會 at bytes [3, 6)
  EXPECT_EQ(f.end[3], 6u);
  EXPECT_EQ(f.begin[4], 6u);
}

TEST(FoldTest, QueryTextIsNfkcThenFoldedAndTrimmed) {
  EXPECT_EQ(FoldQueryText(" 委員會 "), "委员会");
  EXPECT_EQ(FoldQueryText("e\xCC\x81"), "\xC3\xA9");  // e + combining acute
}

// A fold far longer than its text (U+FDFA expands to eighteen code
// points) must grow its output rather than overrun it.
TEST(FoldTest, FoldsThatOutgrowTheirTextAreWhole) {
  const std::string one = FoldText("\uFDFA");
  EXPECT_GT(one.size(), 20u);
  std::string many;
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    many += "\uFDFA";
    expected += one;
  }
  EXPECT_EQ(FoldText(many), expected);
  std::string appended = "会议";
  FoldAppend(many, &appended);
  EXPECT_EQ(appended, "会议" + expected);
}

}  // namespace
}  // namespace bulletin
