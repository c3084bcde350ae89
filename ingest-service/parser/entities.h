// Reads one item (a paragraph about one reporting body): the organization
// that acted, the officials named with their titles, and the meeting or
// event held.
//
//   The organization stands before the first event verb (召开, 举行, …;
//   data/event_verbs.tsv) when that prefix names a body
//   ("大渡口区政协党组召开…"), or, when the paragraph opens with an official
//   ("彭水县政协主席谢胜主持召开…"), is the organ of their title with the
//   region written in front of it. Its kind is the kind of the first keyword of
//   data/organization_kinds.tsv that its name contains.
//
//   bulletin::parser::ItemEntities e = bulletin::parser::ReadItem(
//       U"民进铜梁区总支召开专题会议,…", DefaultLexicon(), DefaultGazetteer());
//   // e.organization == U"民进铜梁区总支", e.event == U"专题会议"
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_ENTITIES_H_
#define BULLETIN_INGEST_SERVICE_PARSER_ENTITIES_H_

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
  std::u32string event;
  std::vector<Official> officials;
};

ItemEntities ReadItem(std::u32string_view text, const Lexicon& lex,
                      const Gazetteer& gaz);

// The kind of a body by the keywords its name contains; OTHER when none.
v1::Organization::Kind KindOf(std::u32string_view organization,
                              const Lexicon& lex);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_ENTITIES_H_
