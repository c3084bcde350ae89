#include "ingest-service/parser/text_util.h"

#include <unicode/utf8.h>

#include <cstdint>

namespace bulletin::parser {

std::u32string ToU32(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size() / 2);
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t length = static_cast<int32_t>(utf8.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string ToUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char32_t c : text) AppendUtf8(c, &out);
  return out;
}

bool IsHan(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) ||
         c == 0x3007;  // 〇, the zero of Chinese numerals.
}

bool IsDottedName(std::u32string_view s) {
  bool dot = false;
  size_t part = 0;
  for (char32_t c : s) {
    if (c == kNameDot) {
      if (part == 0) return false;
      dot = true;
      part = 0;
    } else if (IsHan(c) && part < kMaxNamePart) {
      ++part;
    } else {
      return false;
    }
  }
  return dot && part > 0;
}

bool IsClauseBreak(char32_t c) {
  switch (c) {
    case U',':
    case U';':
    case U':':
    case U'!':
    case U'?':
    case U'\u3001':  // 、
    case U'\u3002':  // 。
      return true;
    default:
      return false;
  }
}

std::u32string_view TrimSpaces(std::u32string_view text) {
  while (!text.empty() && text.front() == U' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == U' ') text.remove_suffix(1);
  return text;
}

}  // namespace bulletin::parser
