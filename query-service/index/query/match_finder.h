// Finds the live bulletins matching a query's terms, exclusions and
// filters, and keeps the page of them a search returns: the part of Search
// that reads the posting lists.
//
//   IndexView view{corpus, grams, dictionary, live_documents, total_length,
//                  &live_bits};
//   MatchOptions options;
//   options.by_relevance = true;
//   options.limit = 10;
//   Cancellation cancellation;   // never stops; see cancellation.h
//   absl::StatusOr<FoundMatches> found = FindMatches(
//       query.query, query.filters, options, view, &cancellation);
//   // found->page: the best 10, and an 11th when there are more.
//
// Plan: the cheapest source of candidates leads (the term whose lists are
// smallest, or the filter values' document lists, or every document); the
// candidates are then taken one at a time, in document order, through the
// cheap checks: liveness, the filters (against the document's value ids),
// and every other term's document lists (skipping through them; a
// one-character term's many lists are read whole first when that reads
// less). Scores are BM25 with field weights (scoring.h), a term's document
// frequency coming from its lists (TermMatcher::EstimatedDocuments), so a
// score does not depend on the plan.
//
// What is left is the costly part: a phrase's positions, and a phrase
// exclusion's. A candidate's counts from the lists bound its phrase counts
// (TermMatcher::Bound), hence its score. Until `count_threshold` matches
// are counted, every candidate is checked; after that, only one whose bound
// could still make the page (beat the page's last entry so far): the page
// is exactly what checking every candidate would give, and the total is a
// lower bound as soon as one candidate went unchecked (document-at-a-time
// max-score pruning). Candidates that need no positions are counted
// whatever the threshold: their count costs nothing more.
//
// Past the threshold, when ranked by relevance, whole blocks of the leading
// term's list are passed over unread when their bound (the largest score
// shape of the block's entries, postings.h, plus the most every other term
// could add) cannot beat the page's last entry (block-max
// pruning); the total is then a lower bound too. A search that marks every
// match (mark_matches, for facets) passes over no block, but only counts
// and marks the candidates of a block that cannot make the page: it scores
// none of them. When a two-character term is all there is to check (no
// other term, no exclusion, no filter), such a block's documents are
// marked from its list without even their counts being read, dead ones
// too, and the bitmap is masked by the live documents (IndexView::
// live_bits) at the end, which gives the total.
//
// Every candidate ticks the cancellation, and each whole posting list read
// is followed by a check: a search whose caller has gone stops within a
// stride of candidates (cancellation.h).
//
// Thread-safety: reads only; the caller holds the index's reader lock and
// keeps the view's parts alive.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_MATCH_FINDER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_MATCH_FINDER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "query-service/index/postings/gram_index.h"
#include "query-service/index/query/cancellation.h"
#include "query-service/index/query/filters.h"
#include "query-service/index/query/page_token.h"
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
  // Bit d % 64 of word d / 64 set when document d is live, a word for every
  // 64 documents of the corpus (FacetColumns::live_bits); null when not
  // kept, which costs a faceted search reading every match.
  const std::vector<uint64_t>* live_bits = nullptr;
};

struct ScoredMatch {
  uint32_t doc;
  // The sort key: the score when ranked by relevance, else MatchOptions'
  // key (0 when it has none).
  double score;
  uint64_t seq;
};

// Hit order: higher sort key first, then newer first.
inline bool HitBefore(double key_a, uint64_t seq_a, double key_b,
                      uint64_t seq_b) {
  return key_a != key_b ? key_a > key_b : seq_a > seq_b;
}

struct MatchOptions {
  // Score by BM25; else every match's key is key_of (or 0).
  bool by_relevance = false;
  // The sort key of a document when not ranked by relevance (a date
  // order); called for candidates that pass the cheap checks. Null: 0.
  std::function<double(uint32_t doc)> key_of;
  // Hits per page: FoundMatches::page holds up to limit + 1.
  size_t limit = 10;
  // Only matches strictly after this place in the hit order make the page
  // (a page token's); every match counts toward the total.
  std::optional<PageCursor> after;
  // Matches counted exactly before pruning may start; SIZE_MAX for an
  // exact total.
  size_t count_threshold = SIZE_MAX;
  // Mark every match in FoundMatches::matching (implies an exact total).
  bool mark_matches = false;
};

struct FoundMatches {
  // In hit order (HitBefore): the page, and one more when more matches
  // follow it.
  std::vector<ScoredMatch> page;
  // Matches counted; every match unless total_is_lower_bound.
  int64_t total = 0;
  bool total_is_lower_bound = false;
  // With mark_matches: bit d % 64 of word d / 64 set for each match d, a word
  // for every 64 documents of the corpus (what facets count by, with no
  // list of a million matches to grow).
  std::vector<uint64_t> matching;
};

// With no terms and no filters, every live bulletin matches. When
// `cancellation` stops the work, its status.
absl::StatusOr<FoundMatches> FindMatches(const ParsedQuery& query,
                                         const CompiledFilters& filters,
                                         const MatchOptions& options,
                                         const IndexView& view,
                                         Cancellation* cancellation);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_MATCH_FINDER_H_
