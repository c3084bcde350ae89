#include "query-service/index/query/hit_text_cache.h"

#include <functional>
#include <string>
#include <utility>

namespace bulletin {
namespace {

// What an entry holds: its text, its folds, the views of both, and the
// bookkeeping around them, so that the capacity bounds the memory.
size_t BytesOf(const HitText& text) {
  size_t bytes = sizeof(HitText) + 64;  // with the list node and map slot
  for (const TextSegment& segment : text.text.segments()) {
    bytes += segment.text.size() + 2 * sizeof(TextSegment) +
             sizeof(std::string_view);
  }
  for (const std::string& fold : text.folded.owned) {
    bytes += sizeof(std::string) + fold.capacity();
  }
  return bytes;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const HitText>> MakeHitText(
    const StoredRecord& record, uint64_t segments_to_fold) {
  absl::StatusOr<RecordText> decoded = record.Text();
  if (!decoded.ok()) return decoded.status();
  auto text = std::make_shared<HitText>(*std::move(decoded));
  text->folded = FoldDocument(text->text.segments(), segments_to_fold);
  return text;
}

HitTextCache::HitTextCache(size_t capacity_bytes)
    : shard_capacity_(capacity_bytes / kShards) {}

HitTextCache::Shard& HitTextCache::ShardOf(const StoredRecord* record) {
  // Records are heap objects, aligned: the low bits say nothing.
  return shards_[(std::hash<const StoredRecord*>()(record) >> 6) % kShards];
}

absl::StatusOr<std::shared_ptr<const HitText>> HitTextCache::Get(
    const std::shared_ptr<const StoredRecord>& record,
    uint64_t segments_to_fold) {
  Shard& shard = ShardOf(record.get());
  {
    MutexLock lock(&shard.mu);
    auto found = shard.by_record.find(record.get());
    if (found != shard.by_record.end()) {
      ++shard.hits;
      shard.entries.splice(shard.entries.begin(), shard.entries, found->second);
      return found->second->text;
    }
    ++shard.misses;
  }
  // Made outside the lock: two searches missing the same record at once
  // both decode it, and the second keeps its own copy out.
  absl::StatusOr<std::shared_ptr<const HitText>> made =
      MakeHitText(*record, segments_to_fold);
  if (!made.ok()) return made.status();
  const size_t bytes = BytesOf(**made);
  const size_t capacity = shard_capacity_.load(std::memory_order_relaxed);
  if (bytes > capacity) return made;
  MutexLock lock(&shard.mu);
  if (shard.by_record.contains(record.get())) return made;
  shard.entries.push_front(Entry{record, *made, bytes});
  shard.by_record[record.get()] = shard.entries.begin();
  shard.bytes += bytes;
  Trim(shard, capacity);
  return made;
}

void HitTextCache::Trim(Shard& shard, size_t capacity) {
  while (shard.bytes > capacity) {
    const Entry& oldest = shard.entries.back();
    shard.bytes -= oldest.bytes;
    shard.by_record.erase(oldest.record.get());
    shard.entries.pop_back();
  }
}

void HitTextCache::SetCapacity(size_t capacity_bytes) {
  shard_capacity_.store(capacity_bytes / kShards, std::memory_order_relaxed);
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    Trim(shard, capacity_bytes / kShards);
  }
}

void HitTextCache::Erase(const StoredRecord* record) {
  Shard& shard = ShardOf(record);
  MutexLock lock(&shard.mu);
  const auto found = shard.by_record.find(record);
  if (found == shard.by_record.end()) return;
  shard.bytes -= found->second->bytes;
  shard.entries.erase(found->second);
  shard.by_record.erase(found);
}

void HitTextCache::Clear() {
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    Trim(shard, 0);
  }
}

HitTextCache::Usage HitTextCache::usage() const {
  Usage usage;
  for (const Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    usage.entries += shard.entries.size();
    usage.bytes += shard.bytes;
    usage.hits += shard.hits;
    usage.misses += shard.misses;
  }
  return usage;
}

}  // namespace bulletin
