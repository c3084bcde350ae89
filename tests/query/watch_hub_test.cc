#include "query-service/watch_hub.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using testing::RetractionRecord;
using testing::UpsertRecord;

TEST(WatchHubTest, EveryWatcherGetsEveryUpsertInOrder) {
  WatchHub hub;
  auto first = hub.Add();
  auto second = hub.Add();
  hub.Publish(UpsertRecord(1, "a", "v"));
  hub.Publish(RetractionRecord(2, "a"));  // Not streamed.
  hub.Publish(UpsertRecord(3, "b", "v"));
  for (auto& watcher : {first, second}) {
    auto a = watcher->Next(absl::InfiniteFuture());
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->id(), "a");
    auto b = watcher->Next(absl::InfiniteFuture());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ((*b)->id(), "b");
    EXPECT_TRUE(absl::IsDeadlineExceeded(
        watcher->Next(absl::Now() + absl::Milliseconds(10)).status()));
  }
}

TEST(WatchHubTest, AWatcherThatFallsBehindIsDroppedAlone) {
  WatchHub hub(/*max_queue=*/2);
  auto slow = hub.Add();
  auto fast = hub.Add();
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    hub.Publish(UpsertRecord(seq, "id", "v"));
    if (seq < 3) {
      ASSERT_TRUE(fast->Next(absl::InfiniteFuture()).ok());
    }
  }
  EXPECT_TRUE(
      absl::IsResourceExhausted(slow->Next(absl::InfiniteFuture()).status()));
  EXPECT_TRUE(fast->Next(absl::InfiniteFuture()).ok());
}

TEST(WatchHubTest, RemovedWatchersGetNothingAndShutdownEndsTheRest) {
  WatchHub hub;
  auto removed = hub.Add();
  auto kept = hub.Add();
  hub.Remove(removed);
  EXPECT_EQ(hub.watcher_count(), 1u);
  hub.Publish(UpsertRecord(1, "a", "v"));
  EXPECT_TRUE(absl::IsDeadlineExceeded(
      removed->Next(absl::Now() + absl::Milliseconds(10)).status()));
  ASSERT_TRUE(kept->Next(absl::InfiniteFuture()).ok());
  hub.Shutdown();
  EXPECT_TRUE(absl::IsCancelled(kept->Next(absl::InfiniteFuture()).status()));
  EXPECT_EQ(hub.Add(), nullptr);
}

}  // namespace
}  // namespace bulletin
