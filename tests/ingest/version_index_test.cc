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
  auto log = LevelDbLog::Open(dir.path());
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(
      (*log)
          ->Append({UpsertRecord(1, "a", "v1"), UpsertRecord(2, "b", "v1"),
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

TEST(VersionIndexTest, RetractionOfUnknownIdIsIgnored) {
  VersionIndex index;
  index.Apply(RetractionRecord(1, "nope"));
  EXPECT_EQ(index.Find("nope"), nullptr);
  EXPECT_EQ(index.live_count(), 0);
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
