// Search folding: the normalization under which a query term matches text.
//
//   std::string folded = bulletin::FoldText("會議 ＡＢＣ");    // "会议 abc"
//   std::string term = bulletin::FoldQueryText("委員會");     // "委员会"
//
// Each code point folds on its own, through a table computed once from ICU:
// NFKC with case folding (NFKC_Casefold), then Traditional-to-Simplified
// (common/text/traditional_simplified.h, the table the parser matches
// with: ICU's transliterator kept only where it maps one code point to one,
// so that the mapping never depends on the neighbours). Runs of white space
// fold to one ' '; control characters and default-ignorable code points fold to
// nothing. Because the fold works per code point, a match in folded text maps
// back to a span of the original text (FoldWithOffsets), which is how snippets
// mark the words as written.
//
// Folding is idempotent: FoldText(FoldText(s)) == FoldText(s). Folded text
// never contains '\n' or other control characters.
//
// Thread-safe: the table is built on first use (about a tenth of a second)
// and is immutable afterwards.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_TEXT_FOLD_H_
#define BULLETIN_QUERY_SERVICE_INDEX_TEXT_FOLD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulletin {

// Appends the fold of UTF-8 `text` to `out` as UTF-8.
void FoldAppend(std::string_view text, std::string* out);

// The fold of UTF-8 `text`, as UTF-8.
std::string FoldText(std::string_view text);

// Appends the fold of `text` as code points.
void FoldCodePoints(std::string_view text, std::vector<char32_t>* out);

// As FoldCodePoints; returns true when the fold of `text` is `text` itself
// (so that folded terms can be searched in it directly).
bool FoldCodePointsOfText(std::string_view text, std::vector<char32_t>* out);

// Folded text with, for each folded byte, the span of `text` it came from.
struct FoldedWithOffsets {
  std::string folded;
  // For folded byte i: the original bytes [begin[i], end[i]) of the code
  // point it was folded from.
  std::vector<uint32_t> begin;
  std::vector<uint32_t> end;
};
FoldedWithOffsets FoldWithOffsets(std::string_view text);

// The fold of query text: NFKC over the whole string first (so that
// combining sequences compose as they did in the stored records, which hold
// NFKC text), then FoldText. Leading and trailing spaces are removed.
std::string FoldQueryText(std::string_view text);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_TEXT_FOLD_H_
