#include "query-service/index/postings/gram_index.h"

#include <algorithm>
#include <utility>

namespace bulletin {
namespace {

int KindAt(uint32_t position, const DocumentText& text) {
  return position < text.lead_start ? 0 : position < text.item_start ? 1 : 2;
}

}  // namespace

uint32_t GramIndex::List::documents() const {
  return PostingCursor::OverBlob(frozen).stored_count() + sealed.count +
         recent.count;
}

GramIndex::GramIndex() : frozen_(std::make_shared<const FrozenTier>()) {}

void GramIndex::AddGroup(uint32_t doc, uint64_t key, const FieldCounts& counts,
                         const uint32_t* positions, size_t position_count) {
  auto [it, inserted] = recent_.lists.try_emplace(key);
  if (inserted) {
    recent_.successors[static_cast<char32_t>(key >> 21)].push_back(
        static_cast<char32_t>(key & kEnd));
  }
  RecentTier::Entries& list = it->second;
  const size_t before = list.docs.size() + list.positions.size();
  const bool ends_segment = (key & kEnd) == kEnd;
  AppendGrowableSkip(list.count, list.last, list.docs.size(),
                     list.positions.size(), &list.skips);
  AppendEntry(doc, counts, positions, ends_segment ? 0 : position_count,
              &list.last, &list.docs, &list.positions);
  ++list.count;
  recent_.bytes += list.docs.size() + list.positions.size() - before;
}

void GramIndex::AddDocument(uint32_t doc, const DocumentText& text) {
  const std::vector<char32_t>& cps = text.code_points;
  GroupScratch& g = scratch_;
  // An open-addressing table from bigram to group, at most half full,
  // emptied by bumping a stamp rather than by clearing it. Sorting
  // (bigram, position) pairs instead was the largest single cost of adding
  // a document.
  size_t capacity = 64;
  while (capacity < 2 * cps.size()) capacity <<= 1;
  if (g.slot_keys.size() < capacity) {
    g.slot_keys.assign(capacity, 0);
    g.slot_groups.assign(capacity, 0);
    g.slot_stamps.assign(capacity, 0);
    g.stamp = 0;
  }
  if (++g.stamp == 0) {
    std::fill(g.slot_stamps.begin(), g.slot_stamps.end(), 0);
    g.stamp = 1;
  }
  const size_t mask = g.slot_keys.size() - 1;
  constexpr uint32_t kNoGroup = 0xFFFFFFFFu;
  g.keys.clear();
  g.starts.clear();
  g.group_of.assign(cps.size(), kNoGroup);
  for (size_t i = 0; i + 1 < cps.size(); ++i) {
    if (cps[i] == kEnd) continue;
    const uint64_t key = Key(cps[i], cps[i + 1]);
    size_t slot =
        static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    while (g.slot_stamps[slot] == g.stamp && g.slot_keys[slot] != key) {
      slot = (slot + 1) & mask;
    }
    if (g.slot_stamps[slot] != g.stamp) {
      g.slot_stamps[slot] = g.stamp;
      g.slot_keys[slot] = key;
      g.slot_groups[slot] = static_cast<uint32_t>(g.keys.size());
      g.keys.push_back(key);
      g.starts.push_back(0);
    }
    const uint32_t group = g.slot_groups[slot];
    g.group_of[i] = group;
    ++g.starts[group];
  }
  // Sizes to starts, then each group's positions in ascending order.
  uint32_t total = 0;
  for (uint32_t& start : g.starts) {
    const uint32_t size = start;
    start = total;
    total += size;
  }
  g.starts.push_back(total);
  g.positions.resize(total);
  g.fill.assign(g.starts.begin(), g.starts.end() - 1);
  for (size_t i = 0; i < cps.size(); ++i) {
    if (g.group_of[i] != kNoGroup) {
      g.positions[g.fill[g.group_of[i]]++] = static_cast<uint32_t>(i);
    }
  }
  for (size_t group = 0; group < g.keys.size(); ++group) {
    const uint32_t* positions = g.positions.data() + g.starts[group];
    const size_t count = g.starts[group + 1] - g.starts[group];
    FieldCounts counts = {0, 0, 0};
    for (size_t k = 0; k < count; ++k) ++counts[KindAt(positions[k], text)];
    AddGroup(doc, g.keys[group], counts, positions, count);
  }
}

std::pair<uint32_t, uint32_t> GramIndex::FrozenTier::Range(char32_t c) const {
  auto it = std::lower_bound(first.begin(), first.end(), c);
  if (it == first.end() || *it != c) return {0, 0};
  const size_t k = static_cast<size_t>(it - first.begin());
  return {first_begin[k], first_begin[k + 1]};
}

GramIndex::List GramIndex::WithRecent(std::string_view frozen,
                                      uint64_t key) const {
  List list;
  list.frozen = frozen;
  auto part = [key](const RecentTier& tier, RecentPart* out) {
    auto found = tier.lists.find(key);
    if (found == tier.lists.end()) return;
    out->docs = found->second.docs;
    out->positions = found->second.positions;
    out->skips = found->second.skips;
    out->count = found->second.count;
  };
  if (sealed_ != nullptr) part(*sealed_, &list.sealed);
  part(recent_, &list.recent);
  return list;
}

absl::Span<const uint16_t> GramIndex::FrozenTier::CharacterBounds(
    char32_t c) const {
  auto it =
      std::lower_bound(character_points.begin(), character_points.end(), c);
  if (it == character_points.end() || *it != c) return {};
  const auto i = static_cast<size_t>(it - character_points.begin());
  return absl::MakeConstSpan(character_saturation)
      .subspan(character_begin[i], character_begin[i + 1] - character_begin[i]);
}

GramIndex::CharacterBounds GramIndex::CharacterBoundsOf(char32_t c) const {
  return CharacterBounds{frozen_->CharacterBounds(c),
                         frozen_->character_documents,
                         frozen_->character_reference};
}

GramIndex::List GramIndex::Find(char32_t first, char32_t second) const {
  const FrozenTier& frozen = *frozen_;
  auto [begin, end] = frozen.Range(first);
  auto it = std::lower_bound(frozen.second.begin() + begin,
                             frozen.second.begin() + end, second);
  std::string_view list;
  if (it != frozen.second.begin() + end && *it == second) {
    list = frozen.ListAt(static_cast<uint32_t>(it - frozen.second.begin()));
  }
  return WithRecent(list, Key(first, second));
}

void GramIndex::ForEachStartingWith(
    char32_t first, absl::FunctionRef<void(const List&)> visit) const {
  const FrozenTier& frozen = *frozen_;
  // Not a structured binding: the lambda below uses both, and clang 14
  // cannot capture a binding (C++20).
  const auto range = frozen.Range(first);
  const uint32_t begin = range.first;
  const uint32_t end = range.second;
  for (uint32_t i = begin; i < end; ++i) {
    visit(WithRecent(frozen.ListAt(i), Key(first, frozen.second[i])));
  }
  // Then the bigrams that have no frozen list, each once: those of the
  // sealed tier, then those only in the recent one.
  auto in_frozen = [&](char32_t second) {
    return std::binary_search(frozen.second.begin() + begin,
                              frozen.second.begin() + end, second);
  };
  const RecentTier* tiers[] = {sealed_.get(), &recent_};
  for (const RecentTier* tier : tiers) {
    if (tier == nullptr) continue;
    auto successors = tier->successors.find(first);
    if (successors == tier->successors.end()) continue;
    for (char32_t second : successors->second) {
      if (in_frozen(second)) continue;
      if (tier == &recent_ && sealed_ != nullptr &&
          sealed_->lists.contains(Key(first, second))) {
        continue;
      }
      visit(WithRecent({}, Key(first, second)));
    }
  }
}

GramIndex::Sealed GramIndex::Seal() {
  sealed_ = std::make_shared<const RecentTier>(std::move(recent_));
  recent_ = RecentTier();
  return Sealed{frozen_, sealed_};
}

void GramIndex::Install(std::shared_ptr<const FrozenTier> frozen) {
  frozen_ = std::move(frozen);
  sealed_ = nullptr;
}

GramIndex::Tiers GramIndex::CopyTiers() const {
  return Tiers{frozen_, sealed_, std::make_shared<const RecentTier>(recent_)};
}

std::shared_ptr<const GramIndex::FrozenTier> GramIndex::Merge(
    const Tiers& tiers, const std::vector<bool>& dead,
    const BlockBasis& basis) {
  std::shared_ptr<const FrozenTier> frozen = tiers.frozen;
  if (tiers.sealed != nullptr) {
    frozen = Freeze({frozen, tiers.sealed}, {}, basis);
  }
  return Freeze({frozen, tiers.recent}, dead, basis);
}

void GramIndex::Restore(std::shared_ptr<const FrozenTier> frozen) {
  frozen_ = std::move(frozen);
  sealed_ = nullptr;
  recent_ = RecentTier();
}

std::shared_ptr<const GramIndex::FrozenTier> GramIndex::Freeze(
    const Sealed& sealed, const std::vector<bool>& dead,
    const BlockBasis& basis) {
  const FrozenTier& old = *sealed.frozen;
  const RecentTier& recent = *sealed.recent;
  const bool drops = std::find(dead.begin(), dead.end(), true) != dead.end();
  if (recent.lists.empty() && !drops) return sealed.frozen;
  // Every bigram in key order: the frozen ones are already sorted; the
  // recent ones are merged in.
  std::vector<uint64_t> recent_keys;
  recent_keys.reserve(recent.lists.size());
  for (const auto& [key, unused] : recent.lists) recent_keys.push_back(key);
  std::sort(recent_keys.begin(), recent_keys.end());

  auto out = std::make_shared<FrozenTier>();
  out->first_begin.clear();
  out->offsets.clear();
  out->second.reserve(old.second.size() + recent_keys.size());
  out->offsets.reserve(old.second.size() + recent_keys.size() + 1);
  out->bytes.reserve(old.bytes.size() + recent.bytes);
  auto is_dead = [&dead](uint32_t doc) {
    return doc < dead.size() && dead[doc];
  };
  PostingWriter writer(&basis);
  std::vector<uint32_t> positions;
  auto emit = [&](uint64_t key, std::string_view frozen) {
    const bool ends_segment = (key & kEnd) == kEnd;
    RecentPart added;
    auto found = recent.lists.find(key);
    if (found != recent.lists.end()) {
      added = RecentPart{found->second.docs, found->second.positions,
                         found->second.skips, found->second.count};
    }
    std::string blob;
    std::string_view bytes = frozen;
    // Unless documents are dropped, a frozen list stays as it is: it is
    // copied, or extended by its recent entries, rather than decoded and
    // coded again.
    if (drops || frozen.empty() || !added.docs.empty()) {
      PostingCursor from_recent =
          PostingCursor::OverStreams(added.docs, added.positions);
      PostingCursor from_frozen = PostingCursor::OverBlob(frozen);
      PostingCursor* from = &from_frozen;
      if (!drops) {
        writer = PostingWriter::Resuming(frozen, &basis);
        from = &from_recent;
      }
      for (;;) {
        if (!from->Next()) {
          if (from == &from_recent) break;
          from = &from_recent;
          continue;
        }
        if (is_dead(from->doc())) continue;
        positions.clear();
        if (!ends_segment) from->ReadPositions(&positions);
        writer.Add(from->doc(), from->counts(), positions);
      }
      if (writer.size() == 0) return;
      blob = writer.Finish();
      bytes = blob;
    }
    const char32_t first = static_cast<char32_t>(key >> 21);
    if (out->first.empty() || out->first.back() != first) {
      out->first.push_back(first);
      out->first_begin.push_back(static_cast<uint32_t>(out->second.size()));
    }
    out->second.push_back(static_cast<char32_t>(key & kEnd));
    out->offsets.push_back(static_cast<uint32_t>(out->bytes.size()));
    out->bytes += bytes;
  };
  size_t r = 0;
  for (size_t k = 0; k < old.first.size(); ++k) {
    for (uint32_t i = old.first_begin[k]; i < old.first_begin[k + 1]; ++i) {
      const uint64_t key = Key(old.first[k], old.second[i]);
      for (; r < recent_keys.size() && recent_keys[r] < key; ++r) {
        emit(recent_keys[r], {});
      }
      if (r < recent_keys.size() && recent_keys[r] == key) ++r;
      emit(key, old.ListAt(i));
    }
  }
  for (; r < recent_keys.size(); ++r) emit(recent_keys[r], {});
  out->first_begin.push_back(static_cast<uint32_t>(out->second.size()));
  out->offsets.push_back(static_cast<uint32_t>(out->bytes.size()));
  BoundCharacters(basis, out.get());
  out->first.shrink_to_fit();
  out->first_begin.shrink_to_fit();
  out->second.shrink_to_fit();
  out->offsets.shrink_to_fit();
  out->bytes.shrink_to_fit();
  out->character_points.shrink_to_fit();
  out->character_begin.shrink_to_fit();
  out->character_saturation.shrink_to_fit();
  return out;
}

void GramIndex::BoundCharacters(const BlockBasis& basis, FrozenTier* tier) {
  if (basis.saturation == nullptr || basis.lengths == nullptr) return;
  const LengthBounds& lengths = *basis.lengths;
  // Whole blocks only: the documents numbered after this freeze began may
  // share the last block, and are not in this tier.
  const auto blocks = static_cast<uint32_t>(lengths.size() / kCharacterBlock);
  if (blocks == 0) return;
  tier->character_documents = blocks * kCharacterBlock;
  tier->character_reference = std::max<uint32_t>(basis.reference_length, 1);
  // Each bounded code point's weighted count per document, summed over its
  // lists, then cleared block by block as the bounds are taken.
  std::vector<uint32_t> weighted(tier->character_documents, 0);
  for (size_t k = 0; k < tier->first.size(); ++k) {
    const uint32_t begin = tier->first_begin[k];
    const uint32_t end = tier->first_begin[k + 1];
    size_t entries = 0;
    for (uint32_t i = begin; i < end; ++i) {
      entries += PostingCursor::OverBlob(tier->ListAt(i)).stored_count();
    }
    if (entries < basis.bounded_character_entries) continue;
    for (uint32_t i = begin; i < end; ++i) {
      PostingCursor cursor = PostingCursor::OverBlob(tier->ListAt(i));
      while (cursor.Next() && cursor.doc() < tier->character_documents) {
        weighted[cursor.doc()] +=
            static_cast<uint32_t>(WeightedCount(cursor.counts()));
      }
    }
    tier->character_points.push_back(tier->first[k]);
    for (uint32_t block = 0; block < blocks; ++block) {
      uint32_t most = 0;
      const uint32_t first_doc = block * kCharacterBlock;
      for (uint32_t doc = first_doc; doc < first_doc + kCharacterBlock; ++doc) {
        if (weighted[doc] == 0) continue;
        most = std::max(
            most, SaturationBound(basis.saturation(weighted[doc], lengths[doc],
                                                   tier->character_reference)));
        weighted[doc] = 0;
      }
      tier->character_saturation.push_back(static_cast<uint16_t>(most));
    }
    tier->character_begin.push_back(
        static_cast<uint32_t>(tier->character_saturation.size()));
  }
}

size_t GramIndex::FrozenTier::MemoryBytes() const {
  return (first.capacity() + first_begin.capacity() + second.capacity() +
          offsets.capacity() + character_points.capacity() +
          character_begin.capacity()) *
             sizeof(uint32_t) +
         character_saturation.capacity() * sizeof(uint16_t) + bytes.capacity();
}

size_t GramIndex::RecentTier::MemoryBytes() const {
  // Hash slots, list headers and list bytes.
  size_t total = lists.capacity() * (sizeof(uint64_t) + sizeof(Entries) + 1);
  for (const auto& [key, list] : lists) {
    if (list.docs.capacity() > 15) total += list.docs.capacity();
    if (list.positions.capacity() > 15) total += list.positions.capacity();
    if (list.skips.capacity() > 15) total += list.skips.capacity();
  }
  total += successors.capacity() *
           (sizeof(char32_t) + sizeof(std::vector<char32_t>) + 1);
  for (const auto& [first, seconds] : successors) {
    total += seconds.capacity() * sizeof(char32_t);
  }
  return total;
}

size_t GramIndex::MemoryBytes() const {
  return frozen_->MemoryBytes() + recent_.MemoryBytes() +
         (sealed_ != nullptr ? sealed_->MemoryBytes() : 0);
}

}  // namespace bulletin
