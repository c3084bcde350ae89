#include "common/text/traditional_simplified.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

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

// The table transliterates only the code points of the transliterator's
// source set, all in one text: every code point of the CJK Unified
// Ideographs block must still map as ICU maps it alone (one the source set
// left out, or a neighbour's rule reaching across a line, would show here).
TEST(SimplifiedTableTest, EachIdeographMapsAsTheTransliteratorMapsItAlone) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> t2s(icu::Transliterator::createInstance(
      "Traditional-Simplified", UTRANS_FORWARD, status));
  ASSERT_TRUE(U_SUCCESS(status) && t2s != nullptr);
  const SimplifiedTable& table = SimplifiedTable::Get();
  std::vector<std::string> wrong;
  int mapped = 0;
  for (char32_t c = 0x4E00; c <= 0x9FFF; ++c) {
    icu::UnicodeString alone(static_cast<UChar32>(c));
    t2s->transliterate(alone);
    const char32_t expected =
        alone.countChar32() == 1 ? static_cast<char32_t>(alone.char32At(0)) : c;
    if (expected != c) ++mapped;
    if (table.Map(c) != expected) {
      char line[64];
      std::snprintf(line, sizeof(line), "U+%04X: U+%04X, expected U+%04X",
                    static_cast<unsigned>(c),
                    static_cast<unsigned>(table.Map(c)),
                    static_cast<unsigned>(expected));
      wrong.push_back(line);
    }
  }
  EXPECT_GT(mapped, 1000);  // the block holds the common Traditional forms
  EXPECT_TRUE(wrong.empty())
      << wrong.size() << " wrong, the first " << wrong.front();
}

}  // namespace
}  // namespace bulletin
