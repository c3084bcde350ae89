// Cuts normalized lines into the parts of a bulletin record, in this order
// (docs/parsing.md gives an example of each):
//   1. byline: the last line, when it reads as one ("(鲜 明 吕 静)");
//   2. header: the short lines at the top (no 。, at most 50 characters, at
//      most four): kicker, headline (with its series marker) and subtitle
//      (often starting with ——); a byline among them is a byline, and a
//      line after the headline that reads as a sentence starts the body;
//   3. dateline at the start of the body: 本报讯(记者 X)11月18日;
//   4. lead: the first body paragraph, unless the bulletin is a round-up
//      that opens straight with its first body;
//   5. items: every further paragraph, each with its organization, region,
//      officials and event (entities.h); byline lines among them are
//      bylines;
//   6. people: every official, once, with every title given anywhere.
// What fits none of these becomes a warning with its line and text.
//
//   bulletin::parser::BuildRecord(normalized.lines, /*date=*/"", &record);
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_STRUCTURE_H_
#define BULLETIN_INGEST_SERVICE_PARSER_STRUCTURE_H_

#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"

namespace bulletin::parser {

// Fills every part of `record` from `lines` (see normalize.h). `date` is the
// submitter's publication date, which wins over the dateline's.
void BuildRecord(const std::vector<std::u32string>& lines,
                 std::string_view date, v1::Bulletin* record);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_STRUCTURE_H_
