// Folds Traditional characters to Simplified one code point at a time, so
// that the parser's lexicons (written in Simplified) match text in either
// script while positions in the folded text stay those of the original:
// the record keeps the characters as written and only the matching folds.
//
//   std::u32string folded = bulletin::parser::FoldToSimplified(U"區政協黨組");
//   // folded == U"区政协党组", same length
//
// The table is built once, on first use, from ICU's Traditional-Simplified
// transliterator; after that it is read-only and safe to share between
// threads.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_FOLD_H_
#define BULLETIN_INGEST_SERVICE_PARSER_FOLD_H_

#include <string>
#include <string_view>

namespace bulletin::parser {

// Same length as `text`; characters without a one-to-one Simplified form
// are left as they are.
std::u32string FoldToSimplified(std::u32string_view text);

// One character's Simplified form, or the character itself.
char32_t FoldChar(char32_t c);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_FOLD_H_
