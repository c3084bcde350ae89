// Facet counts: for each requested field, how many matching bulletins have
// each value.
//
//   FacetCounter counter(fields, &dictionary, &columns, /*max_values=*/50);
//   if (!counter.Count(matching, matches, corpus, live_documents,
//                      &cancellation)) return ...;
//   counter.AppendTo(&response);
//
// Values come out by descending count, then by value; at most max_values
// per field.
//
// A field with a column (facet_columns.h: region, date) is counted from
// it, into an array of a count per value: the matches' codes, or, when
// more than half the live documents match, each value's live count less
// the codes of the live documents that do not match. Either reads the
// column in document order, a few codes a document, and no value's display
// form but those shown.
//
// The other fields are counted in one of three ways, whichever reads least
// (Count's plan):
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
// Thread-safety: a counter belongs to one call. The dictionary, the columns
// and the corpus must not change while the counter is in use.

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
#include "query-service/index/store/facet_columns.h"
#include "query-service/index/store/field_values.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {

// Values per field when the request does not say (SearchRequest.facet_size
// 0), and the most a request may ask for.
inline constexpr int kDefaultFacetValues = 50;
inline constexpr int kMaxFacetValues = 1000;

class FacetCounter {
 public:
  // `columns` are the corpus's (null: count every field from the
  // dictionary).
  FacetCounter(std::vector<FacetField> fields,
               const ValueDictionary* dictionary, const FacetColumns* columns,
               int max_values);

  // Counts the `matches` live documents of `corpus` (which has
  // `live_documents`) marked in `matching`: bit d % 64 of word d / 64 for
  // document d, a word for every 64 documents, no dead document's bit set.
  // False when `cancellation` stopped it.
  bool Count(const std::vector<uint64_t>& matching, int64_t matches,
             const Corpus& corpus, int64_t live_documents,
             Cancellation* cancellation);

  void AppendTo(v1::SearchResponse* response) const;

 private:
  // The field of columned_[k] from its column.
  bool CountColumn(size_t k, const std::vector<uint64_t>& matching,
                   int64_t matches, int64_t live_documents,
                   Cancellation* cancellation);
  // Appends a columned field's max_values_ largest counts, as AppendTo.
  void AppendColumn(size_t k, v1::Facet* facet) const;
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

  // The fields asked for, in the request's order.
  std::vector<FacetField> requested_;
  // Those counted from their columns, with a count per code.
  const FacetColumns* columns_;
  struct ColumnCounts {
    FacetField field;
    std::vector<uint32_t> counts;
  };
  std::vector<ColumnCounts> columned_;
  // The others, counted from the dictionary.
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
