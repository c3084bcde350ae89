#include "common/text/traditional_simplified.h"

#include <unicode/translit.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <memory>

namespace bulletin {
namespace {

// Planes 4 and up hold no Han characters.
constexpr char32_t kLastHanCandidate = 0x3FFFF;

}  // namespace

const SimplifiedTable& SimplifiedTable::Get() {
  static const SimplifiedTable* const table = new SimplifiedTable();
  return *table;
}

// Transliterates, in one call, each Han code point the transliterator can
// change (its source set: 3,462 of the ~98,000 Han code points with ICU 72),
// each on its own line so that its phrase rules never see a neighbour.
// Every other code point maps to itself, by the source set's definition.
// Not every Han code point: each replacement moves the rest of the text
// behind it, so one text of all of them cost time quadratic in its length
// (about 2.5 billion instructions; seconds under the sanitizers, in every
// process that folds text).
SimplifiedTable::SimplifiedTable() : bmp_(0x10000) {
  for (char32_t c = 0; c < bmp_.size(); ++c) bmp_[c] = c;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> t2s(icu::Transliterator::createInstance(
      "Traditional-Simplified", UTRANS_FORWARD, status));
  if (U_FAILURE(status) || t2s == nullptr) return;
  icu::UnicodeSet changeable;
  t2s->getSourceSet(changeable);
  std::vector<char32_t> han;
  icu::UnicodeString text;
  for (int32_t r = 0; r < changeable.getRangeCount(); ++r) {
    const UChar32 end = std::min<UChar32>(
        changeable.getRangeEnd(r), static_cast<UChar32>(kLastHanCandidate));
    for (UChar32 c = changeable.getRangeStart(r); c <= end; ++c) {
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      UErrorCode script_status = U_ZERO_ERROR;
      if (uscript_getScript(c, &script_status) != USCRIPT_HAN) continue;
      han.push_back(static_cast<char32_t>(c));
      text.append(c);
      text.append(static_cast<UChar>(u'\n'));
    }
  }
  t2s->transliterate(text);
  size_t next = 0;
  for (int32_t i = 0; i < text.length() && next < han.size(); ++next) {
    int32_t line_end = text.indexOf(static_cast<UChar>(u'\n'), i);
    if (line_end < 0) line_end = text.length();
    const icu::UnicodeString line = text.tempSubStringBetween(i, line_end);
    if (line.countChar32() == 1) {
      const char32_t to = static_cast<char32_t>(line.char32At(0));
      const char32_t from = han[next];
      if (from < bmp_.size()) {
        bmp_[from] = to;
      } else if (to != from) {
        supplementary_[from] = to;
      }
    }
    i = line_end + 1;
  }
}

std::u32string SimplifiedTable::MapAll(std::u32string_view text) const {
  std::u32string out(text);
  for (char32_t& c : out) c = Map(c);
  return out;
}

}  // namespace bulletin
