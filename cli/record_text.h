// Human-readable renderings of records and search results for bulletinctl's
// default (non --json) output. Scripts should use --json instead: this text
// may change.
//
//   std::cout << bulletin::RecordToText(record);
//
// Thread-safe: pure functions.

#ifndef BULLETIN_CLI_RECORD_TEXT_H_
#define BULLETIN_CLI_RECORD_TEXT_H_

#include <string>

#include "bulletin/v1/bulletin.pb.h"
#include "bulletin/v1/query.pb.h"

namespace bulletin {

// An outline of every part of the record, one field per line.
std::string RecordToText(const v1::Bulletin& record);

// Total, then each hit as "ID  SCORE  HEADLINE" with its snippet below, then
// facets and the next page token when there is one.
std::string SearchToText(const v1::SearchResponse& response);

}  // namespace bulletin

#endif  // BULLETIN_CLI_RECORD_TEXT_H_
