#include "common/text/traditional_simplified.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(SimplifiedTableTest, MapsTraditionalToSimplified) {
  const SimplifiedTable& t2s = SimplifiedTable::Get();
  EXPECT_EQ(t2s.MapAll(U"區政協黨組書記"), U"区政协党组书记");
  EXPECT_EQ(t2s.Map(U'會'), U'会');
}

TEST(SimplifiedTableTest, LeavesSimplifiedAndOtherScriptsAlone) {
  const SimplifiedTable& t2s = SimplifiedTable::Get();
  EXPECT_EQ(t2s.MapAll(U"区政协 ABC 123 ·"), U"区政协 ABC 123 ·");
  // A supplementary-plane ideograph with no Simplified form stays.
  EXPECT_EQ(t2s.Map(U'\U00020000'), U'\U00020000');
}

TEST(SimplifiedTableTest, KeepsLengthSoPositionsHold) {
  const std::u32string text = U"發(髮)展";
  EXPECT_EQ(SimplifiedTable::Get().MapAll(text).size(), text.size());
}

}  // namespace
}  // namespace bulletin
