#include "query-service/watch_hub.h"

#include "common/sync/mutex.h"
#include "gtest/gtest.h"
#include "query-service/index/bulletin_index.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using testing::RetractionRecord;
using testing::UpsertRecord;

TEST(WatchHubTest, EveryWatcherGetsEveryChangeInOrder) {
  WatchHub hub;
  auto first = hub.Add();
  auto second = hub.Add();
  hub.Publish(UpsertRecord(1, "a", "v"));
  hub.Publish(RetractionRecord(2, "a"));
  hub.Publish(UpsertRecord(3, "b", "v"));
  for (auto& watcher : {first, second}) {
    auto a = watcher->TryNext();
    ASSERT_TRUE(a.ok());
    EXPECT_EQ((*a)->seq, 1u);
    EXPECT_EQ((*a)->id, "a");
    ASSERT_NE((*a)->current, nullptr);
    EXPECT_EQ((*a)->current->seq(), 1u);
    auto retracted = watcher->TryNext();
    ASSERT_TRUE(retracted.ok());
    EXPECT_EQ((*retracted)->seq, 2u);
    EXPECT_EQ((*retracted)->id, "a");
    EXPECT_EQ((*retracted)->current, nullptr);
    auto b = watcher->TryNext();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ((*b)->id, "b");
    auto none = watcher->TryNext();
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, nullptr);
  }
}

// The version a change replaced comes with it, read from the index, so
// that a stream can tell that a bulletin left its results.
TEST(WatchHubTest, AChangeCarriesTheVersionItReplaced) {
  BulletinIndex index;
  WatchHub hub;
  auto watcher = hub.Add();
  for (const v1::LogRecord& record :
       {UpsertRecord(1, "a", "v1"), UpsertRecord(2, "a", "v2"),
        RetractionRecord(3, "a")}) {
    std::shared_ptr<const StoredRecord> replaced;
    index.Apply(record, &replaced);
    hub.Publish(record, replaced);
  }
  auto first = watcher->TryNext();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->previous, nullptr);
  auto second = watcher->TryNext();
  ASSERT_TRUE(second.ok());
  ASSERT_NE((*second)->previous, nullptr);
  EXPECT_EQ((*second)->previous->seq(), 1u);
  auto retraction = watcher->TryNext();
  ASSERT_TRUE(retraction.ok());
  EXPECT_EQ((*retraction)->current, nullptr);
  ASSERT_NE((*retraction)->previous, nullptr);
  EXPECT_EQ((*retraction)->previous->seq(), 2u);
}

TEST(WatchHubTest, AWatcherThatFallsBehindIsDroppedAlone) {
  WatchHub::Options options;
  options.max_queue = 2;
  WatchHub hub(options);
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

TEST(WatchHubTest, TheListenerHearsOfEachChangeTickAndTheEnd) {
  WatchHub hub;
  auto watcher = hub.Add();
  int heard = 0;
  watcher->SetListener([&heard] { ++heard; });
  hub.Publish(UpsertRecord(1, "a", "v"));
  hub.Publish(RetractionRecord(2, "a"));
  EXPECT_EQ(heard, 2);
  hub.Tick();
  EXPECT_EQ(heard, 3);
  hub.Shutdown();
  EXPECT_EQ(heard, 4);
  watcher->SetListener(nullptr);
  hub.Publish(UpsertRecord(3, "b", "v"));
  EXPECT_EQ(heard, 4);
}

TEST(WatchHubTest, ATickMarksOneBookmarkDue) {
  WatchHub hub;
  auto watcher = hub.Add();
  EXPECT_FALSE(watcher->TakeBookmarkDue());
  hub.Tick();
  hub.Tick();
  EXPECT_TRUE(watcher->TakeBookmarkDue());
  EXPECT_FALSE(watcher->TakeBookmarkDue());
}

// With an interval, the hub's own thread ticks: a watcher that waits sees
// a bookmark due without anyone calling Tick.
TEST(WatchHubTest, TheTimerTicksEveryInterval) {
  WatchHub::Options options;
  options.bookmark_interval = absl::Milliseconds(10);
  WatchHub hub(options);
  auto watcher = hub.Add();
  Mutex mutex;
  CondVar ticked;
  bool heard = false;
  watcher->SetListener([&] {
    MutexLock lock(&mutex);
    heard = true;
    ticked.SignalAll();
  });
  {
    MutexLock lock(&mutex);
    ticked.Wait(&mutex,
                [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex) { return heard; });
  }
  EXPECT_TRUE(watcher->TakeBookmarkDue());
  watcher->SetListener(nullptr);
  hub.Shutdown();  // Stops the timer.
}

}  // namespace
}  // namespace bulletin
