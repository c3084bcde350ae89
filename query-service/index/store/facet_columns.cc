#include "query-service/index/store/facet_columns.h"

namespace bulletin {

bool FacetColumns::Columned(FacetField field) {
  switch (field) {
    case FacetField::kRegion:
    case FacetField::kDate:
      return true;
    default:
      return false;
  }
}

FacetColumns::FacetColumns() {
  for (int f = 0; f < kFacetFieldCount; ++f) {
    if (Columned(static_cast<FacetField>(f))) {
      columns_[f] = std::make_unique<Column>();
    }
  }
}

void FacetColumns::Learn(const ValueDictionary& dictionary) {
  columned_ids_.resize((dictionary.size() + 63) / 64, 0);
  for (int f = 0; f < kFacetFieldCount; ++f) {
    if (columns_[f] == nullptr) continue;
    const std::vector<uint32_t>& ids =
        dictionary.ids_of(static_cast<FacetField>(f));
    for (size_t code = learned_[f]; code < ids.size(); ++code) {
      const uint32_t id = ids[code];
      columned_ids_[id >> 6] |= uint64_t{1} << (id & 63);
      codes_[id] = Coded{static_cast<uint32_t>(f), static_cast<uint32_t>(code)};
    }
    learned_[f] = ids.size();
    columns_[f]->live.resize(ids.size(), 0);
  }
  learned_values_ = dictionary.size();
}

void FacetColumns::Add(uint32_t doc, absl::Span<const uint32_t> value_ids,
                       const ValueDictionary& dictionary) {
  if (dictionary.size() != learned_values_) Learn(dictionary);
  for (uint32_t id : value_ids) {
    if (((columned_ids_[id >> 6] >> (id & 63)) & 1) == 0) continue;
    const Coded coded = codes_.at(id);
    Column& column = *columns_[coded.field];
    column.codes.push_back(coded.code);
    ++column.live[coded.code];
  }
  AddDead(doc);
  live_bits_[doc >> 6] |= uint64_t{1} << (doc & 63);
}

void FacetColumns::AddDead(uint32_t doc) {
  // Numbers are the documents' own: the corpus's, which only grow.
  documents_ = static_cast<size_t>(doc) + 1;
  live_bits_.resize((documents_ + 63) / 64, 0);
  for (const std::unique_ptr<Column>& column : columns_) {
    if (column == nullptr) continue;
    column->offsets.resize(documents_, column->offsets.back());
    column->offsets.push_back(static_cast<uint32_t>(column->codes.size()));
  }
}

void FacetColumns::Remove(uint32_t doc) {
  live_bits_[doc >> 6] &= ~(uint64_t{1} << (doc & 63));
  for (const std::unique_ptr<Column>& column : columns_) {
    if (column == nullptr) continue;
    for (uint32_t code : column->CodesOf(doc)) --column->live[code];
  }
}

void FacetColumns::ShrinkToFit() {
  for (const std::unique_ptr<Column>& column : columns_) {
    if (column == nullptr) continue;
    column->offsets.shrink_to_fit();
    column->codes.shrink_to_fit();
    column->live.shrink_to_fit();
  }
  live_bits_.shrink_to_fit();
}

size_t FacetColumns::MemoryBytes() const {
  size_t bytes = live_bits_.capacity() * sizeof(uint64_t) +
                 columned_ids_.capacity() * sizeof(uint64_t) +
                 codes_.capacity() * (sizeof(uint32_t) + sizeof(Coded) + 1);
  for (const std::unique_ptr<Column>& column : columns_) {
    if (column == nullptr) continue;
    bytes +=
        sizeof(Column) + (column->offsets.capacity() +
                          column->codes.capacity() + column->live.capacity()) *
                             sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace bulletin
