// The snapshots of a replica's --snapshot_dir: the newest valid one is
// loaded, damaged ones are skipped with a warning that names them, and only
// the newest two are kept.

#include "query-service/snapshot/snapshot_directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "query-service/index/bulletin_index.h"
#include "tests/index/test_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

const LogIdentity kLog{"log-a", 7};

// An index holding bulletins b1 .. bN at seqs 1 .. N.
void Grow(BulletinIndex* index, int n) {
  for (int i = static_cast<int>(index->applied_seq()) + 1; i <= n; ++i) {
    index->Apply(testing::Upsert(
        static_cast<uint64_t>(i),
        testing::MakeBulletin("b" + std::to_string(i), "标题", "导语")));
  }
  index->SetLogIdentity(kLog);
}

// Flips a bit in the last block's compressed bytes, just before the
// 20-byte trailer.
void DamageLastBlock(const std::string& path) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(0, std::ios::end);
  const std::streamoff at = static_cast<std::streamoff>(file.tellg()) - 21;
  file.seekg(at);
  char c = 0;
  file.get(c);
  file.seekp(at);
  file.put(static_cast<char>(c ^ 0x10));
}

TEST(SnapshotDirectoryTest, NothingToLoadInANewDirectory) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path() + "/snapshots");
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  EXPECT_EQ(snapshots.LoadNewest(&index).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(index.applied_seq(), 0u);
}

TEST(SnapshotDirectoryTest, LoadsTheNewestAndKeepsTwo) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  std::vector<std::string> written;
  for (int n : {3, 5, 8}) {
    Grow(&index, n);
    absl::StatusOr<WrittenSnapshot> snapshot =
        snapshots.Write(index.TakeCheckpoint());
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    EXPECT_EQ(snapshot->summary.applied_seq, static_cast<uint64_t>(n));
    written.push_back(snapshot->path);
  }
  absl::StatusOr<std::vector<std::string>> kept = snapshots.List();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, (std::vector<std::string>{written[2], written[1]}));

  BulletinIndex loaded;
  absl::StatusOr<WrittenSnapshot> newest = snapshots.LoadNewest(&loaded);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ(newest->path, written[2]);
  EXPECT_EQ(loaded.applied_seq(), 8u);
  EXPECT_EQ(loaded.log_identity(), kLog);
  EXPECT_EQ(loaded.Stats().bulletin_count(), 8);
}

// The newest is the one written last, not the one with the highest seq: a
// replica that rebuilt from a new log starts again from small seqs.
TEST(SnapshotDirectoryTest, NewestIsTheLastWrittenEvenAtALowerSeq) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex old_log;
  Grow(&old_log, 9);
  ASSERT_TRUE(snapshots.Write(old_log.TakeCheckpoint()).ok());
  BulletinIndex new_log;
  Grow(&new_log, 2);
  new_log.SetLogIdentity({"log-b", 1});
  ASSERT_TRUE(snapshots.Write(new_log.TakeCheckpoint()).ok());
  BulletinIndex loaded;
  ASSERT_TRUE(snapshots.LoadNewest(&loaded).ok());
  EXPECT_EQ(loaded.applied_seq(), 2u);
  EXPECT_EQ(loaded.log_identity().log_id, "log-b");
}

TEST(SnapshotDirectoryTest, SkipsDamagedSnapshotsWithAWarningNamingThem) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Grow(&index, 4);
  absl::StatusOr<WrittenSnapshot> older =
      snapshots.Write(index.TakeCheckpoint());
  ASSERT_TRUE(older.ok());
  Grow(&index, 6);
  absl::StatusOr<WrittenSnapshot> newer =
      snapshots.Write(index.TakeCheckpoint());
  ASSERT_TRUE(newer.ok());
  DamageLastBlock(newer->path);

  BulletinIndex loaded;
  ::testing::internal::CaptureStderr();
  absl::StatusOr<WrittenSnapshot> chosen = snapshots.LoadNewest(&loaded);
  const std::string warnings = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(chosen.ok()) << chosen.status();
  EXPECT_EQ(chosen->path, older->path);
  EXPECT_EQ(loaded.applied_seq(), 4u);
  EXPECT_EQ(loaded.Stats().bulletin_count(), 4);
  EXPECT_NE(warnings.find("snapshot_skipped"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find(newer->path), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("checksum mismatch"), std::string::npos) << warnings;

  // The next snapshot replaces the damaged one, not the good one.
  Grow(&loaded, 7);
  absl::StatusOr<WrittenSnapshot> next =
      snapshots.Write(loaded.TakeCheckpoint());
  ASSERT_TRUE(next.ok());
  absl::StatusOr<std::vector<std::string>> kept = snapshots.List();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, (std::vector<std::string>{next->path, older->path}));

  // With every snapshot damaged, nothing is loaded.
  DamageLastBlock(next->path);
  DamageLastBlock(older->path);
  BulletinIndex none;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(snapshots.LoadNewest(&none).status().code(),
            absl::StatusCode::kNotFound);
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(none.applied_seq(), 0u);
  EXPECT_EQ(none.Stats().bulletin_count(), 0);
}

// A writer killed mid-write leaves only its temporary file, which is never
// loaded and which the next Open removes.
TEST(SnapshotDirectoryTest, OpenRemovesUnfinishedWrites) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path());
  ASSERT_TRUE(snapshots.Open().ok());
  BulletinIndex index;
  Grow(&index, 2);
  absl::StatusOr<WrittenSnapshot> good =
      snapshots.Write(index.TakeCheckpoint());
  ASSERT_TRUE(good.ok());
  const std::string unfinished =
      dir.path() + "/snapshot-00000000000000000002.snap.tmp";
  std::ofstream(unfinished) << "BLTNSNAP half a snapshot";

  SnapshotDirectory reopened(dir.path());
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(reopened.Open().ok());
  ::testing::internal::GetCapturedStderr();
  EXPECT_NE(access(unfinished.c_str(), F_OK), 0);
  BulletinIndex loaded;
  absl::StatusOr<WrittenSnapshot> chosen = reopened.LoadNewest(&loaded);
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(chosen->path, good->path);
}

TEST(SnapshotDirectoryTest, OpenFailsOnADirectoryItCannotCreate) {
  testing::TempDir dir;
  SnapshotDirectory snapshots(dir.path() + "/missing/parent");
  EXPECT_FALSE(snapshots.Open().ok());
}

}  // namespace
}  // namespace bulletin
