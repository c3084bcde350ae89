#include "ingest-service/log/leveldb_log.h"

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "leveldb/db.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::AppendRecords;
using testing::RetractionRecord;
using testing::UpsertRecord;

std::unique_ptr<LevelDbLog> OpenOrDie(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log = LevelDbLog::Open(dir, {});
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

TEST(LevelDbLogTest, SecondOpenOfSameDirectoryFails) {
  testing::TempDir dir;
  auto log = OpenOrDie(dir.path());
  absl::StatusOr<std::unique_ptr<LevelDbLog>> second =
      LevelDbLog::Open(dir.path(), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(LevelDbLogTest, RefusesADirectoryThatIsNotADirectory) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/file";
  std::ofstream(file) << "x";
  EXPECT_FALSE(LevelDbLog::Open(file + "/log", {}).ok());
}

// A copy of the log taken as a backup, restored after the original went on:
// a reader that followed the original past the copy's end must not carry on
// from the restored log, even once the restored log grows past its position.
TEST(LevelDbLogTest, ARestoredCopyRefusesReadersThatWentFurther) {
  testing::TempDir dir;
  const std::string original = dir.path() + "/log";
  const std::string backup = dir.path() + "/backup";
  LogIdentity seen;
  uint64_t applied = 0;
  {
    auto log = OpenOrDie(original);
    ASSERT_TRUE(AppendRecords(*log, {UpsertRecord(0, "a", "v")}).ok());
    log.reset();  // The backup is taken of a closed log, as docs say.
    std::filesystem::copy(original, backup);
    log = OpenOrDie(original);
    ASSERT_TRUE(AppendRecords(*log, {UpsertRecord(0, "b", "v"),
                                     UpsertRecord(0, "c", "v")})
                    .ok());
    seen = log->identity();
    applied = log->head_seq();
    EXPECT_TRUE(log->CheckPosition(seen, applied).ok());
  }
  std::filesystem::remove_all(original);
  std::filesystem::rename(backup, original);
  auto restored = OpenOrDie(original);
  EXPECT_EQ(restored->identity().log_id, seen.log_id);
  EXPECT_NE(restored->identity().epoch, seen.epoch);
  ASSERT_TRUE(AppendRecords(*restored, {UpsertRecord(0, "d", "v"),
                                        UpsertRecord(0, "e", "v"),
                                        UpsertRecord(0, "f", "v")})
                  .ok());
  ASSERT_GE(restored->head_seq(), applied);
  absl::Status refused = restored->CheckPosition(seen, applied);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(refused.message().find("restored"), absl::string_view::npos);
}

TEST(LevelDbLogTest, EveryOpenStartsANewEpochThatKeepsOldReadersValid) {
  testing::TempDir dir;
  LogIdentity first;
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_TRUE(AppendRecords(*log, {UpsertRecord(0, "a", "v")}).ok());
    first = log->identity();
  }
  auto log = OpenOrDie(dir.path());
  EXPECT_GT(log->identity().epoch, first.epoch);
  EXPECT_TRUE(log->CheckPosition(first, 1).ok());
  EXPECT_EQ(log->CheckPosition({first.log_id, first.epoch + 1}, 1).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(LevelDbLogTest, ForgetsDedupIdsAfterTheWindow) {
  testing::TempDir dir;
  LevelDbLog::Options options;
  options.dedup_window = absl::Milliseconds(1);
  auto opened = LevelDbLog::Open(dir.path(), options);
  ASSERT_TRUE(opened.ok());
  LogAppend append;
  append.record = UpsertRecord(0, "a", "v");
  append.dedup_id = "request-1";
  auto first = (*opened)->Append({append});
  ASSERT_TRUE(first.ok());
  absl::SleepFor(absl::Milliseconds(20));
  auto later = (*opened)->Append({append});
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE((*later)[0].duplicate);
  EXPECT_GT((*later)[0].seq, (*first)[0].seq);
}

// One append removes at most 256 expired dedup ids; the next goes on from
// where it stopped, until none is left on disk.
TEST(LevelDbLogTest, ExpiryOfDedupIdsGoesOnWhereTheLastAppendStopped) {
  testing::TempDir dir;
  LevelDbLog::Options options;
  options.dedup_window = absl::Milliseconds(1);
  {
    auto opened = LevelDbLog::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok());
    std::vector<LogAppend> batch(300);
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].record = UpsertRecord(0, absl::StrCat("b", i), "v");
      batch[i].dedup_id = absl::StrCat("request-", i);
    }
    ASSERT_TRUE((*opened)->Append(batch).ok());
    absl::SleepFor(absl::Milliseconds(20));
    for (int i = 0; i < 2; ++i) {
      LogAppend later;
      later.record = UpsertRecord(0, absl::StrCat("later", i), "v");
      ASSERT_TRUE((*opened)->Append({later}).ok());
    }
  }
  leveldb::DB* raw = nullptr;
  ASSERT_TRUE(leveldb::DB::Open({}, dir.path(), &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator({}));
  int dedup_keys = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().starts_with("d/") || it->key().starts_with("t/")) {
      ++dedup_keys;
    }
  }
  EXPECT_EQ(dedup_keys, 0);
}

