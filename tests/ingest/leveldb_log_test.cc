#include "ingest-service/log/leveldb_log.h"

#include <signal.h>
#include <sys/resource.h>

#include <fstream>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::RetractionRecord;
using testing::UpsertRecord;

std::unique_ptr<LevelDbLog> OpenOrDie(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log = LevelDbLog::Open(dir);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

TEST(LevelDbLogTest, NewLogIsEmpty) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path() + "/log");
  EXPECT_EQ(log->head_seq(), 0u);
  auto records = log->Read(0, 10);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

TEST(LevelDbLogTest, AppendsAndReadsInOrder) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_TRUE(
      log->Append({UpsertRecord(1, "a", "d1"), UpsertRecord(2, "b", "d2")})
          .ok());
  ASSERT_TRUE(log->Append({RetractionRecord(3, "a")}).ok());
  EXPECT_EQ(log->head_seq(), 3u);
  auto all = log->Read(0, 100);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].upsert().id(), "a");
  EXPECT_EQ((*all)[1].seq(), 2u);
  EXPECT_EQ((*all)[2].retraction().id(), "a");
  auto tail = log->Read(1, 1);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].seq(), 2u);
}

TEST(LevelDbLogTest, RejectsOutOfOrderAppendAndWritesNothing) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  absl::Status status =
      log->Append({UpsertRecord(1, "a", "d"), UpsertRecord(3, "b", "d")});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->head_seq(), 0u);
  EXPECT_EQ(log->Append({UpsertRecord(2, "a", "d")}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(LevelDbLogTest, ReadBeyondHeadIsOutOfRange) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  ASSERT_TRUE(log->Append({UpsertRecord(1, "a", "d")}).ok());
  EXPECT_EQ(log->Read(2, 10).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(LevelDbLogTest, ReopenKeepsEveryRecordAndTheHead) {
  testing::TempDir dir;
  {
    auto log = OpenOrDie(dir.path());
    for (uint64_t seq = 1; seq <= 50; ++seq) {
      ASSERT_TRUE(
          log->Append({UpsertRecord(seq, "id" + std::to_string(seq), "d")})
              .ok());
    }
  }
  auto log = OpenOrDie(dir.path());
  EXPECT_EQ(log->head_seq(), 50u);
  auto all = log->Read(0, 1000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 50u);
  EXPECT_EQ(all->back().upsert().id(), "id50");
  ASSERT_TRUE(log->Append({UpsertRecord(51, "next", "d")}).ok());
}

TEST(LevelDbLogTest, SecondOpenOfSameDirectoryFails) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  absl::StatusOr<std::unique_ptr<LevelDbLog>> second =
      LevelDbLog::Open(dir.path());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(LevelDbLogTest, RefusesADirectoryThatIsNotADirectory) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/file";
  std::ofstream(file) << "x";
  EXPECT_FALSE(LevelDbLog::Open(file + "/log").ok());
}

TEST(LevelDbLogTest, WaitForHeadAboveWakesOnAppend) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(log->Append({UpsertRecord(1, "a", "d")}).ok());
  });
  EXPECT_EQ(log->WaitForHeadAbove(0, absl::InfiniteFuture()), 1u);
  writer.join();
}

TEST(LevelDbLogTest, WaitForHeadAboveReturnsAtDeadline) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  EXPECT_EQ(log->WaitForHeadAbove(0, absl::Now() + absl::Milliseconds(20)), 0u);
}

TEST(LevelDbLogTest, CloseWakesWaitersAndRefusesAppends) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    log->Close();
  });
  EXPECT_EQ(log->WaitForHeadAbove(0, absl::InfiniteFuture()), 0u);
  closer.join();
  EXPECT_TRUE(log->closed());
  EXPECT_EQ(log->Append({UpsertRecord(1, "a", "d")}).code(),
            absl::StatusCode::kUnavailable);
}

// Caps the size of any file this process writes, as a full disk would, for
// the scope of the object.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, SIG_IGN);  // Make the write fail with EFBIG instead.
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_;
};

TEST(LevelDbLogTest, AFailedWriteStopsAppendsUntilReopenedAndLosesNothing) {
  testing::TempDir dir;
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_TRUE(log->Append({UpsertRecord(1, "kept", "d")}).ok());
    v1::LogRecord big = UpsertRecord(2, "too-big", "d");
    big.mutable_upsert()->set_lead(std::string(1 << 20, 'x'));
    {
      FileSizeLimit limit(256 << 10);
      absl::Status failed = log->Append({big});
      EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
      EXPECT_NE(failed.message().find("restarts"), absl::string_view::npos);
    }
    // Space is back, but the log stays stopped: the failed batch's fate is
    // unknown until recovery.
    EXPECT_EQ(log->Append({UpsertRecord(2, "after", "d")}).code(),
              absl::StatusCode::kUnavailable);
    EXPECT_EQ(log->head_seq(), 1u);
  }
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  auto records = log->Read(0, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_FALSE(records->empty());
  EXPECT_EQ((*records)[0].upsert().id(), "kept");
  // The torn batch is either wholly there or wholly gone.
  for (const v1::LogRecord& record : *records) {
    if (record.upsert().id() == "too-big") {
      EXPECT_EQ(record.upsert().lead().size(), size_t{1} << 20);
    }
  }
  EXPECT_TRUE(
      log->Append({UpsertRecord(log->head_seq() + 1, "next", "d")}).ok());
}

}  // namespace
}  // namespace bulletin
