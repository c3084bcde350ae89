#include "query-service/index/query/hit_text_cache.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "query-service/index/store/record_compressor.h"
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

using testing::MakeBulletin;

std::vector<std::string> TextsOf(const HitText& text) {
  std::vector<std::string> texts;
  for (const TextSegment& s : text.text.segments()) texts.emplace_back(s.text);
  return texts;
}

std::vector<std::string> FoldsOf(const HitText& text) {
  return std::vector<std::string>(text.folded.folded.begin(),
                                  text.folded.folded.end());
}

std::shared_ptr<const HitText> Got(
    HitTextCache& cache, const std::shared_ptr<const StoredRecord>& record) {
  absl::StatusOr<std::shared_ptr<const HitText>> text =
      cache.Get(record, ~uint64_t{0});
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? *text : nullptr;
}

class HitTextCacheTest : public ::testing::Test {
 protected:
  std::shared_ptr<const StoredRecord> Store(const std::string& id,
                                            const std::string& headline) {
    return compressor_.Store(MakeBulletin(id, headline, "本報訊 ＡＢＣ會議召開",
                                          {"县科协开展活动。"}));
  }
  // The bytes one entry of Store's records takes, as the cache counts.
  size_t EntryBytes() {
    HitTextCache cache(1 << 20);
    Got(cache, Store("x", "标题"));
    return cache.usage().bytes;
  }

  RecordCompressor compressor_;
};

TEST_F(HitTextCacheTest, GivesWhatDecodingAndFoldingGive) {
  HitTextCache cache(1 << 20);
  const auto record = Store("a", "全市會議");
  absl::StatusOr<std::shared_ptr<const HitText>> made =
      MakeHitText(*record, ~uint64_t{0});
  ASSERT_TRUE(made.ok()) << made.status();
  for (int i = 0; i < 2; ++i) {
    std::shared_ptr<const HitText> got = Got(cache, record);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(TextsOf(*got), TextsOf(**made));
    EXPECT_EQ(FoldsOf(*got), FoldsOf(**made));
    EXPECT_EQ(FoldsOf(*got)[0], "全市会议");
  }
  const HitTextCache::Usage usage = cache.usage();
  EXPECT_EQ(usage.entries, 1u);
  EXPECT_EQ(usage.hits, 1);
  EXPECT_EQ(usage.misses, 1);
}

TEST_F(HitTextCacheTest, ASecondGetSharesTheFirstsText) {
  HitTextCache cache(1 << 20);
  const auto record = Store("a", "标题");
  EXPECT_EQ(Got(cache, record), Got(cache, record));
}

TEST_F(HitTextCacheTest, ACorrectionIsANewRecordWithItsOwnText) {
  HitTextCache cache(1 << 20);
  const auto before = Store("a", "旧标题");
  ASSERT_EQ(TextsOf(*Got(cache, before))[0], "旧标题");
  // The index replaces a corrected bulletin's record with a new one.
  const auto after = Store("a", "新标题");
  EXPECT_EQ(TextsOf(*Got(cache, after))[0], "新标题");
  EXPECT_EQ(cache.usage().misses, 2);
}

TEST_F(HitTextCacheTest, EraseForgetsOneRecordsText) {
  HitTextCache cache(1 << 20);
  const auto kept = Store("a", "留下");
  const auto erased = Store("b", "撤回");
  Got(cache, kept);
  Got(cache, erased);
  cache.Erase(erased.get());
  EXPECT_EQ(cache.usage().entries, 1u);
  EXPECT_EQ(erased.use_count(), 1) << "the cache still holds the record";
  cache.Erase(erased.get());  // Not there: nothing happens.
  Got(cache, kept);
  Got(cache, erased);
  EXPECT_EQ(cache.usage().hits, 1);
  EXPECT_EQ(cache.usage().misses, 3);
}

TEST_F(HitTextCacheTest, AnEntryKeepsItsRecordSoItsAddressIsNotReused) {
  HitTextCache cache(1 << 20);
  auto record = Store("a", "标题");
  const std::weak_ptr<const StoredRecord> watched = record;
  Got(cache, record);
  // Retracted or replaced: the index drops its reference.
  record.reset();
  EXPECT_FALSE(watched.expired());
  cache.Clear();
  EXPECT_TRUE(watched.expired());
  EXPECT_EQ(cache.usage().entries, 0u);
  EXPECT_EQ(cache.usage().bytes, 0u);
}

