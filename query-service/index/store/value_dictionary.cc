#include "query-service/index/store/value_dictionary.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/hash/hash.h"
#include "query-service/index/text/varint.h"

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
    : ids_(0, IdHash{this}, IdEq{this}),
      frozen_(std::make_shared<const FrozenLists>()) {}

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
  field_ids_[static_cast<int>(v.field)].push_back(id);
  live_.push_back(0);
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
  recent_[id].push_back(doc);
  AddLive(id);
}

bool ValueDictionary::AddLive(uint32_t id) {
  if (id >= values_.size()) return false;
  ++live_[id];
  ++live_pairs_[static_cast<int>(values_[id].field)];
  return true;
}

void ValueDictionary::RemoveLive(uint32_t id) {
  --live_[id];
  --live_pairs_[static_cast<int>(values_[id].field)];
}

namespace {

template <typename Visit>
void ForEachFrozen(const ValueDictionary::FrozenLists& frozen, uint32_t id,
                   Visit visit) {
  if (id + 1 >= frozen.offsets.size()) return;
  const auto* at =
      reinterpret_cast<const uint8_t*>(frozen.docs.data()) + frozen.offsets[id];
  const auto* end = reinterpret_cast<const uint8_t*>(frozen.docs.data()) +
                    frozen.offsets[id + 1];
  uint32_t doc = 0;
  while (at < end) {
    doc += ReadVarint(at);
    visit(doc);
  }
}

void AppendFrozen(const ValueDictionary::FrozenLists& frozen, uint32_t id,
                  std::vector<uint32_t>* out) {
  ForEachFrozen(frozen, id, [out](uint32_t doc) { out->push_back(doc); });
}

void AppendRecent(const ValueDictionary::RecentLists& recent, uint32_t id,
                  std::vector<uint32_t>* out) {
  auto found = recent.find(id);
  if (found != recent.end()) {
    out->insert(out->end(), found->second.begin(), found->second.end());
  }
}

}  // namespace

int64_t ValueDictionary::CountMarked(uint32_t id,
                                     const std::vector<uint64_t>& marked,
                                     int64_t* read) const {
  int64_t count = 0;
  int64_t documents = 0;
  auto visit = [&](uint32_t doc) {
    count += static_cast<int64_t>((marked[doc >> 6] >> (doc & 63)) & 1);
    ++documents;
  };
  ForEachFrozen(*frozen_, id, visit);
  for (const RecentLists* recent : {sealed_.get(), &recent_}) {
    if (recent == nullptr) continue;
    auto found = recent->find(id);
    if (found == recent->end()) continue;
    for (uint32_t doc : found->second) visit(doc);
  }
  *read = documents;
  return count;
}

void ValueDictionary::AppendDocuments(uint32_t id,
                                      std::vector<uint32_t>* out) const {
  AppendFrozen(*frozen_, id, out);
  if (sealed_ != nullptr) AppendRecent(*sealed_, id, out);
  AppendRecent(recent_, id, out);
}

ValueDictionary::Sealed ValueDictionary::Seal() {
  sealed_ = std::make_shared<const RecentLists>(std::move(recent_));
  recent_ = RecentLists();
  return Sealed{frozen_, sealed_};
}

std::shared_ptr<const ValueDictionary::FrozenLists> ValueDictionary::Freeze(
    const Sealed& sealed, const std::vector<bool>& dead) {
  const FrozenLists& old = *sealed.frozen;
  const RecentLists& recent = *sealed.recent;
  // As in GramIndex::Freeze: with nothing to add or drop, the frozen lists
  // stay as they are (Compact right after an automatic freeze).
  if (recent.empty() &&
      std::find(dead.begin(), dead.end(), true) == dead.end()) {
    return sealed.frozen;
  }
  // Every value with documents so far has a frozen or a recent list.
  size_t values = old.offsets.size() - 1;
  for (const auto& [id, docs] : recent) {
    values = std::max<size_t>(values, id + 1);
  }
  auto out = std::make_shared<FrozenLists>();
  out->offsets.clear();
  out->offsets.reserve(values + 1);
  out->docs.reserve(old.docs.size() + 2 * recent.size());
  std::vector<uint32_t> docs;
  for (uint32_t id = 0; id < values; ++id) {
    out->offsets.push_back(static_cast<uint32_t>(out->docs.size()));
    docs.clear();
    AppendFrozen(old, id, &docs);
    AppendRecent(recent, id, &docs);
    uint32_t previous = 0;
    for (uint32_t doc : docs) {
      if (doc < dead.size() && dead[doc]) continue;
      AppendVarint(doc - previous, &out->docs);
      previous = doc;
    }
  }
  out->offsets.push_back(static_cast<uint32_t>(out->docs.size()));
  out->docs.shrink_to_fit();
  return out;
}

