#include "query-service/watch_hub.h"

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
    auto a = watcher->TryNext();
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->id(), "a");
    auto b = watcher->TryNext();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ((*b)->id(), "b");
    auto none = watcher->TryNext();
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, nullptr);
  }
}

TEST(WatchHubTest, AWatcherThatFallsBehindIsDroppedAlone) {
  WatchHub hub(/*max_queue=*/2);
  auto slow = hub.Add();
  auto fast = hub.Add();
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    hub.Publish(UpsertRecord(seq, "id", "v"));
    if (seq < 3) {
      ASSERT_TRUE(fast->TryNext().ok());
    }
  }
  EXPECT_TRUE(absl::IsResourceExhausted(slow->TryNext().status()));
  EXPECT_TRUE(fast->TryNext().ok());
}

TEST(WatchHubTest, RemovedWatchersGetNothingAndShutdownEndsTheRest) {
  WatchHub hub;
  auto removed = hub.Add();
  auto kept = hub.Add();
  hub.Remove(removed);
  EXPECT_EQ(hub.watcher_count(), 1u);
  hub.Publish(UpsertRecord(1, "a", "v"));
  auto nothing = removed->TryNext();
  ASSERT_TRUE(nothing.ok());
  EXPECT_EQ(*nothing, nullptr);
  ASSERT_TRUE(kept->TryNext().ok());
  hub.Shutdown();
  EXPECT_TRUE(absl::IsCancelled(kept->TryNext().status()));
  EXPECT_EQ(hub.Add(), nullptr);
}

TEST(WatchHubTest, TheListenerHearsOfEachBulletinAndTheEnd) {
  WatchHub hub;
  auto watcher = hub.Add();
  int heard = 0;
  watcher->SetListener([&heard] { ++heard; });
  hub.Publish(UpsertRecord(1, "a", "v"));
  hub.Publish(RetractionRecord(2, "a"));  // Not streamed, not heard of.
  EXPECT_EQ(heard, 1);
  hub.Shutdown();
  EXPECT_EQ(heard, 2);
  watcher->SetListener(nullptr);
  hub.Publish(UpsertRecord(3, "b", "v"));
  EXPECT_EQ(heard, 2);
}

}  // namespace
}  // namespace bulletin
