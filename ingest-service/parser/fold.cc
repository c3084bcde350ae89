#include "ingest-service/parser/fold.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <memory>
#include <vector>

namespace bulletin::parser {
namespace {

// Indexed by code point up to the end of the compatibility ideographs: one
// array read per character, 250 KB once.
constexpr char32_t kTableEnd = 0xFB00;
using FoldTable = std::vector<char32_t>;

// Ranges that hold Traditional characters with Simplified forms.
constexpr std::pair<char32_t, char32_t> kRanges[] = {
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}};

// Transliterates every character on its own line in one call, so that the
// transliterator's phrase rules never join neighbours, and keeps the
// characters that map to exactly one other character.
FoldTable BuildTable() {
  FoldTable table(kTableEnd);
  for (char32_t c = 0; c < kTableEnd; ++c) table[c] = c;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
      "Traditional-Simplified", UTRANS_FORWARD, status));
  if (U_FAILURE(status) || t == nullptr) return table;
  icu::UnicodeString all;
  for (const auto& [first, last] : kRanges) {
    for (char32_t c = first; c <= last; ++c) {
      all.append(static_cast<UChar32>(c));
      all.append(static_cast<UChar>(u'\n'));
    }
  }
  t->transliterate(all);
  int32_t pos = 0;
  for (const auto& [first, last] : kRanges) {
    for (char32_t c = first; c <= last; ++c) {
      const int32_t end = all.indexOf(static_cast<UChar>(u'\n'), pos);
      if (end < 0) return table;
      const icu::UnicodeString piece(all, pos, end - pos);
      if (piece.countChar32() == 1) {
        const char32_t folded = static_cast<char32_t>(piece.char32At(0));
        table[c] = folded;
      }
      pos = end + 1;
    }
  }
  return table;
}

const FoldTable& Table() {
  static const FoldTable* const table = new FoldTable(BuildTable());
  return *table;
}

}  // namespace

char32_t FoldChar(char32_t c) { return c < kTableEnd ? Table()[c] : c; }

std::u32string FoldToSimplified(std::u32string_view text) {
  const FoldTable& table = Table();
  std::u32string out(text);
  for (char32_t& c : out) {
    if (c < kTableEnd) c = table[c];
  }
  return out;
}

}  // namespace bulletin::parser
