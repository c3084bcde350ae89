// Facet counts: for each requested field, how many matching bulletins have
// each value.
//
//   FacetCounter counter(fields, &dictionary, /*max_values=*/50);
//   if (!counter.Count(matching, matches, corpus, live_documents,
//                      &cancellation)) return ...;
//   counter.AppendTo(&response);
//
// Values come out by descending count, then by value; at most max_values
// per field.
//
// Three ways to count, whichever reads least (Count's plan):
// - by document: each match's value ids (DocumentMeta::value_ids, a few
//   dozen of every field), for a few matches;
// - by value: each value of the wanted fields, its document list tested
//   against a bitmap of the matches, which reads only the wanted fields'
//   postings (a few regions a bulletin rather than every value id), from
//   the values with the most live documents down until none left could be
//   among the max_values shown;
// - by the complement: each value's live documents (kept by the
//   dictionary) less those of the bulletins that do not match, counted by
//   document, for a query that matches nearly everything.
//
// Thread-safety: a counter belongs to one call. The dictionary and the
// corpus must not change while the counter is in use.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_FACETS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_FACETS_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "bulletin/v1/query.pb.h"
#include "query-service/index/query/cancellation.h"
#include "query-service/index/store/corpus.h"
#include "query-service/index/store/field_values.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {

// Values per field when the request does not say (SearchRequest.facet_size
// 0), and the most a request may ask for.
inline constexpr int kDefaultFacetValues = 50;
inline constexpr int kMaxFacetValues = 1000;

class FacetCounter {
 public:
  FacetCounter(std::vector<FacetField> fields,
               const ValueDictionary* dictionary, int max_values);

  // Counts the `matches` live documents of `corpus` (which has
  // `live_documents`) marked in `matching`: bit d % 64 of word d / 64 for
  // document d, a word for every 64 documents. False when `cancellation`
  // stopped it.
  bool Count(const std::vector<uint64_t>& matching, int64_t matches,
             const Corpus& corpus, int64_t live_documents,
             Cancellation* cancellation);

  void AppendTo(v1::SearchResponse* response) const;

 private:
  bool CountByDocument(const std::vector<uint64_t>& matching, int64_t matches,
                       const Corpus& corpus, Cancellation* cancellation);
  // What counting by value would read, `share` of the live documents
  // matching; sets by_live_, which CountByValue reads.
  double PlanByValue(double share);
  bool CountByValue(const std::vector<uint64_t>& matching,
                    Cancellation* cancellation);
  // `unmatched`: the live documents whose bit is clear.
  bool CountByComplement(const std::vector<uint64_t>& matching,
                         const Corpus& corpus, int64_t unmatched,
                         Cancellation* cancellation);

  std::vector<FacetField> fields_;
  bool wanted_[kFacetFieldCount] = {};
  const ValueDictionary* dictionary_;
  // The wanted fields' values, in the dictionary.
  int64_t wanted_values_ = 0;
  // Value ids per live document, of every field.
  double ids_per_document_ = 0;
  size_t max_values_;
  // A field's values as (live documents, id): the first `sorted` by
  // descending live documents, each above every other one.
  struct ValuesByLive {
    std::vector<std::pair<uint32_t, uint32_t>> values;
    size_t sorted = 0;
  };
  // Per field of fields_.
  std::vector<ValuesByLive> by_live_;
  absl::flat_hash_map<uint32_t, int64_t> counts_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_FACETS_H_