TEST_F(HitTextCacheTest, KeepsWithinItsCapacity) {
  const size_t entry = EntryBytes();
  // Room for three entries a shard.
  const size_t capacity = 16 * (3 * entry + entry / 2);
  HitTextCache cache(capacity);
  std::vector<std::shared_ptr<const StoredRecord>> records;
  for (int i = 0; i < 200; ++i) {
    records.push_back(Store("id" + std::to_string(i), "标题"));
    Got(cache, records.back());
  }
  const HitTextCache::Usage full = cache.usage();
  EXPECT_EQ(full.misses, 200);
  EXPECT_LE(full.bytes, capacity);
  EXPECT_LE(full.entries, 16u * 3);
  // The last one is the most recent of its shard: kept.
  Got(cache, records.back());
  EXPECT_EQ(cache.usage().hits, 1);
}

TEST_F(HitTextCacheTest, AHitMakesAnEntryTheMostRecent) {
  const size_t entry = EntryBytes();
  // Room for two entries a shard (the capacity is split evenly).
  HitTextCache cache(16 * (2 * entry + entry / 2));
  // Three records of one shard, found by trying records until three land
  // where the first did.
  std::vector<std::shared_ptr<const StoredRecord>> same_shard;
  std::vector<std::shared_ptr<const StoredRecord>> kept;
  for (int i = 0; same_shard.size() < 3 && i < 1000; ++i) {
    auto record = Store("r" + std::to_string(i), "标题");
    kept.push_back(record);
    if (same_shard.empty()) {
      same_shard.push_back(record);
      continue;
    }
    // Two records share a shard when, alone in a cache with room for one
    // entry a shard, the second evicts the first.
    HitTextCache probe(16 * (entry + entry / 2));
    Got(probe, same_shard[0]);
    Got(probe, record);
    Got(probe, same_shard[0]);
    if (probe.usage().hits == 0) same_shard.push_back(record);
  }
  ASSERT_EQ(same_shard.size(), 3u);
  Got(cache, same_shard[0]);
  Got(cache, same_shard[1]);
  Got(cache, same_shard[0]);  // now the more recent of the two
  Got(cache, same_shard[2]);  // evicts same_shard[1]
  EXPECT_EQ(cache.usage().hits, 1);
  Got(cache, same_shard[0]);
  EXPECT_EQ(cache.usage().hits, 2);
  Got(cache, same_shard[1]);
  EXPECT_EQ(cache.usage().hits, 2);
}

TEST_F(HitTextCacheTest, NoCapacityKeepsNothing) {
  HitTextCache cache(0);
  const auto record = Store("a", "标题");
  EXPECT_EQ(TextsOf(*Got(cache, record))[0], "标题");
  EXPECT_EQ(TextsOf(*Got(cache, record))[0], "标题");
  EXPECT_EQ(cache.usage().entries, 0u);
  EXPECT_EQ(cache.usage().hits, 0);
}

TEST_F(HitTextCacheTest, ASmallerCapacityDropsEntriesAtOnce) {
  HitTextCache cache(1 << 20);
  for (int i = 0; i < 50; ++i)
    Got(cache, Store("id" + std::to_string(i), "题"));
  EXPECT_EQ(cache.usage().entries, 50u);
  cache.SetCapacity(0);
  EXPECT_EQ(cache.usage().entries, 0u);
  EXPECT_EQ(cache.usage().bytes, 0u);
}

// Searches share the cache (run under ThreadSanitizer too): threads that
// get, evict and make entries at once each see every record's own text.
TEST_F(HitTextCacheTest, ThreadsShareItWhileItEvicts) {
  std::vector<std::shared_ptr<const StoredRecord>> records;
  for (int i = 0; i < 64; ++i) {
    records.push_back(
        Store("id" + std::to_string(i), "标题" + std::to_string(i)));
  }
  const size_t entry = EntryBytes();
  HitTextCache cache(16 * entry);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int r = (i * 7 + t * 13) % 64;
        std::shared_ptr<const HitText> text = Got(cache, records[r]);
        if (text == nullptr ||
            TextsOf(*text)[0] != "标题" + std::to_string(r)) {
          ++wrong;
        }
        if (i % 500 == 0) cache.SetCapacity((i / 500 % 2 + 1) * 8 * entry);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.usage().hits + cache.usage().misses, 4 * 2000);
}

}  // namespace
}  // namespace bulletin
