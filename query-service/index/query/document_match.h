// Matches a parsed query against one bulletin's folded text, exactly: every
// term must occur as a substring of some segment, no excluded term may occur
// in any. Search uses it to verify candidates, Watch to test each new
// bulletin.
//
//   FoldedDocument doc = FoldDocument(bulletin);
//   DocumentMatch m = MatchDocument(query, doc);
//   if (m.matched) Use(m.term_counts, m.item_indexes);
//
// A FoldedDocument points into its bulletin, which must outlive it.
// Thread-safe: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_DOCUMENT_MATCH_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_DOCUMENT_MATCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"
#include "query-service/index/query/query_parser.h"
#include "query-service/index/text/text_segments.h"

namespace bulletin {

struct FoldedDocument {
  FoldedDocument() = default;
  // Move-only: `folded` may point into `owned`.
  FoldedDocument(FoldedDocument&&) = default;
  FoldedDocument& operator=(FoldedDocument&&) = default;
  FoldedDocument(const FoldedDocument&) = delete;
  FoldedDocument& operator=(const FoldedDocument&) = delete;

  std::vector<TextSegment> segments;
  // The fold of each segment's text: a view of the text itself where it
  // folds to itself, else of `owned`.
  std::vector<std::string_view> folded;
  std::vector<std::string> owned;
};

FoldedDocument FoldDocument(const v1::Bulletin& bulletin);

// The same, folding only segment s where bit s of `segments_to_fold` is set
// (and every segment from 64 on): the caller knows that the others are
// their own fold (DocumentMeta::segments_to_fold).
FoldedDocument FoldDocument(const v1::Bulletin& bulletin,
                            uint64_t segments_to_fold);

// The same, of a bulletin's text segments (TextSegmentsOf order), which
// must outlive the result.
FoldedDocument FoldDocument(std::vector<TextSegment> segments,
                            uint64_t segments_to_fold);

// The first byte offset >= from where `term` occurs in `text`, or npos.
size_t FindSubstring(std::string_view text, std::string_view term, size_t from);

struct DocumentMatch {
  bool matched = false;
  // Per query term (in ParsedQuery.terms order): occurrences per field.
  std::vector<FieldCounts> term_counts;
  // Items in which some term occurs, ascending.
  std::vector<int32_t> item_indexes;
  // The segment the snippet should show: the one with the most distinct
  // terms, headline fields first; -1 when the query has no terms.
  int32_t snippet_segment = -1;
};

DocumentMatch MatchDocument(const ParsedQuery& query,
                            const FoldedDocument& document);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_DOCUMENT_MATCH_H_
