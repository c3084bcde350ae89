// Reads bylines: "(鲜 明 吕 静 殷艳妮)", "本报记者 张三 通讯员 李四",
// "(记者 王五)". Single characters separated by spaces pair up into
// two-character names (鲜 明 -> 鲜明): papers pad two-character names to
// the width of three-character ones. A role (本报记者, 记者, 通讯员, 实习生;
// data/byline_roles.txt) applies to the names after it until the next role.
//
//   using namespace bulletin::parser;
//   std::u32string line = U"(鲜 明 吕 静)";
//   std::optional<Byline> b =
//       ParseBylineLine(line, FoldToSimplified(line), DefaultLexicon());
//   // b->reporters: {鲜明, ""}, {吕静, ""}
//
// Roles and surnames are matched in `folded` (Simplified, see fold.h); names
// are cut from the text as written. Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_BYLINE_H_
#define BULLETIN_INGEST_SERVICE_PARSER_BYLINE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"
#include "ingest-service/parser/lexicon.h"

namespace bulletin::parser {

struct Byline {
  std::vector<v1::Reporter> reporters;
  // Words in the byline that are neither a role nor a name; the caller
  // turns them into warnings so nothing is lost.
  std::vector<std::u32string> unplaced;
};

// Reads the inside of a byline (no brackets). Returns nullopt when the text
// does not read as one: no name at all, or, without any role, a word that is
// not a name starting with a known surname.
std::optional<Byline> ParseBylineContent(std::u32string_view content,
                                         std::u32string_view folded,
                                         const Lexicon& lex);

// Reads a whole line as a byline: either all of it in parentheses, or
// starting with a role. Returns nullopt for any other line.
std::optional<Byline> ParseBylineLine(std::u32string_view line,
                                      std::u32string_view folded,
                                      const Lexicon& lex);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_BYLINE_H_
