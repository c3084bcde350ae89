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

void FacetCounter::AddDocument(absl::Span<const uint32_t> value_ids) {
  for (uint32_t id : value_ids) {
    if (wanted_[static_cast<int>(dictionary_->field(id))]) ++counts_[id];
  }
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
