#include "ingest-service/parser/series.h"

#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

int DigitValue(char32_t c) {
  switch (c) {
    case U'〇':
    case U'零':
      return 0;
    case U'一':
    case U'壹':
      return 1;
    case U'二':
    case U'两':
    case U'兩':
    case U'贰':
      return 2;
    case U'三':
    case U'叁':
      return 3;
    case U'四':
      return 4;
    case U'五':
      return 5;
    case U'六':
      return 6;
    case U'七':
      return 7;
    case U'八':
      return 8;
    case U'九':
      return 9;
    default:
      return -1;
  }
}

// Parts of a two- or three-part series: 上, 中, 下.
int PositionalPart(std::u32string_view text) {
  if (text == U"上") return 1;
  if (text == U"中") return 2;
  if (text == U"下") return 3;
  return 0;
}

}  // namespace

int ParseNumeral(std::u32string_view text) {
  if (text.empty() || text.size() > 3) return 0;
  if (IsDigit(text[0])) {
    int value = 0;
    for (char32_t c : text) {
      if (!IsDigit(c)) return 0;
      value = value * 10 + static_cast<int>(c - U'0');
    }
    return value;
  }
  // 三, 十, 十三, 二十, 二十三.
  const size_t ten = text.find(U'十');
  if (ten == std::u32string_view::npos) {
    if (text.size() != 1) return 0;
    const int v = DigitValue(text[0]);
    return v > 0 ? v : 0;
  }
  int tens = 1;
  if (ten == 1) {
    tens = DigitValue(text[0]);
    if (tens <= 0) return 0;
  } else if (ten != 0) {
    return 0;
  }
  int units = 0;
  if (ten + 1 < text.size()) {
    if (ten + 2 != text.size()) return 0;
    units = DigitValue(text[ten + 1]);
    if (units <= 0) return 0;
  }
  return tens * 10 + units;
}

std::optional<SeriesMarker> FindSeriesMarker(std::u32string_view headline) {
  headline = TrimSpaces(headline);
  if (headline.size() < 3) return std::nullopt;
  constexpr std::pair<char32_t, char32_t> kBrackets[] = {
      {U'(', U')'}, {U'【', U'】'}, {U'[', U']'}, {U'〔', U'〕'}};
  for (const auto& [open, close] : kBrackets) {
    if (headline.back() != close) continue;
    const size_t start = headline.rfind(open);
    if (start == std::u32string_view::npos || start == 0) continue;
    std::u32string_view inner =
        headline.substr(start + 1, headline.size() - start - 2);
    if (!inner.empty() && inner.front() == U'之') inner.remove_prefix(1);
    int part = ParseNumeral(inner);
    if (part == 0) part = PositionalPart(inner);
    if (part > 0) return SeriesMarker{start, part};
  }
  // A bare 之三 needs a title of its own before it.
  for (size_t len = 1; len <= 3 && len + 3 <= headline.size(); ++len) {
    const size_t start = headline.size() - len - 1;
    if (headline[start] != U'之') continue;
    const int part = ParseNumeral(headline.substr(start + 1));
    if (part > 0 && !IsDigit(headline[start + 1])) {
      return SeriesMarker{start, part};
    }
  }
  return std::nullopt;
}

}  // namespace bulletin::parser