// The append path learns which dedup ids and bulletins it must look up from
// what Open reads: a retry after a restart, within the window, is still
// found.
TEST(LevelDbLogTest, ARepeatedDedupIdIsFoundAfterAReopen) {
  testing::TempDir dir;
  LogAppend append;
  append.record = UpsertRecord(0, "a", "v1");
  append.expected_last_seq = 0;
  append.dedup_id = "request-1";
  uint64_t first_seq = 0;
  {
    std::unique_ptr<LevelDbLog> log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    auto first = log->Append({append});
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE((*first)[0].status.ok());
    first_seq = (*first)[0].seq;
  }
  std::unique_ptr<LevelDbLog> log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  auto retry = log->Append({append});
  ASSERT_TRUE(retry.ok());
  ASSERT_TRUE((*retry)[0].status.ok()) << (*retry)[0].status;
  EXPECT_TRUE((*retry)[0].duplicate);
  EXPECT_EQ((*retry)[0].seq, first_seq);
  EXPECT_EQ(log->head_seq(), first_seq);
}

// A log written by the first format (every version kept, seqs inside the
// records) opens as this format: the last record of each bulletin stays.
TEST(LevelDbLogTest, ConvertsALogOfTheFirstFormat) {
  testing::TempDir dir;
  {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(options, dir.path(), &db).ok());
    std::unique_ptr<leveldb::DB> owned(db);
    ASSERT_TRUE(db->Put({}, "m/format", "bulletin-log-1").ok());
    const std::vector<v1::LogRecord> records = {UpsertRecord(1, "a", "v1"),
                                                UpsertRecord(2, "b", "v1"),
                                                UpsertRecord(3, "a", "v2")};
    for (const v1::LogRecord& record : records) {
      std::string key(1, 'r');
      for (int shift = 56; shift >= 0; shift -= 8) {
        key.push_back(static_cast<char>((record.seq() >> shift) & 0xff));
      }
      ASSERT_TRUE(db->Put({}, key, record.SerializeAsString()).ok());
    }
  }
  auto log = OpenOrDie(dir.path());
  EXPECT_EQ(log->head_seq(), 3u);
  auto all = log->Read(0, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].upsert().id(), "b");
  EXPECT_EQ((*all)[1].seq(), 3u);
  EXPECT_EQ((*all)[1].version_digest(), "v2");
  LogAppend stale;
  stale.record = UpsertRecord(0, "a", "v3");
  stale.expected_last_seq = 1;
  auto outcome = log->Append({stale});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ((*outcome)[0].status.code(), absl::StatusCode::kFailedPrecondition);
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
    ASSERT_TRUE(AppendRecords(*log, {UpsertRecord(1, "kept", "d")}).ok());
    v1::LogRecord big = UpsertRecord(2, "too-big", "d");
    big.mutable_upsert()->set_lead(std::string(1 << 20, 'x'));
    {
      FileSizeLimit limit(256 << 10);
      absl::Status failed = AppendRecords(*log, {big}).status();
      EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
      EXPECT_NE(failed.message().find("restarts"), absl::string_view::npos);
    }
    // Space is back, but the log stays stopped: the failed batch's fate is
    // unknown until recovery.
    EXPECT_EQ(
        AppendRecords(*log, {UpsertRecord(2, "after", "d")}).status().code(),
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
  EXPECT_TRUE(AppendRecords(*log, {UpsertRecord(0, "next", "d")}).ok());
}

