#include "query-service/index/value_dictionary.h"

#include <utility>

#include "absl/hash/hash.h"
#include "query-service/index/varint.h"

namespace bulletin {

size_t ValueDictionary::IdHash::operator()(uint32_t id) const {
  return (*this)(Probe{dictionary->field(id), dictionary->folded(id)});
}

size_t ValueDictionary::IdHash::operator()(const Probe& probe) const {
  return absl::HashOf(static_cast<int>(probe.field), probe.folded);
}

bool ValueDictionary::IdEq::operator()(uint32_t id, const Probe& probe) const {
  return dictionary->field(id) == probe.field &&
         dictionary->folded(id) == probe.folded;
}

ValueDictionary::ValueDictionary()
    : ids_(0, IdHash{this}, IdEq{this}), frozen_offsets_{0} {}

ValueDictionary::ValueDictionary(const ValueDictionary& other)
    : arena_(other.arena_),
      values_(other.values_),
      ids_(0, IdHash{this}, IdEq{this}),
      frozen_offsets_(other.frozen_offsets_),
      frozen_docs_(other.frozen_docs_),
      recent_docs_(other.recent_docs_) {
  RebuildIds();
}

ValueDictionary& ValueDictionary::operator=(const ValueDictionary& other) {
  if (this == &other) return *this;
  arena_ = other.arena_;
  values_ = other.values_;
  frozen_offsets_ = other.frozen_offsets_;
  frozen_docs_ = other.frozen_docs_;
  recent_docs_ = other.recent_docs_;
  RebuildIds();
  return *this;
}

void ValueDictionary::RebuildIds() {
  ids_ = IdSet(values_.size(), IdHash{this}, IdEq{this});
  for (uint32_t id = 0; id < values_.size(); ++id) ids_.insert(id);
}

uint32_t ValueDictionary::Intern(const FieldValue& value) {
  auto found = ids_.find(Probe{value.field, value.folded});
  if (found != ids_.end()) return *found;
  const auto id = static_cast<uint32_t>(values_.size());
  Value v;
  v.text_offset = static_cast<uint32_t>(arena_.size());
  v.folded_size = static_cast<uint32_t>(value.folded.size());
  v.field = value.field;
  arena_ += value.folded;
  if (value.display == value.folded) {
    v.display_size = kSameAsFolded;
  } else {
    v.display_size = static_cast<uint32_t>(value.display.size());
    arena_ += value.display;
  }
  values_.push_back(v);
  ids_.insert(id);
  return id;
}

std::optional<uint32_t> ValueDictionary::Find(FacetField field,
                                              std::string_view folded) const {
  auto it = ids_.find(Probe{field, folded});
  if (it == ids_.end()) return std::nullopt;
  return *it;
}

std::string_view ValueDictionary::display(uint32_t id) const {
  const Value& v = values_[id];
  if (v.display_size == kSameAsFolded) return folded(id);
  return std::string_view(arena_).substr(v.text_offset + v.folded_size,
                                         v.display_size);
}

void ValueDictionary::AddDocument(uint32_t id, uint32_t doc) {
  recent_docs_[id].push_back(doc);
}

void ValueDictionary::AppendDocuments(uint32_t id,
                                      std::vector<uint32_t>* out) const {
  if (id + 1 < frozen_offsets_.size()) {
    const auto* at = reinterpret_cast<const uint8_t*>(frozen_docs_.data()) +
                     frozen_offsets_[id];
    const auto* end = reinterpret_cast<const uint8_t*>(frozen_docs_.data()) +
                      frozen_offsets_[id + 1];
    uint32_t doc = 0;
    while (at < end) {
      doc += ReadVarint(at);
      out->push_back(doc);
    }
  }
  auto recent = recent_docs_.find(id);
  if (recent != recent_docs_.end()) {
    out->insert(out->end(), recent->second.begin(), recent->second.end());
  }
}

void ValueDictionary::Remap(const std::vector<uint32_t>& remap) {
  std::vector<uint32_t> offsets;
  offsets.reserve(values_.size() + 1);
  std::string docs;
  docs.reserve(frozen_docs_.size());
  std::vector<uint32_t> old_docs;
  for (uint32_t id = 0; id < values_.size(); ++id) {
    offsets.push_back(static_cast<uint32_t>(docs.size()));
    old_docs.clear();
    AppendDocuments(id, &old_docs);
    uint32_t previous = 0;
    for (uint32_t doc : old_docs) {
      if (remap[doc] == kDropped) continue;
      AppendVarint(remap[doc] - previous, &docs);
      previous = remap[doc];
    }
  }
  offsets.push_back(static_cast<uint32_t>(docs.size()));
  docs.shrink_to_fit();
  frozen_offsets_ = std::move(offsets);
  frozen_docs_ = std::move(docs);
  recent_docs_.clear();
}

size_t ValueDictionary::MemoryBytes() const {
  size_t bytes = arena_.capacity() + values_.capacity() * sizeof(Value) +
                 ids_.capacity() * (sizeof(uint32_t) + 1) +
                 frozen_offsets_.capacity() * sizeof(uint32_t) +
                 frozen_docs_.capacity();
  bytes += recent_docs_.capacity() *
           (sizeof(uint32_t) + sizeof(std::vector<uint32_t>) + 1);
  for (const auto& [id, docs] : recent_docs_) {
    bytes += docs.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

}  // namespace bulletin
