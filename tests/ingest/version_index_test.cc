#include "ingest-service/commit/version_index.h"

#include "gtest/gtest.h"
#include "ingest-service/log/leveldb_log.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::RetractionRecord;
using testing::UpsertRecord;

TEST(VersionIndexTest, RebuildFollowsUpsertsCorrectionsAndRetractions) {
  testing::TempDir dir;
  auto log = LevelDbLog::Open(dir.path(), {});
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(
      testing::AppendRecords(
          **log, {UpsertRecord(1, "a", "v1"), UpsertRecord(2, "b", "v1"),
                  UpsertRecord(3, "a", "v2"), RetractionRecord(4, "b")})
          .ok());
  absl::StatusOr<VersionIndex> index = VersionIndex::Rebuild(**log);
  ASSERT_TRUE(index.ok()) << index.status();
  const VersionIndex::Entry* a = index->Find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->digest, "v2");
  EXPECT_EQ(a->seq, 3u);
  EXPECT_TRUE(a->live);
  const VersionIndex::Entry* b = index->Find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->live);
  EXPECT_EQ(b->seq, 4u);
  EXPECT_EQ(index->Find("c"), nullptr);
  EXPECT_EQ(index->live_count(), 1);
}

TEST(VersionIndexTest, RetractionOfUnknownIdIsADeadEntryAtItsSeq) {
  VersionIndex index;
  index.Apply(RetractionRecord(1, "nope"));
  ASSERT_NE(index.Find("nope"), nullptr);
  EXPECT_FALSE(index.Find("nope")->live);
  EXPECT_EQ(index.Find("nope")->seq, 1u);
  EXPECT_EQ(index.live_count(), 0);
}

TEST(VersionIndexTest, OlderOrRepeatedRecordsChangeNothing) {
  VersionIndex index;
  index.Apply(UpsertRecord(5, "a", "v2"));
  index.Apply(UpsertRecord(3, "a", "v1"));
  index.Apply(RetractionRecord(4, "a"));
  index.Apply(UpsertRecord(5, "a", "v2"));
  EXPECT_EQ(index.Find("a")->digest, "v2");
  EXPECT_TRUE(index.Find("a")->live);
  EXPECT_EQ(index.live_count(), 1);
}

TEST(VersionIndexTest, CatchUpReadsOnlyWhatOthersAppendedSince) {
  testing::TempDir dir;
  auto log = LevelDbLog::Open(dir.path(), {});
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(testing::AppendRecords(**log, {UpsertRecord(0, "a", "v1")}).ok());
  absl::StatusOr<VersionIndex> index = VersionIndex::Rebuild(**log);
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->applied_seq(), 1u);
  // Another writer corrects "a" and adds "b".
  ASSERT_TRUE(testing::AppendRecords(**log, {UpsertRecord(0, "a", "v2"),
                                             UpsertRecord(0, "b", "v1")})
                  .ok());
  ASSERT_TRUE(index->CatchUp(**log).ok());
  EXPECT_EQ(index->Find("a")->digest, "v2");
  EXPECT_EQ(index->Find("a")->seq, 2u);
  EXPECT_EQ(index->Find("b")->seq, 3u);
  EXPECT_EQ(index->applied_seq(), 3u);
  EXPECT_EQ(index->live_count(), 2);
}

TEST(VersionIndexTest, ResubmissionAfterRetractionIsLiveAgain) {
  VersionIndex index;
  index.Apply(UpsertRecord(1, "a", "v"));
  index.Apply(RetractionRecord(2, "a"));
  index.Apply(UpsertRecord(3, "a", "v"));
  EXPECT_TRUE(index.Find("a")->live);
  EXPECT_EQ(index.live_count(), 1);
}

}  // namespace
}  // namespace bulletin
