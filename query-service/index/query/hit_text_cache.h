// The text of the records that search pages show most, kept decoded and
// folded, so that showing one of them again costs neither its text frame's
// decoding nor its fold.
//
//   HitTextCache cache(32 << 20);
//   absl::StatusOr<std::shared_ptr<const HitText>> text =
//       cache.Get(meta.record, meta.segments_to_fold);
//   if (!text.ok()) return text.status();
//   DocumentMatch match = MatchDocument(query, (*text)->folded);
//
// Why: a hit's text is a zstd frame (stored_record.h), and decoding it is
// about 5 µs, ten a page: a third of a cheap search's CPU
// (docs/benchmarks.md, "Hit text cache"). Readers ask for the same
// bulletins again (the news of the day, a region's latest), and a decoded
// record is about 3 KB, so a few megabytes spare most decodes.
//
// Entries are keyed by the record itself and hold a reference to it, so a
// record's address cannot be reused while its entry lives: a correction
// (a new record) or a retraction (none) is never answered from the old
// text, which ages out unreferenced. The least recently used entries go
// first once the text held would pass the capacity; the cache is split in
// shards, each with its own lock and its part of the capacity, so that
// concurrent searches seldom wait for one another.
//
// Thread-safety: every method may be called from any thread.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_HIT_TEXT_CACHE_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_HIT_TEXT_CACHE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/sync/mutex.h"
#include "query-service/index/query/document_match.h"
#include "query-service/index/store/stored_record.h"

namespace bulletin {

// A record's text fields decoded, and their fold: what building its hit
// reads.
struct HitText {
  explicit HitText(RecordText decoded) : text(std::move(decoded)) {}
  HitText(const HitText&) = delete;
  HitText& operator=(const HitText&) = delete;

  // Owns the bytes that `folded` views.
  RecordText text;
  FoldedDocument folded;
};

// The decoded and folded text of `record`, made now: FoldDocument of its
// segments with `segments_to_fold` (DocumentMeta::segments_to_fold).
// DATA_LOSS as StoredRecord::Text.
absl::StatusOr<std::shared_ptr<const HitText>> MakeHitText(
    const StoredRecord& record, uint64_t segments_to_fold);

class HitTextCache {
 public:
  // Keeps at most about `capacity_bytes` of text (decoded and folded); 0
  // keeps nothing.
  explicit HitTextCache(size_t capacity_bytes);
  HitTextCache(const HitTextCache&) = delete;
  HitTextCache& operator=(const HitTextCache&) = delete;

  // MakeHitText(*record, segments_to_fold), from the cache when `record`
  // is in it, else made and kept. `segments_to_fold` must be the same at
  // every call for a record (it is a function of the record's text).
  absl::StatusOr<std::shared_ptr<const HitText>> Get(
      const std::shared_ptr<const StoredRecord>& record,
      uint64_t segments_to_fold);

  // Keeps at most about `capacity_bytes` from now on, dropping the least
  // recently used entries beyond it.
  void SetCapacity(size_t capacity_bytes);

  // Forgets `record`'s entry, if it has one. The index calls it when a
  // bulletin is corrected or retracted, so that its old text leaves memory
  // then (a takedown) rather than when it ages out.
  void Erase(const StoredRecord* record);

  // Forgets every entry (and the references to their records).
  void Clear();

  // What the cache holds now, and how many Gets it answered and did not.
  struct Usage {
    size_t entries = 0;
    size_t bytes = 0;
    int64_t hits = 0;
    int64_t misses = 0;
  };
  Usage usage() const;

 private:
  struct Entry {
    std::shared_ptr<const StoredRecord> record;
    std::shared_ptr<const HitText> text;
    size_t bytes = 0;
  };
  struct Shard {
    mutable Mutex mu;
    // Most recently used first.
    std::list<Entry> entries ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<const StoredRecord*, std::list<Entry>::iterator>
        by_record ABSL_GUARDED_BY(mu);
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
    int64_t hits ABSL_GUARDED_BY(mu) = 0;
    int64_t misses ABSL_GUARDED_BY(mu) = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(const StoredRecord* record);
  // Drops the least recently used entries until the shard holds at most
  // `capacity` bytes.
  static void Trim(Shard& shard, size_t capacity)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  std::atomic<size_t> shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_HIT_TEXT_CACHE_H_
