#include "common/text/nfkc.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(NormalizeNfkcTest, FoldsFullWidthPunctuationAndLatin) {
  EXPECT_EQ(NormalizeNfkc("（三）ＡＢＣ１２３，"), "(三)ABC123,");
}

TEST(NormalizeNfkcTest, FoldsIdeographicSpaceToSpace) {
  EXPECT_EQ(NormalizeNfkc("鲜\u3000明"), "鲜 明");
}

TEST(NormalizeNfkcTest, KeepsTraditionalCharacters) {
  EXPECT_EQ(NormalizeNfkc("會議"), "會議");
}

TEST(NormalizeNfkcTest, LeavesNormalizedTextAlone) {
  const std::string text = "区县政协组织学习贯彻党的十九届六中全会精神(三)";
  EXPECT_EQ(NormalizeNfkc(text), text);
}

TEST(IsValidUtf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8("政协 ok \xF0\x9F\x98\x80"));
}

TEST(IsValidUtf8Test, ReportsOffsetOfFirstBadSequence) {
  size_t offset = 0;
  EXPECT_FALSE(IsValidUtf8("ab\xC3(cd", &offset));
  EXPECT_EQ(offset, 2u);
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80", &offset));  // A UTF-16 surrogate.
  EXPECT_EQ(offset, 0u);
  EXPECT_FALSE(IsValidUtf8("x\xC0\xAF", &offset));  // An overlong '/'.
  EXPECT_EQ(offset, 1u);
}

}  // namespace
}  // namespace bulletin