// Takedown: the text a retraction or a correction removes leaves every file
// of the log (docs/durability.md, "Takedown"). The text is one a compressed
// table block could only hold as written.
constexpr char kRemovedText[] = "撤回的正文-QZXJWVKYPMHGF-只出现一次";

v1::LogRecord RecordWithText(const std::string& id, const std::string& text) {
  v1::LogRecord record = UpsertRecord(0, id, "digest " + text);
  record.mutable_upsert()->set_headline(text);
  return record;
}

// Whether any file under `dir` holds `text`.
bool FilesHold(const std::string& dir, absl::string_view text) {
  return !testing::FilesHolding(dir, text).empty();
}

LevelDbLog::Options ScrubbingOnlyWhenAsked() {
  LevelDbLog::Options options;
  options.scrub_interval = absl::InfiniteDuration();
  return options;
}

TEST(LevelDbLogTest, ScrubbingRemovesARetractedTextFromEveryFile) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
      LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(AppendRecords(**log, {RecordWithText("a", kRemovedText),
                                    UpsertRecord(0, "b", "v")})
                  .ok());
  ASSERT_TRUE(AppendRecords(**log, {RetractionRecord(0, "a")}).ok());
  // Deleted, but its bytes are still in the files.
  ASSERT_TRUE(FilesHold(dir.path(), kRemovedText));

  ASSERT_TRUE((*log)->ScrubRemovedRecords().ok());
  EXPECT_FALSE(FilesHold(dir.path(), kRemovedText));
  // The log itself is unchanged: b, then a's tombstone.
  absl::StatusOr<std::vector<v1::LogRecord>> records = (*log)->Read(0, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].upsert().id(), "b");
  EXPECT_EQ((*records)[1].retraction().id(), "a");
  EXPECT_EQ((*log)->head_seq(), 3u);
}

TEST(LevelDbLogTest, ScrubbingRemovesASupersededVersionsText) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
      LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(AppendRecords(**log, {RecordWithText("a", kRemovedText)}).ok());
  ASSERT_TRUE(
      AppendRecords(**log, {RecordWithText("a", "the corrected text")}).ok());
  ASSERT_TRUE(FilesHold(dir.path(), kRemovedText));

  ASSERT_TRUE((*log)->ScrubRemovedRecords().ok());
  EXPECT_FALSE(FilesHold(dir.path(), kRemovedText));
  EXPECT_TRUE(FilesHold(dir.path(), "the corrected text"));
}

// What a run removed and did not scrub before it stopped is scrubbed by the
// next one: the pending work is in the log, written with the removal.
TEST(LevelDbLogTest, ARemovalLeftUnscrubbedIsScrubbedAfterARestart) {
  testing::TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
        LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_TRUE(AppendRecords(**log, {RecordWithText("a", kRemovedText)}).ok());
    ASSERT_TRUE(AppendRecords(**log, {RetractionRecord(0, "a")}).ok());
  }
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
      LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(FilesHold(dir.path(), kRemovedText));

  ASSERT_TRUE((*log)->ScrubRemovedRecords().ok());
  EXPECT_FALSE(FilesHold(dir.path(), kRemovedText));
}

TEST(LevelDbLogTest, TheScrubberRunsByItselfAfterTheInterval) {
  testing::TempDir dir;
  LevelDbLog::Options options;
  options.scrub_interval = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
      LevelDbLog::Open(dir.path(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(AppendRecords(**log, {RecordWithText("a", kRemovedText)}).ok());
  ASSERT_TRUE(AppendRecords(**log, {RetractionRecord(0, "a")}).ok());
  // Not a bound on the time it takes: only that it happens unasked.
  const absl::Time give_up = absl::Now() + absl::Minutes(1);
  while (FilesHold(dir.path(), kRemovedText) && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_FALSE(FilesHold(dir.path(), kRemovedText));
}

}  // namespace
}  // namespace bulletin
