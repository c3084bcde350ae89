// Finds officials named with their titles: "区政协党组书记、主席王君成" is one
// person with two titles; "区委书记李明,区委副书记、区长张强" are two. A title
// is a title word (data/titles.txt) extended backwards over the organ it
// belongs to (data/organ_tokens.txt and region names): 区 + 政协 + 党组 +
// 书记. A name is a known surname (data/surnames*.txt) and one or two more
// Han characters, its end settled by what follows it (data/name_stops.txt).
//
//   using namespace bulletin::parser;
//   std::u32string text = U"区政协党组书记、主席王君成主持会议";
//   std::vector<Official> found = FindOfficials(
//       text, FoldToSimplified(text), DefaultLexicon(), DefaultGazetteer());
//   // found[0].name == U"王君成", titles {U"区政协党组书记", U"主席"}
//
// Matching reads `folded` (Simplified, see fold.h); names and titles are
// cut from `text`, so they keep the characters as written. Stateless;
// thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_OFFICIALS_H_
#define BULLETIN_INGEST_SERVICE_PARSER_OFFICIALS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"

namespace bulletin::parser {

struct Title {
  // As written, region included: "合川区委常委".
  std::u32string written;
  // What the record keeps: without the region's short form ("区委常委").
  std::u32string text;
  // The organ part, before the title word: "区政协党组" of 区政协党组书记.
  std::u32string organ;
  // Length of the region's short form at the start of `written` (合川).
  size_t region_prefix = 0;
  // A job in a work unit (镇农业服务中心主任), not in an organ: kept whole.
  bool unit = false;
};

struct Official {
  std::u32string name;
  std::vector<Title> titles;
  // Where the first title starts and where the name ends, in code points.
  size_t start = 0;
  size_t end = 0;
};

// `folded` is FoldToSimplified(text): same length, Simplified characters.
std::vector<Official> FindOfficials(std::u32string_view text,
                                    std::u32string_view folded,
                                    const Lexicon& lex, const Gazetteer& gaz);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_OFFICIALS_H_
