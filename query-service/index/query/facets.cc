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
                         Cancellation* cancellation) {
  // By document, a match costs every one of its value ids (a few dozen);
  // by value, every document of the archive costs its values of the wanted
  // fields (a few). Past a sixteenth of the archive the latter reads less.
  if (docs.size() * 16 > corpus.documents.size()) {
    return CountByValue(docs, corpus, cancellation);
  }
  return CountByDocument(docs, corpus, cancellation);
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

bool FacetCounter::CountByValue(absl::Span<const uint32_t> docs,
                                const Corpus& corpus,
                                Cancellation* cancellation) {
  std::vector<uint64_t> matching((corpus.documents.size() + 63) / 64, 0);
  for (uint32_t doc : docs) matching[doc >> 6] |= uint64_t{1} << (doc & 63);
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
