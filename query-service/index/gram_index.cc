#include "query-service/index/gram_index.h"

#include <algorithm>
#include <utility>

namespace bulletin {
namespace {

int KindAt(uint32_t position, const DocumentText& text) {
  return position < text.lead_start ? 0 : position < text.item_start ? 1 : 2;
}

}  // namespace

uint32_t GramIndex::List::documents() const {
  return PostingCursor::OverBlob(frozen).stored_count() + recent_count;
}

void GramIndex::AddGroup(uint32_t doc, uint64_t key, const FieldCounts& counts,
                         const uint32_t* positions, size_t position_count) {
  auto [it, inserted] = recent_.try_emplace(key);
  if (inserted) {
    recent_successors_[static_cast<char32_t>(key >> 21)].push_back(
        static_cast<char32_t>(key & kEnd));
  }
  Recent& list = it->second;
  const size_t before = list.docs.size() + list.positions.size();
  const bool ends_segment = (key & kEnd) == kEnd;
  AppendEntry(doc, counts, positions, ends_segment ? 0 : position_count,
              &list.last, &list.docs, &list.positions);
  ++list.count;
  recent_bytes_ += list.docs.size() + list.positions.size() - before;
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

std::pair<uint32_t, uint32_t> GramIndex::FrozenRange(char32_t first) const {
  auto it = std::lower_bound(first_.begin(), first_.end(), first);
  if (it == first_.end() || *it != first) return {0, 0};
  const size_t k = static_cast<size_t>(it - first_.begin());
  return {first_begin_[k], first_begin_[k + 1]};
}

GramIndex::List GramIndex::WithRecent(std::string_view frozen,
                                      uint64_t key) const {
  List list;
  list.frozen = frozen;
  auto recent = recent_.find(key);
  if (recent != recent_.end()) {
    list.recent_docs = recent->second.docs;
    list.recent_positions = recent->second.positions;
    list.recent_count = recent->second.count;
  }
  return list;
}

GramIndex::List GramIndex::Find(char32_t first, char32_t second) const {
  auto [begin, end] = FrozenRange(first);
  auto it =
      std::lower_bound(second_.begin() + begin, second_.begin() + end, second);
  std::string_view frozen;
  if (it != second_.begin() + end && *it == second) {
    frozen = FrozenList(static_cast<uint32_t>(it - second_.begin()));
  }
  return WithRecent(frozen, Key(first, second));
}

void GramIndex::ForEachStartingWith(
    char32_t first, absl::FunctionRef<void(const List&)> visit) const {
  auto [begin, end] = FrozenRange(first);
  for (uint32_t i = begin; i < end; ++i) {
    visit(WithRecent(FrozenList(i), Key(first, second_[i])));
  }
  auto successors = recent_successors_.find(first);
  if (successors == recent_successors_.end()) return;
  for (char32_t second : successors->second) {
    if (!std::binary_search(second_.begin() + begin, second_.begin() + end,
                            second)) {
      visit(WithRecent({}, Key(first, second)));
    }
  }
}

GramIndex GramIndex::Compacted(const std::vector<uint32_t>& remap) const {
  // Every bigram in key order: the frozen ones are already sorted; the
  // recent ones are merged in.
  std::vector<uint64_t> recent_keys;
  recent_keys.reserve(recent_.size());
  for (const auto& [key, unused] : recent_) recent_keys.push_back(key);
  std::sort(recent_keys.begin(), recent_keys.end());

  GramIndex out;
  out.second_.reserve(second_.size() + recent_keys.size());
  out.offsets_.reserve(second_.size() + recent_keys.size() + 1);
  out.frozen_.reserve(frozen_.size() + recent_bytes_);
  // Without renumbering, a frozen list stays as it is: it is copied, or
  // extended by its recent entries, rather than decoded and coded again.
  bool renumbers = false;
  for (uint32_t doc = 0; doc < remap.size() && !renumbers; ++doc) {
    renumbers = remap[doc] != doc;
  }
  PostingWriter writer;
  std::vector<uint32_t> positions;
  auto emit = [&](uint64_t key, std::string_view frozen) {
    const bool ends_segment = (key & kEnd) == kEnd;
    const List list = WithRecent(frozen, key);
    std::string blob;
    std::string_view bytes = frozen;
    if (renumbers || frozen.empty() || !list.recent_docs.empty()) {
      PostingCursor recent =
          PostingCursor::OverStreams(list.recent_docs, list.recent_positions);
      PostingCursor all = PostingCursor::OverBlob(frozen);
      PostingCursor* from = &all;
      if (!renumbers) {
        writer = PostingWriter::Resuming(frozen);
        from = &recent;
      }
      for (;;) {
        if (!from->Next()) {
          if (from == &recent) break;
          from = &recent;
          continue;
        }
        const uint32_t doc = remap[from->doc()];
        if (doc == kDropped) continue;
        positions.clear();
        if (!ends_segment) from->ReadPositions(&positions);
        writer.Add(doc, from->counts(), positions);
      }
      if (writer.size() == 0) return;
      blob = writer.Finish();
      bytes = blob;
    }
    const char32_t first = static_cast<char32_t>(key >> 21);
    if (out.first_.empty() || out.first_.back() != first) {
      out.first_.push_back(first);
      out.first_begin_.push_back(static_cast<uint32_t>(out.second_.size()));
    }
    out.second_.push_back(static_cast<char32_t>(key & kEnd));
    out.offsets_.push_back(static_cast<uint32_t>(out.frozen_.size()));
    out.frozen_ += bytes;
  };
  size_t r = 0;
  for (size_t k = 0; k < first_.size(); ++k) {
    for (uint32_t i = first_begin_[k]; i < first_begin_[k + 1]; ++i) {
      const uint64_t key = Key(first_[k], second_[i]);
      for (; r < recent_keys.size() && recent_keys[r] < key; ++r) {
        emit(recent_keys[r], {});
      }
      if (r < recent_keys.size() && recent_keys[r] == key) ++r;
      emit(key, FrozenList(i));
    }
  }
  for (; r < recent_keys.size(); ++r) emit(recent_keys[r], {});
  out.first_begin_.push_back(static_cast<uint32_t>(out.second_.size()));
  out.offsets_.push_back(static_cast<uint32_t>(out.frozen_.size()));
  out.first_.shrink_to_fit();
  out.first_begin_.shrink_to_fit();
  out.second_.shrink_to_fit();
  out.offsets_.shrink_to_fit();
  out.frozen_.shrink_to_fit();
  return out;
}

size_t GramIndex::MemoryBytes() const {
  size_t bytes = (first_.capacity() + first_begin_.capacity() +
                  second_.capacity() + offsets_.capacity()) *
                     sizeof(uint32_t) +
                 frozen_.capacity();
  // The recent tier: hash slots, list headers and list bytes.
  bytes += recent_.capacity() * (sizeof(uint64_t) + sizeof(Recent) + 1);
  for (const auto& [key, list] : recent_) {
    if (list.docs.capacity() > 15) bytes += list.docs.capacity();
    if (list.positions.capacity() > 15) bytes += list.positions.capacity();
  }
  bytes += recent_successors_.capacity() *
           (sizeof(char32_t) + sizeof(std::vector<char32_t>) + 1);
  for (const auto& [first, seconds] : recent_successors_) {
    bytes += seconds.capacity() * sizeof(char32_t);
  }
  return bytes;
}

}  // namespace bulletin
