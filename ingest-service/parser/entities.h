// Reads one item (a paragraph about one reporting body): the organization
// that acted, the officials named with their titles, and the meeting or
// event held.
//
// The organization stands before the first event verb (召开, 举行, …;
// data/event_verbs.tsv) when that prefix names a body, as in
// "大渡口区政协党组召开…". When the paragraph opens with an official, as in
// "彭水县政协主席谢胜主持召开…", it is the organ of their title with the
// region written in front of it. Its kind is the kind of the first keyword
// of data/organization_kinds.tsv that its name contains.
//
//   using namespace bulletin::parser;
//   std::u32string text = U"民进铜梁区总支召开专题会议,…";
//   ItemEntities e = ReadItem(text, FoldToSimplified(text), DefaultLexicon(),
//                             DefaultGazetteer());
//   // e.organization == U"民进铜梁区总支", e.event == U"专题会议"
//
// Matching reads `folded` (Simplified, see fold.h); what is returned is cut
// from the text as written. Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_ENTITIES_H_
#define BULLETIN_INGEST_SERVICE_PARSER_ENTITIES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
#include "ingest-service/parser/officials.h"

namespace bulletin::parser {

struct ItemEntities {
  // Empty when the paragraph names no body that acted.
  std::u32string organization;
  // The same in Simplified, for kind and region lookups.
  std::u32string organization_folded;
  std::u32string event;
  std::vector<Official> officials;
};

ItemEntities ReadItem(std::u32string_view text, std::u32string_view folded,
                      const Lexicon& lex, const Gazetteer& gaz);

// The kind of a body by the keywords its (folded) name contains; OTHER when
// none.
v1::Organization::Kind KindOf(std::u32string_view folded_organization,
                              const Lexicon& lex);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_ENTITIES_H_
