// Finds every live bulletin matching a query's terms, exclusions and
// filters, and scores it: the part of Search that reads the posting lists.
//
//   IndexView view{corpus, grams, dictionary, live_documents, total_length};
//   Cancellation cancellation;   // never stops; see cancellation.h
//   absl::StatusOr<std::vector<ScoredMatch>> matches = FindMatches(
//       query.query, query.filters, /*by_relevance=*/true, view,
//       &cancellation);
//
// Plan: the cheapest source of candidates leads (the term whose lists are
// smallest, or the filter values' document lists); every other term is then
// either looked up in each candidate, skipping through its lists, or read
// whole and intersected, whichever reads fewer postings; filters are
// checked against each candidate's values. Scores are BM25 with field
// weights (scoring.h), a term's document frequency coming from its lists
// (TermMatcher::EstimatedDocuments), so a score does not depend on the plan.
//
// Every candidate read, kept or checked ticks the cancellation, and each
// whole posting list read is followed by a check: a search whose caller
// has gone stops within a stride of candidates (cancellation.h).
//
// Thread-safety: reads only; the caller holds the index's reader lock and
// keeps the view's parts alive.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_MATCH_FINDER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_MATCH_FINDER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "query-service/index/postings/gram_index.h"
#include "query-service/index/query/cancellation.h"
#include "query-service/index/query/filters.h"
#include "query-service/index/query/query_parser.h"
#include "query-service/index/store/corpus.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {

struct IndexView {
  const Corpus& corpus;
  const GramIndex& grams;
  const ValueDictionary& dictionary;
  int64_t live_documents;
  double total_weighted_length;
};

struct ScoredMatch {
  uint32_t doc;
  double score;  // 0 unless ranked by relevance
  uint64_t seq;
};

// Ascending by doc. With no terms and no filters, every live bulletin.
// When `cancellation` stops the work, its status (and no matches).
absl::StatusOr<std::vector<ScoredMatch>> FindMatches(
    const ParsedQuery& query, const CompiledFilters& filters, bool by_relevance,
    const IndexView& view, Cancellation* cancellation);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_MATCH_FINDER_H_
