// Folds Traditional characters to Simplified one code point at a time, so
// that the parser's lexicons (written in Simplified) match text in either
// script while positions in the folded text stay those of the original:
// the record keeps the characters as written and only the matching folds.
// The table is the one the query index folds with
// (common/text/traditional_simplified.h).
//
//   std::u32string folded = bulletin::parser::FoldToSimplified(U"區政協黨組");
//   // folded == U"区政协党组", same length
//
// Thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_FOLD_H_
#define BULLETIN_INGEST_SERVICE_PARSER_FOLD_H_

#include <string>
#include <string_view>

#include "common/text/traditional_simplified.h"

namespace bulletin::parser {

// Same length as `text`; characters without a one-to-one Simplified form
// are left as they are.
inline std::u32string FoldToSimplified(std::u32string_view text) {
  return SimplifiedTable::Get().MapAll(text);
}

// One character's Simplified form, or the character itself.
inline char32_t FoldChar(char32_t c) { return SimplifiedTable::Get().Map(c); }

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_FOLD_H_
