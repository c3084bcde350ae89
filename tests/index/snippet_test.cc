// Snippet passages against a reference built from code points: where the
// passage starts and ends must count code points, not bytes, for text of
// every UTF-8 length, and across the vector path's 16-byte steps.

#include "query-service/index/query/snippet.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace bulletin {
namespace {

constexpr char kEllipsis[] = "\xE2\x80\xA6";

// One, two, three and four bytes; none is the marker term "Z".
const std::vector<std::string>& Alphabet() {
  static const auto* alphabet = new std::vector<std::string>{
      "a", "7", "\xC3\xA9", "\xE4\xB8\xAD", "\xEF\xBC\x8C", "\xF0\x9F\x98\x80"};
  return *alphabet;
}

std::string Join(const std::vector<std::string>& code_points, size_t from,
                 size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < code_points.size(); ++i) {
    out += code_points[i];
  }
  return out;
}

TEST(SnippetTest, PassageCountsCodePointsAroundTheMatch) {
  std::mt19937 random(11);
  for (int trial = 0; trial < 3000; ++trial) {
    const size_t length = random() % 320;
    std::vector<std::string> code_points;
    for (size_t i = 0; i < length; ++i) {
      code_points.push_back(Alphabet()[random() % Alphabet().size()]);
    }
    const bool with_match = length > 0 && random() % 4 != 0;
    const size_t match = with_match ? random() % length : 0;
    if (with_match) code_points[match] = "Z";
    const std::string text = Join(code_points, 0, length);

    // The reference: kSnippetContextBefore code points before the match,
    // kSnippetLength in all.
    const size_t start =
        with_match && match > static_cast<size_t>(kSnippetContextBefore)
            ? match - kSnippetContextBefore
            : 0;
    const size_t end = std::min(length, start + kSnippetLength);
    std::string expected = start > 0 ? kEllipsis : "";
    if (with_match) {
      expected += Join(code_points, start, match) +
                  "\xE3\x80\x90Z\xE3\x80\x91" +
                  Join(code_points, match + 1, end);
    } else {
      expected += Join(code_points, start, end);
    }
    if (end < length) expected += kEllipsis;

    EXPECT_EQ(BuildSnippetOfFoldedText(text, {"Z"}), expected)
        << "length " << length << " match " << match;
  }
}

}  // namespace
}  // namespace bulletin
