#include "query-service/index/query/facets.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace bulletin {

FacetCounter::FacetCounter(std::vector<FacetField> fields,
                           const ValueDictionary* dictionary, int max_values)
    : fields_(std::move(fields)),
      dictionary_(dictionary),
      max_values_(static_cast<size_t>(std::max(max_values, 0))) {
  for (FacetField field : fields_) wanted_[static_cast<int>(field)] = true;
}

bool FacetCounter::Count(absl::Span<const uint32_t> docs, const Corpus& corpus,
                         int64_t live_documents, Cancellation* cancellation) {
  // What each way reads, in value ids (or postings) visited; scanning the
  // dictionary's values, or every document's bit, costs about one each.
  const auto matches = static_cast<int64_t>(docs.size());
  int64_t pairs = 0;
  int64_t wanted_pairs = 0;
  for (int f = 0; f < kFacetFieldCount; ++f) {
    pairs += dictionary_->live_pairs(static_cast<FacetField>(f));
    if (wanted_[f]) {
      wanted_pairs += dictionary_->live_pairs(static_cast<FacetField>(f));
    }
  }
  const double ids_per_document =
      live_documents > 0 ? static_cast<double>(pairs) / live_documents : 0;
  const auto values = static_cast<double>(dictionary_->size());
  const double by_document = static_cast<double>(matches) * ids_per_document;
  const double by_value = static_cast<double>(wanted_pairs) + values;
  const double by_complement =
      static_cast<double>(live_documents - matches) * ids_per_document +
      values + static_cast<double>(corpus.documents.size()) / 8;
  if (by_document <= by_value && by_document <= by_complement) {
    return CountByDocument(docs, corpus, cancellation);
  }
  std::vector<uint64_t> matching((corpus.documents.size() + 63) / 64, 0);
  for (uint32_t doc : docs) matching[doc >> 6] |= uint64_t{1} << (doc & 63);
  if (by_value <= by_complement) return CountByValue(matching, cancellation);
  return CountByComplement(matching, corpus, cancellation);
}

bool FacetCounter::CountByDocument(absl::Span<const uint32_t> docs,
                                   const Corpus& corpus,
                                   Cancellation* cancellation) {
  for (uint32_t doc : docs) {
    if (cancellation->Tick()) return false;
    for (uint32_t id : corpus.documents[doc].value_ids) {
      if (wanted_[static_cast<int>(dictionary_->field(id))]) ++counts_[id];
    }
  }
  return true;
}

bool FacetCounter::CountByValue(const std::vector<uint64_t>& matching,
                                Cancellation* cancellation) {
  for (uint32_t id = 0; id < dictionary_->size(); ++id) {
    if (!wanted_[static_cast<int>(dictionary_->field(id))]) continue;
    // A dead document's bit is never set, so its postings count nothing.
    int64_t read = 0;
    const int64_t count = dictionary_->CountMarked(id, matching, &read);
    // A tick per document read, as counting by document ticks per match.
    if (cancellation->Tick(static_cast<int32_t>(
            std::min<int64_t>(read + 1, Cancellation::kStride)))) {
      return false;
    }
    if (count > 0) counts_[id] = count;
  }
  return true;
}

bool FacetCounter::CountByComplement(const std::vector<uint64_t>& matching,
                                     const Corpus& corpus,
                                     Cancellation* cancellation) {
  absl::flat_hash_map<uint32_t, int64_t> unmatched;
  for (size_t doc = 0; doc < corpus.documents.size(); ++doc) {
    if ((matching[doc >> 6] >> (doc & 63)) & 1) continue;
    if (!corpus.ranks[doc].live) continue;
    if (cancellation->Tick()) return false;
    for (uint32_t id : corpus.documents[doc].value_ids) {
      if (wanted_[static_cast<int>(dictionary_->field(id))]) ++unmatched[id];
    }
  }
  for (uint32_t id = 0; id < dictionary_->size(); ++id) {
    if (!wanted_[static_cast<int>(dictionary_->field(id))]) continue;
    auto found = unmatched.find(id);
    const int64_t count = dictionary_->live_documents(id) -
                          (found == unmatched.end() ? 0 : found->second);
    if (count > 0) counts_[id] = count;
  }
  return !cancellation->Check();
}

void FacetCounter::AppendTo(v1::SearchResponse* response) const {
  for (FacetField field : fields_) {
    std::vector<std::pair<int64_t, std::string_view>> values;
    for (const auto& [id, count] : counts_) {
      if (dictionary_->field(id) == field) {
        values.emplace_back(count, dictionary_->display(id));
      }
    }
    auto by_count_then_value = [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    const size_t keep = std::min(values.size(), max_values_);
    std::partial_sort(values.begin(), values.begin() + keep, values.end(),
                      by_count_then_value);
    v1::Facet* facet = response->add_facets();
    facet->set_field(std::string(FacetFieldName(field)));
    for (size_t i = 0; i < keep; ++i) {
      v1::FacetValue* value = facet->add_values();
      value->set_value(std::string(values[i].second));
      value->set_count(values[i].first);
    }
  }
}

}  // namespace bulletin
