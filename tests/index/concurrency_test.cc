// One applier and many readers at once (run under ThreadSanitizer too:
// -DBULLETIN_SANITIZE=thread). Readers check that every correction is seen
// whole: each version of a bulletin has the same word in its headline and
// its lead, so a search for one version's word never finds the other's
// lead, and the hit count never drops while bulletins are only replaced.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "query-service/index/bulletin_index.h"
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

TEST(ConcurrencyTest, ReadersSeeEachCorrectionWhole) {
  BulletinIndex index;
  constexpr int kBulletins = 40;
  uint64_t seq = 0;
  for (int i = 0; i < kBulletins; ++i) {
    index.Apply(testing::Upsert(
        ++seq, testing::MakeBulletin("d" + std::to_string(i), "甲版 标题",
                                     "甲版 导语", {"会议"})));
  }
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        v1::SearchRequest request;
        request.set_query("会议");
        request.set_limit(1000);
        request.add_facets("date");
        absl::StatusOr<v1::SearchResponse> all = index.Search(request);
        if (!all.ok() || all->total_hits() != kBulletins) ++failures;
        // "甲版" and "乙版" are never in one version together.
        request.set_query("甲版 乙版");
        absl::StatusOr<v1::SearchResponse> mixed = index.Search(request);
        if (!mixed.ok() || mixed->total_hits() != 0) ++failures;
        (void)index.Stats();
        (void)index.Get("d0");
      }
    });
  }
  for (int round = 0; round < 300; ++round) {
    const std::string word = round % 2 ? "甲版" : "乙版";
    const std::string id = "d" + std::to_string(round % kBulletins);
    index.Apply(testing::Upsert(
        ++seq,
        testing::MakeBulletin(id, word + " 标题", word + " 导语", {"会议"})));
    if (round % 97 == 0) index.Compact();
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(index.applied_seq(), seq);
}

}  // namespace
}  // namespace bulletin
