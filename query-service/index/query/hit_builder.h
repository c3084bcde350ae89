// Builds the v1::Hit for a matching bulletin, for Search and Watch alike.
//
//   HitOptions options;
//   options.marks = {"<em>", "</em>", /*escape_html=*/true};
//   options.include_matches = true;
//   v1::Hit hit = MakeHit(bulletin, query, folded_document, snippet_segment,
//                         items, options);
//
// Thread-safe: pure function.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_HIT_BUILDER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_HIT_BUILDER_H_

#include <cstdint>
#include <vector>

#include "bulletin/v1/query.pb.h"
#include "query-service/index/query/document_match.h"
#include "query-service/index/query/query_parser.h"
#include "query-service/index/query/snippet.h"

namespace bulletin {

// Hit.matches holds at most this many spans (the first, in field order).
inline constexpr int kMaxMatchSpans = 1000;

// What a request asks of each hit beyond the defaults.
struct HitOptions {
  // How the snippet marks matched spans.
  HighlightMarks marks;
  // Fill Hit.matches.
  bool include_matches = false;
};

// Fills id, seq, date (from `bulletin`), headline, item_indexes and a
// snippet taken from segment snippet_segment of `document` (the bulletin's
// text, folded), or, when that is -1, from the lead (else the first item,
// else the headline); and with options.include_matches, the matched spans
// of every segment. The text comes from `document` alone, so `bulletin`
// may be one whose text fields were taken out (stored_record.h). Score and
// the full record are left unset.
v1::Hit MakeHit(const v1::Bulletin& bulletin, const ParsedQuery& query,
                const FoldedDocument& document, int32_t snippet_segment,
                const std::vector<int32_t>& item_indexes,
                const HitOptions& options = {});

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_HIT_BUILDER_H_
