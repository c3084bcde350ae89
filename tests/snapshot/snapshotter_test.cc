// The Snapshotter writes a snapshot only when the index moved, both on its
// own schedule and when asked at shutdown.

#include "query-service/snapshot/snapshotter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "query-service/index/bulletin_index.h"
#include "tests/index/random_corpus.h"
#include "tests/index/test_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

void Add(BulletinIndex* index, uint64_t seq) {
  index->Apply(testing::Upsert(
      seq, testing::MakeBulletin("b" + std::to_string(seq), "标题", "导语")));
}

size_t SnapshotCount(const SnapshotDirectory& snapshots) {
  absl::StatusOr<std::vector<std::string>> paths = snapshots.List();
  return paths.ok() ? paths->size() : 0;
}

TEST(SnapshotterTest, WritesOnlyWhenTheIndexMoved) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path(), /*keep=*/10);
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Snapshotter snapshotter(&index, &snapshots, absl::Hours(1));
  // An empty index needs no snapshot.
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 0u);
  Add(&index, 1);
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 1u);
  EXPECT_EQ(snapshotter.last_seq(), 1u);
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 1u);
  Add(&index, 2);
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 2u);
  EXPECT_EQ(snapshotter.last_seq(), 2u);
}

// The position of the snapshot the index was loaded from needs no new one.
TEST(SnapshotterTest, TheLoadedPositionCountsAsWritten) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Add(&index, 5);
  Snapshotter snapshotter(&index, &snapshots, absl::Hours(1));
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 0u);
}

TEST(SnapshotterTest, WritesPeriodicallyOnItsThread) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Snapshotter snapshotter(&index, &snapshots, absl::Milliseconds(10));
  snapshotter.Start();
  Add(&index, 1);
  Add(&index, 2);
  // The bound only guards against a hang.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (snapshotter.last_seq() != 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  snapshotter.Stop();
  EXPECT_EQ(snapshotter.last_seq(), 2u);
  BulletinIndex loaded;
  absl::StatusOr<WrittenSnapshot> newest = snapshots.LoadNewest(&loaded);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ(loaded.applied_seq(), 2u);
}

// A replica that rebuilt from another log may reach the seq of its last
// snapshot again: a snapshot of the other log is still written.
TEST(SnapshotterTest, TheSameSeqInAnotherLogIsANewPosition) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Snapshotter snapshotter(&index, &snapshots, absl::Hours(1));
  Add(&index, 1);
  index.SetLogIdentity({"log-a", 1});
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 1u);
  BulletinIndex rebuilt;
  Add(&rebuilt, 1);
  rebuilt.SetLogIdentity({"log-b", 1});
  index.ReplaceWith(rebuilt);
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(SnapshotCount(snapshots), 2u);
  BulletinIndex loaded;
  ASSERT_TRUE(snapshots.LoadNewest(&loaded).ok());
  EXPECT_EQ(loaded.log_identity().log_id, "log-b");
}

// A write that fails is counted, and tried again once it can succeed.
TEST(SnapshotterTest, CountsFailedWrites) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/snapshots";
  SnapshotDirectory snapshots(path);
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Snapshotter snapshotter(&index, &snapshots, absl::Hours(1));
  Add(&index, 1);
  ASSERT_EQ(rmdir(path.c_str()), 0);
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("snapshot_failed"),
            std::string::npos);
  EXPECT_EQ(snapshotter.failures(), 1);
  EXPECT_EQ(snapshotter.last_seq(), 0u);
  ASSERT_TRUE(snapshots.Open().ok());
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  EXPECT_EQ(snapshotter.failures(), 1);
  EXPECT_EQ(snapshotter.last_seq(), 1u);
}

// Snapshots taken while the applier goes on (corrections, retractions and
// the freezes they start) each hold the index as it was at their seq; the
// last one, taken once it stopped, holds all of it.
TEST(SnapshotterTest, SnapshotsWhileTheIndexChanges) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Snapshotter snapshotter(&index, &snapshots, absl::Milliseconds(1));
  snapshotter.Start();
  std::mt19937 rng(5);
  for (uint64_t seq = 1; seq <= 3000; ++seq) {
    index.Apply(testing::RandomChange(rng, seq));
  }
  snapshotter.Stop();
  ASSERT_TRUE(snapshotter.SnapshotIfChanged().ok());
  BulletinIndex loaded;
  ASSERT_TRUE(snapshots.LoadNewest(&loaded).ok());
  EXPECT_EQ(loaded.applied_seq(), 3000u);
  EXPECT_EQ(loaded.Stats().bulletin_count(), index.Stats().bulletin_count());
  for (int i = 0; i < 150; ++i) {
    const std::string id = "doc" + std::to_string(i);
    absl::StatusOr<v1::Bulletin> want = index.Get(id);
    absl::StatusOr<v1::Bulletin> got = loaded.Get(id);
    ASSERT_EQ(got.ok(), want.ok()) << id;
    if (want.ok()) {
      EXPECT_EQ(got->SerializeAsString(), want->SerializeAsString()) << id;
    }
  }
}

}  // namespace
}  // namespace bulletin
