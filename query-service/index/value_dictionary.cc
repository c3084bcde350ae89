#include "query-service/index/value_dictionary.h"

namespace bulletin {

std::string ValueDictionary::Key(FacetField field, std::string_view folded) {
  std::string key(1, static_cast<char>('a' + static_cast<int>(field)));
  key.append(folded);
  return key;
}

uint32_t ValueDictionary::Intern(const FieldValue& value) {
  auto [it, inserted] = ids_.try_emplace(Key(value.field, value.folded),
                                         static_cast<uint32_t>(values_.size()));
  if (inserted) values_.push_back(Value{value.field, value.display, {}});
  return it->second;
}

std::optional<uint32_t> ValueDictionary::Find(FacetField field,
                                              std::string_view folded) const {
  auto it = ids_.find(Key(field, folded));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void ValueDictionary::Remap(const std::vector<uint32_t>& remap) {
  for (Value& value : values_) {
    std::vector<uint32_t> kept;
    kept.reserve(value.documents.size());
    for (uint32_t doc : value.documents) {
      if (remap[doc] != kDropped) kept.push_back(remap[doc]);
    }
    kept.shrink_to_fit();
    value.documents = std::move(kept);
  }
}

size_t ValueDictionary::MemoryBytes() const {
  size_t bytes = ids_.capacity() * (sizeof(std::string) + sizeof(uint32_t)) +
                 values_.capacity() * sizeof(Value);
  for (const auto& [key, id] : ids_) {
    if (key.capacity() > 15) bytes += key.capacity();
  }
  for (const Value& value : values_) {
    if (value.display.capacity() > 15) bytes += value.display.capacity();
    bytes += value.documents.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace bulletin
