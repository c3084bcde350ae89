// Code-point helpers for the parser. The parser works on UTF-32 strings
// (std::u32string) because every rule it applies counts characters, not
// bytes: "a name is two or three Han characters", "a marker at the end".
//
//   std::u32string line = bulletin::parser::ToU32("鲜 明");
//   std::string back = bulletin::parser::ToUtf8(line);
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_TEXT_UTIL_H_
#define BULLETIN_INGEST_SERVICE_PARSER_TEXT_UTIL_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace bulletin::parser {

// Debian's Abseil is built without std::string_view aliasing, so the two
// view types need converting at the boundary.
inline absl::string_view ToAbsl(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view ToStd(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

// Decodes UTF-8; an ill-formed sequence becomes U+FFFD. Callers pass text
// that decode.h already validated, so this never loses anything there.
std::u32string ToU32(std::string_view utf8);

// Encodes to UTF-8. Surrogates and values above U+10FFFF become U+FFFD.
std::string ToUtf8(std::u32string_view text);

// Appends one code point in UTF-8.
void AppendUtf8(char32_t c, std::string* out);

// CJK unified ideographs (all blocks) and compatibility ideographs.
bool IsHan(char32_t c);

// The one form of the dot between the parts of a transliterated name
// (艾尔肯·吐尼亚孜): U+00B7 MIDDLE DOT, which normalize.h puts in place of
// every other form (IsNameDotVariant) written between Han characters.
inline constexpr char32_t kNameDot = U'\u00B7';

// The dots papers write in names, after NFKC: · (U+00B7), • (U+2022),
// ・ (U+30FB, also from half-width U+FF65), ‧ (U+2027), ∙ (U+2219),
// ⋅ (U+22C5), ⸱ (U+2E31), and . (from the full-width ．U+FF0E and U+FE52).
inline bool IsNameDotVariant(char32_t c) {
  // Han characters, most of a bulletin, fail the first test.
  if (c > U'\u30FB') return false;
  switch (c) {
    case U'\u00B7':
    case U'\u2022':
    case U'\u30FB':
    case U'\u2027':
    case U'\u2219':
    case U'\u22C5':
    case U'\u2E31':
    case U'.':
      return true;
    default:
      return false;
  }
}

// True for Han runs joined by kNameDot, at least one dot, each run at most
// kMaxNamePart characters: 阿依古丽·买买提.
bool IsDottedName(std::u32string_view s);
inline constexpr size_t kMaxNamePart = 10;

// The characters division names end in: 区 县 市 旗 州 盟 省.
inline bool IsDivisionSuffix(char32_t c) {
  return c == U'区' || c == U'县' || c == U'市' || c == U'旗' || c == U'州' ||
         c == U'盟' || c == U'省';
}

// ASCII digits 0-9 (NFKC has already folded full-width digits).
inline bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

// Punctuation that ends a clause or separates list entries in Chinese text
// after NFKC: , 。 ; : ! ? 、 and their remaining full-width forms.
bool IsClauseBreak(char32_t c);

// Removes leading and trailing ASCII spaces.
std::u32string_view TrimSpaces(std::u32string_view text);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_TEXT_UTIL_H_
