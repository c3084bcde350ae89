// SubstringSearcher against a plain scan: every needle length (including
// the one-byte case the vector path skips), overlaps, and matches at both
// ends and across the vector path's 16-byte steps.

#include "query-service/index/text/substring_searcher.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"

namespace bulletin {
namespace {

uint32_t PlainCount(std::string_view text, std::string_view needle) {
  uint32_t count = 0;
  for (size_t at = 0; at + needle.size() <= text.size(); ++at) {
    if (text.substr(at, needle.size()) == needle) ++count;
  }
  return count;
}

TEST(SubstringSearcherTest, CountsChineseTermsInText) {
  const std::string text = "委员会议召开委员会会议，委员会议决定。委员会议";
  EXPECT_EQ(SubstringSearcher("委员会议").Count(text), 3u);
  EXPECT_EQ(SubstringSearcher("会").Count(text), 5u);
  EXPECT_EQ(SubstringSearcher("会议").Count(text), 4u);
  EXPECT_EQ(SubstringSearcher("委员会会议").Count(text), 1u);
  EXPECT_EQ(SubstringSearcher("会议召开委员会议").Count(text), 0u);
  EXPECT_EQ(SubstringSearcher("议").Count(""), 0u);
  EXPECT_EQ(SubstringSearcher("委员会议召开委员会会议，委员会议决定。委员会议x")
                .Count(text),
            0u);
}

TEST(SubstringSearcherTest, CountsOverlappingOccurrences) {
  const std::string text(40, 'a');
  EXPECT_EQ(SubstringSearcher("a").Count(text), 40u);
  EXPECT_EQ(SubstringSearcher("aa").Count(text), 39u);
  EXPECT_EQ(SubstringSearcher("aaa").Count(text), 38u);
}

TEST(SubstringSearcherTest, AgreesWithAPlainScanOnRandomText) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text(random() % 100, ' ');
    // A small alphabet, so that needles occur often and partly match.
    for (char& c : text) c = static_cast<char>('a' + random() % 3);
    const size_t length = 1 + random() % 6;
    const size_t from =
        text.size() > length ? random() % (text.size() - length) : 0;
    std::string needle = text.substr(from, length);
    if (needle.empty()) needle = "a";
    EXPECT_EQ(SubstringSearcher(needle).Count(text), PlainCount(text, needle))
        << "text " << text << " needle " << needle;
  }
}

}  // namespace
}  // namespace bulletin
