#include "query-service/index/gram_index.h"

#include <algorithm>

#include "query-service/index/postings.h"

namespace bulletin {

void GramIndex::AddSegment(uint32_t segment,
                           const std::vector<char32_t>& text) {
  std::vector<uint64_t> keys;
  keys.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    keys.push_back(Key(text[i], i + 1 < text.size() ? text[i + 1] : kEnd));
  }
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size();) {
    size_t j = i + 1;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    auto [it, inserted] = recent_.try_emplace(keys[i]);
    if (inserted) {
      recent_successors_[static_cast<char32_t>(keys[i] >> 21)].push_back(
          static_cast<char32_t>(keys[i] & kEnd));
    }
    const size_t before = it->second.postings.size();
    AppendPosting(segment, static_cast<uint32_t>(j - i), &it->second.last,
                  &it->second.postings);
    recent_bytes_ += it->second.postings.size() - before;
    i = j;
  }
}

std::pair<uint32_t, uint32_t> GramIndex::FrozenRange(char32_t first) const {
  auto it = std::lower_bound(first_.begin(), first_.end(), first);
  if (it == first_.end() || *it != first) return {0, 0};
  const size_t k = static_cast<size_t>(it - first_.begin());
  return {first_begin_[k], first_begin_[k + 1]};
}

GramIndex::List GramIndex::Find(char32_t first, char32_t second) const {
  List list;
  auto [begin, end] = FrozenRange(first);
  auto it =
      std::lower_bound(second_.begin() + begin, second_.begin() + end, second);
  if (it != second_.begin() + end && *it == second) {
    list.frozen = FrozenList(static_cast<uint32_t>(it - second_.begin()));
  }
  auto recent = recent_.find(Key(first, second));
  if (recent != recent_.end()) list.recent = recent->second.postings;
  return list;
}

void GramIndex::ForEachStartingWith(
    char32_t first, absl::FunctionRef<void(const List&)> visit) const {
  auto [begin, end] = FrozenRange(first);
  auto successors = recent_successors_.find(first);
  std::vector<char32_t> recent_only;
  if (successors != recent_successors_.end()) {
    for (char32_t second : successors->second) {
      if (!std::binary_search(second_.begin() + begin, second_.begin() + end,
                              second)) {
        recent_only.push_back(second);
      }
    }
  }
  for (uint32_t i = begin; i < end; ++i) {
    List list;
    list.frozen = FrozenList(i);
    auto recent = recent_.find(Key(first, second_[i]));
    if (recent != recent_.end()) list.recent = recent->second.postings;
    visit(list);
  }
  for (char32_t second : recent_only) {
    List list;
    list.recent = recent_.find(Key(first, second))->second.postings;
    visit(list);
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
  std::string merged;
  auto emit = [&](uint64_t key, std::string_view frozen,
                  std::string_view recent) {
    merged.clear();
    uint32_t last = 0;
    for (std::string_view part : {frozen, recent}) {
      for (PostingReader r(part); r.Next();) {
        const uint32_t segment = remap[r.segment()];
        if (segment != kDropped) {
          AppendPosting(segment, r.count(), &last, &merged);
        }
      }
    }
    if (merged.empty()) return;
    const char32_t first = static_cast<char32_t>(key >> 21);
    if (out.first_.empty() || out.first_.back() != first) {
      out.first_.push_back(first);
      out.first_begin_.push_back(static_cast<uint32_t>(out.second_.size()));
    }
    out.second_.push_back(static_cast<char32_t>(key & kEnd));
    out.offsets_.push_back(static_cast<uint32_t>(out.frozen_.size()));
    out.frozen_.append(merged);
  };
  size_t r = 0;
  for (size_t k = 0; k < first_.size(); ++k) {
    for (uint32_t i = first_begin_[k]; i < first_begin_[k + 1]; ++i) {
      const uint64_t key = Key(first_[k], second_[i]);
      for (; r < recent_keys.size() && recent_keys[r] < key; ++r) {
        emit(recent_keys[r], {}, recent_.find(recent_keys[r])->second.postings);
      }
      std::string_view recent;
      if (r < recent_keys.size() && recent_keys[r] == key) {
        recent = recent_.find(key)->second.postings;
        ++r;
      }
      emit(key, FrozenList(i), recent);
    }
  }
  for (; r < recent_keys.size(); ++r) {
    emit(recent_keys[r], {}, recent_.find(recent_keys[r])->second.postings);
  }
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
    if (list.postings.capacity() > 15) bytes += list.postings.capacity();
  }
  bytes += recent_successors_.capacity() *
           (sizeof(char32_t) + sizeof(std::vector<char32_t>) + 1);
  for (const auto& [first, seconds] : recent_successors_) {
    bytes += seconds.capacity() * sizeof(char32_t);
  }
  return bytes;
}

}  // namespace bulletin