ValueDictionary::Contents ValueDictionary::CopyContents() const {
  return Contents{arena_, values_, frozen_, sealed_,
                  std::make_shared<const RecentLists>(recent_)};
}

std::shared_ptr<const ValueDictionary::FrozenLists> ValueDictionary::MergeLists(
    const Contents& contents, const std::vector<bool>& dead) {
  std::shared_ptr<const FrozenLists> frozen = contents.frozen;
  if (contents.sealed != nullptr) {
    frozen = Freeze({frozen, contents.sealed}, {});
  }
  return Freeze({frozen, contents.recent}, dead);
}

absl::Status ValueDictionary::Restore(
    std::string arena, std::vector<Value> values,
    std::shared_ptr<const FrozenLists> lists) {
  for (const Value& v : values) {
    const uint64_t end = uint64_t{v.text_offset} + v.folded_size +
                         (v.display_size == kSameAsFolded ? 0 : v.display_size);
    if (end > arena.size() || static_cast<int>(v.field) < 0 ||
        static_cast<int>(v.field) >= kFacetFieldCount) {
      return absl::DataLossError("a dictionary value lies outside its arena");
    }
  }
  const std::vector<uint32_t>& offsets = lists->offsets;
  if (offsets.empty() || offsets.size() - 1 > values.size() ||
      offsets.front() != 0 || offsets.back() != lists->docs.size() ||
      !std::is_sorted(offsets.begin(), offsets.end())) {
    return absl::DataLossError("malformed dictionary lists");
  }
  arena_ = std::move(arena);
  values_ = std::move(values);
  for (std::vector<uint32_t>& ids : field_ids_) ids.clear();
  for (uint32_t id = 0; id < values_.size(); ++id) {
    field_ids_[static_cast<int>(values_[id].field)].push_back(id);
  }
  live_.assign(values_.size(), 0);
  std::fill(std::begin(live_pairs_), std::end(live_pairs_), 0);
  frozen_ = std::move(lists);
  sealed_ = nullptr;
  recent_ = RecentLists();
  ids_.clear();
  ids_.reserve(values_.size());
  for (uint32_t id = 0; id < values_.size(); ++id) {
    if (!ids_.insert(id).second) {
      return absl::DataLossError("a dictionary value is there twice");
    }
  }
  return absl::OkStatus();
}

void ValueDictionary::Install(std::shared_ptr<const FrozenLists> frozen) {
  frozen_ = std::move(frozen);
  sealed_ = nullptr;
}

size_t ValueDictionary::MemoryBytes() const {
  size_t bytes = arena_.capacity() + values_.capacity() * sizeof(Value) +
                 live_.capacity() * sizeof(uint32_t) +
                 ids_.capacity() * (sizeof(uint32_t) + 1) +
                 frozen_->offsets.capacity() * sizeof(uint32_t) +
                 frozen_->docs.capacity();
  for (const std::vector<uint32_t>& ids : field_ids_) {
    bytes += ids.capacity() * sizeof(uint32_t);
  }
  auto recent_bytes = [](const RecentLists& recent) {
    size_t total = recent.capacity() *
                   (sizeof(uint32_t) + sizeof(std::vector<uint32_t>) + 1);
    for (const auto& [id, docs] : recent) {
      total += docs.capacity() * sizeof(uint32_t);
    }
    return total;
  };
  bytes += recent_bytes(recent_);
  if (sealed_ != nullptr) bytes += recent_bytes(*sealed_);
  return bytes;
}

}  // namespace bulletin
