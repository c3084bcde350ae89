// Facet counts: for each requested field, how many matching bulletins have
// each value.
//
//   FacetCounter counter(fields, &dictionary, /*max_values=*/50);
//   for (uint32_t doc : matches) counter.AddDocument(value_ids_of(doc));
//   counter.AppendTo(&response);
//
// Values come out by descending count, then by value; at most max_values
// per field.
//
// Thread-safety: a counter belongs to one call. The dictionary must not
// change while the counter is in use.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_FACETS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_FACETS_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "bulletin/v1/query.pb.h"
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

  // Counts one matching document with these value ids.
  void AddDocument(absl::Span<const uint32_t> value_ids);

  void AppendTo(v1::SearchResponse* response) const;

 private:
  std::vector<FacetField> fields_;
  bool wanted_[kFacetFieldCount] = {};
  const ValueDictionary* dictionary_;
  size_t max_values_;
  absl::flat_hash_map<uint32_t, int64_t> counts_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_FACETS_H_
