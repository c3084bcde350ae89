#include "ingest-service/log/leveldb_log.h"

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "leveldb/db.h"
#include "leveldb/write_batch.h"
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

// The keys of the LevelDB database in `dir` (the log closed).
std::vector<std::string> KeysOf(const std::string& dir) {
  leveldb::DB* raw = nullptr;
  EXPECT_TRUE(leveldb::DB::Open({}, dir, &raw).ok());
  std::unique_ptr<leveldb::DB> db(raw);
  std::vector<std::string> keys;
  if (db == nullptr) return keys;
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator({}));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.push_back(it->key().ToString());
  }
  return keys;
}

int CountWithPrefix(const std::vector<std::string>& keys,
                    absl::string_view prefix) {
  int count = 0;
  for (const std::string& key : keys) count += absl::StartsWith(key, prefix);
  return count;
}

// The usual append (a new bulletin, a dedup id) writes its record and
// nothing else: table files then hold consecutive records only, which
// LevelDB moves down its levels without rewriting them.
TEST(LevelDbLogTest, AnAppendOfANewBulletinWritesOnlyItsRecord) {
  testing::TempDir dir;
  {
    std::unique_ptr<LevelDbLog> log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    for (int i = 0; i < 3; ++i) {
      LogAppend append;
      append.record = UpsertRecord(0, absl::StrCat("b", i), "v");
      append.expected_last_seq = 0;
      append.dedup_id = absl::StrCat("request-", i);
      auto outcomes = log->Append({append});
      ASSERT_TRUE(outcomes.ok());
      ASSERT_TRUE((*outcomes)[0].status.ok());
    }
  }
  const std::vector<std::string> keys = KeysOf(dir.path());
  EXPECT_EQ(CountWithPrefix(keys, "r"), 3);
  // m/format, m/log_id and the epoch: nothing else.
  EXPECT_EQ(keys.size(), 3u + 3u) << absl::StrJoin(keys, ", ");
}

// The u/ key that keeps a removed record's dedup id leaves the disk once the
// id is past the window: removed by an append, or else by the next open.
TEST(LevelDbLogTest, ADedupIdKeptForARemovedRecordLeavesTheDiskAfterTheWindow) {
  testing::TempDir dir;
  LevelDbLog::Options options;
  options.dedup_window = absl::Milliseconds(1);
  std::vector<LogAppend> batch(2);
  batch[0].record = UpsertRecord(0, "a", "v1");
  batch[0].dedup_id = "request-1";
  batch[1].record = UpsertRecord(0, "a", "v2");
  batch[1].dedup_id = "request-2";
  {
    auto opened = LevelDbLog::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok());
    ASSERT_TRUE((*opened)->Append(batch).ok());
  }
  EXPECT_EQ(CountWithPrefix(KeysOf(dir.path()), "u/"), 1);
  {
    auto opened = LevelDbLog::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok());
  }
  EXPECT_EQ(CountWithPrefix(KeysOf(dir.path()), "u/"), 0);
  {
    auto opened = LevelDbLog::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok());
    batch[0].record = UpsertRecord(0, "b", "v1");
    batch[1].record = UpsertRecord(0, "b", "v2");
    batch[0].dedup_id = "request-3";
    batch[1].dedup_id = "request-4";
    ASSERT_TRUE((*opened)->Append(batch).ok());
    absl::SleepFor(absl::Milliseconds(20));
    LogAppend later;
    later.record = UpsertRecord(0, "c", "v");
    ASSERT_TRUE((*opened)->Append({later}).ok());
  }
  EXPECT_EQ(CountWithPrefix(KeysOf(dir.path()), "u/"), 0);
}

// Open rebuilds the dedup ids inside the window: a retry after a restart is
// still found, whether its record is still there (its header holds the id)
// or a later version removed it (a u/ key does).
TEST(LevelDbLogTest, ARepeatedDedupIdIsFoundAfterAReopen) {
  testing::TempDir dir;
  std::vector<LogAppend> firsts(2);
  firsts[0].record = UpsertRecord(0, "a", "v1");
  firsts[0].dedup_id = "request-a";
  firsts[1].record = UpsertRecord(0, "b", "v1");
  firsts[1].dedup_id = "request-b";
  for (LogAppend& append : firsts) append.expected_last_seq = 0;
  std::vector<uint64_t> first_seqs;
  {
    std::unique_ptr<LevelDbLog> log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    auto written = log->Append(firsts);
    ASSERT_TRUE(written.ok());
    for (const AppendOutcome& outcome : *written) {
      ASSERT_TRUE(outcome.status.ok());
      first_seqs.push_back(outcome.seq);
    }
    LogAppend replacing;
    replacing.record = UpsertRecord(0, "b", "v2");
    replacing.expected_last_seq = first_seqs[1];
    replacing.dedup_id = "request-b2";
    auto replaced = log->Append({replacing});
    ASSERT_TRUE(replaced.ok());
    ASSERT_TRUE((*replaced)[0].status.ok());
  }
  std::unique_ptr<LevelDbLog> log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  const uint64_t head = log->head_seq();
  auto retries = log->Append(firsts);
  ASSERT_TRUE(retries.ok());
  for (size_t i = 0; i < firsts.size(); ++i) {
    ASSERT_TRUE((*retries)[i].status.ok()) << (*retries)[i].status;
    EXPECT_TRUE((*retries)[i].duplicate);
    EXPECT_EQ((*retries)[i].seq, first_seqs[i]);
  }
  EXPECT_EQ(log->head_seq(), head);
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

std::string BigEndianKey(absl::string_view prefix, uint64_t value) {
  std::string key(prefix);
  for (int shift = 56; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((value >> shift) & 0xff));
  }
  return key;
}

// Opens the LevelDB database in `dir`, creating it, for writing a log of an
// earlier format or reading one back.
std::unique_ptr<leveldb::DB> RawDb(const std::string& dir) {
  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* db = nullptr;
  EXPECT_TRUE(leveldb::DB::Open(options, dir, &db).ok());
  return std::unique_ptr<leveldb::DB>(db);
}

std::string ValueOf(leveldb::DB& db, const std::string& key) {
  std::string value;
  if (!db.Get({}, key, &value).ok()) return "(none)";
  return value;
}

// Writes a log of the first format: every version of every bulletin kept
// under r<seq>, seqs inside the records.
void WriteFirstFormatLog(const std::string& dir,
                         const std::vector<v1::LogRecord>& records) {
  std::unique_ptr<leveldb::DB> db = RawDb(dir);
  ASSERT_NE(db, nullptr);
  leveldb::WriteBatch batch;
  batch.Put("m/format", "bulletin-log-1");
  for (const v1::LogRecord& record : records) {
    batch.Put(BigEndianKey("r", record.seq()), record.SerializeAsString());
  }
  ASSERT_TRUE(db->Write({}, &batch).ok());
}

// Writes a log as the second format left it: each bulletin's last record
// under r<seq> (without its seqs) and its b/ key; a dedup id for each
// record (d/ and t/ keys), appended `dedup_age` ago.
void WriteSecondFormatLog(const std::string& dir,
                          const std::vector<v1::LogRecord>& records,
                          absl::Duration dedup_age) {
  std::unique_ptr<leveldb::DB> db = RawDb(dir);
  ASSERT_NE(db, nullptr);
  const uint64_t at_micros =
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now() - dedup_age));
  leveldb::WriteBatch batch;
  batch.Put("m/format", "bulletin-log-2");
  batch.Put("m/log_id", "0123456789abcdef0123456789abcdef");
  for (const v1::LogRecord& record : records) {
    v1::LogRecord stored = record;
    stored.clear_seq();
    if (stored.has_upsert()) stored.mutable_upsert()->clear_seq();
    batch.Put(BigEndianKey("r", record.seq()), stored.SerializeAsString());
    batch.Put(absl::StrCat("b/", BulletinIdOf(record)),
              BigEndianKey("", record.seq()));
    const std::string dedup_id = absl::StrCat("request-", record.seq());
    batch.Put(absl::StrCat("d/", dedup_id),
              BigEndianKey("", record.seq()) + BigEndianKey("", at_micros));
    batch.Put(BigEndianKey("t/", at_micros) + dedup_id, "");
  }
  ASSERT_TRUE(db->Write({}, &batch).ok());
}

// `count` bulletins b0, b1, ... at seqs 2, 4, 6, ... (what their earlier
// versions left), every third retracted, with a text of some size.
std::vector<v1::LogRecord> ManyBulletins(int count) {
  std::vector<v1::LogRecord> records;
  for (int i = 0; i < count; ++i) {
    const uint64_t seq = 2 * static_cast<uint64_t>(i) + 2;
    const std::string id = absl::StrCat("b", i);
    if (i % 3 == 2) {
      records.push_back(RetractionRecord(seq, id));
    } else {
      v1::LogRecord record = UpsertRecord(seq, id, absl::StrCat("v", i));
      record.mutable_upsert()->set_lead(std::string(200, 'a' + i % 26));
      records.push_back(std::move(record));
    }
  }
  return records;
}

// What Read returns of the whole log.
std::vector<v1::LogRecord> ReadAll(const BulletinLog& log) {
  absl::StatusOr<std::vector<v1::LogRecord>> all =
      log.Read(0, std::numeric_limits<size_t>::max());
  EXPECT_TRUE(all.ok()) << all.status();
  return all.ok() ? *std::move(all) : std::vector<v1::LogRecord>();
}

void ExpectSameRecords(const std::vector<v1::LogRecord>& actual,
                       const std::vector<v1::LogRecord>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].SerializeAsString(), expected[i].SerializeAsString())
        << "record " << i << ": " << actual[i].ShortDebugString() << " vs "
        << expected[i].ShortDebugString();
  }
}

// Conditional appends to every bulletin of `records` (as the log holds
// them): against a stale seq they fail, against the last one they replace
// it.
void ExpectConditionsHold(BulletinLog& log,
                          const std::vector<v1::LogRecord>& records) {
  std::vector<LogAppend> stale(records.size());
  std::vector<LogAppend> current(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string id(BulletinIdOf(records[i]));
    stale[i].record = UpsertRecord(0, id, "stale");
    stale[i].expected_last_seq = records[i].seq() - 1;
    current[i].record = UpsertRecord(0, id, "next");
    current[i].expected_last_seq = records[i].seq();
  }
  auto refused = log.Append(stale);
  ASSERT_TRUE(refused.ok()) << refused.status();
  for (const AppendOutcome& outcome : *refused) {
    EXPECT_EQ(outcome.status.code(), absl::StatusCode::kFailedPrecondition);
  }
  const uint64_t head = log.head_seq();
  auto replaced = log.Append(current);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  for (const AppendOutcome& outcome : *replaced) {
    EXPECT_TRUE(outcome.status.ok()) << outcome.status;
  }
  std::vector<v1::LogRecord> after = ReadAll(log);
  ASSERT_EQ(after.size(), records.size());
  for (const v1::LogRecord& record : after) {
    EXPECT_GT(record.seq(), head);
    EXPECT_EQ(record.version_digest(), "next");
  }
}

// A log written by the first format (every version kept, seqs inside the
// records) opens as this format: the last record of each bulletin stays.
TEST(LevelDbLogTest, UpgradesALogOfTheFirstFormat) {
  testing::TempDir dir;
  WriteFirstFormatLog(dir.path(),
                      {UpsertRecord(1, "a", "v1"), UpsertRecord(2, "b", "v1"),
                       UpsertRecord(3, "a", "v2")});
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

// A scrub note (s/ key) that names no record cannot be honoured: the log
// refuses to open rather than scrub from the start of the database.
TEST(LevelDbLogTest, AMalformedScrubNoteIsDataLoss) {
  testing::TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
        LevelDbLog::Open(dir.path(), {});
    ASSERT_TRUE(log.ok()) << log.status();
  }
  {
    std::unique_ptr<leveldb::DB> db = RawDb(dir.path());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Put({}, "s/abc", "").ok());  // no 8-byte seq
  }
  absl::StatusOr<std::unique_ptr<LevelDbLog>> reopened =
      LevelDbLog::Open(dir.path(), {});
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(reopened.status().message(), "scrub note"))
      << reopened.status();
}

// A second-format dedup entry that holds no seq and time cannot be carried
// over: dropped, a retry of its request inside the window would be written
// twice. The upgrade refuses and goes no further: the entry is still there
// for an operator to look at (and the next open refuses again).
TEST(LevelDbLogTest, AMalformedDedupEntryStopsTheUpgrade) {
  testing::TempDir dir;
  {
    std::unique_ptr<leveldb::DB> db = RawDb(dir.path());
    ASSERT_NE(db, nullptr);
    leveldb::WriteBatch batch;
    batch.Put("m/format", "bulletin-log-2");
    batch.Put(BigEndianKey("r", 2),
              UpsertRecord(0, "a", "v1").SerializeAsString());
    batch.Put("b/a", BigEndianKey("", 2));
    batch.Put("d/request-2", "short");
    ASSERT_TRUE(db->Write({}, &batch).ok());
  }
  absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
      LevelDbLog::Open(dir.path(), {});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(log.status().message(), "d/request-2"))
      << log.status();
  const std::vector<std::string> keys = KeysOf(dir.path());
  EXPECT_EQ(CountWithPrefix(keys, "d/"), 1);
  absl::StatusOr<std::unique_ptr<LevelDbLog>> again =
      LevelDbLog::Open(dir.path(), {});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kDataLoss);
}

// A log of the second format (b/, d/ and t/ index keys beside the records)
// opens as this one: records, conditions, a dedup id inside the window and
// a removal still to scrub carry over; the index keys go. The records stay
// where they are, in the second format's layout.
TEST(LevelDbLogTest, UpgradesALogOfTheSecondFormat) {
  testing::TempDir dir;
  const uint64_t now_micros =
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  {
    std::unique_ptr<leveldb::DB> db = RawDb(dir.path());
    ASSERT_NE(db, nullptr);
    leveldb::WriteBatch batch;
    batch.Put("m/format", "bulletin-log-2");
    // Record 1 (a, v1) was removed by record 3 and is not scrubbed yet.
    batch.Put(BigEndianKey("r", 2),
              UpsertRecord(0, "b", "v1").SerializeAsString());
    batch.Put(BigEndianKey("r", 3),
              UpsertRecord(0, "a", "v2").SerializeAsString());
    batch.Put("b/a", BigEndianKey("", 3));
    batch.Put("b/b", BigEndianKey("", 2));
    batch.Put("d/request-3",
              BigEndianKey("", 3) + BigEndianKey("", now_micros));
    batch.Put(BigEndianKey("t/", now_micros) + "request-3", "");
    // Past the window: not kept.
    batch.Put("d/request-2",
              BigEndianKey("", 2) + BigEndianKey("", now_micros - 600000000));
    batch.Put(BigEndianKey("t/", now_micros - 600000000) + "request-2", "");
    batch.Put(BigEndianKey("s/", 1), "");
    ASSERT_TRUE(db->Write({}, &batch).ok());
  }
  LogAppend retry;
  retry.record = UpsertRecord(0, "a", "v2");
  retry.expected_last_seq = 1;
  retry.dedup_id = "request-3";
  {
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    EXPECT_EQ(log->head_seq(), 3u);
    auto all = log->Read(0, 10);
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].upsert().id(), "b");
    EXPECT_EQ((*all)[0].seq(), 2u);
    EXPECT_EQ((*all)[1].upsert().id(), "a");
    EXPECT_EQ((*all)[1].seq(), 3u);
  }
  {
    const std::vector<std::string> keys = KeysOf(dir.path());
    EXPECT_EQ(CountWithPrefix(keys, "b/"), 0);
    EXPECT_EQ(CountWithPrefix(keys, "d/"), 0);
    EXPECT_EQ(CountWithPrefix(keys, "t/"), 0);
    EXPECT_EQ(CountWithPrefix(keys, "u/"), 1);  // request-3's.
    EXPECT_EQ(CountWithPrefix(keys, "m/upgrade"), 0);
  }
  // Reopened once more: the retry inside the window is still found.
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  auto repeated = log->Append({retry});
  ASSERT_TRUE(repeated.ok());
  EXPECT_TRUE((*repeated)[0].duplicate);
  EXPECT_EQ((*repeated)[0].seq, 3u);
  LogAppend stale;
  stale.record = UpsertRecord(0, "b", "v2");
  stale.expected_last_seq = 1;
  LogAppend next;
  next.record = UpsertRecord(0, "a", "v3");
  next.expected_last_seq = 3;
  auto outcomes = log->Append({stale, next});
  ASSERT_TRUE(outcomes.ok());
  EXPECT_EQ((*outcomes)[0].status.code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE((*outcomes)[1].status.ok()) << (*outcomes)[1].status;
  EXPECT_EQ((*outcomes)[1].seq, 4u);
  EXPECT_TRUE(log->ScrubRemovedRecords().ok());
  log.reset();
  const std::vector<std::string> keys = KeysOf(dir.path());
  EXPECT_EQ(CountWithPrefix(keys, "s/"), 0);
  EXPECT_EQ(CountWithPrefix(keys, "r"), 2);  // b at 2, a at 4.
}

// A bigger second-format log, upgraded in many chunks: the same records,
// every condition as before, and no chunk bigger than asked.
TEST(LevelDbLogTest, AnUpgradeInChunksKeepsTheLogAndItsMemoryBound) {
  testing::TempDir dir;
  const std::vector<v1::LogRecord> records = ManyBulletins(500);
  WriteSecondFormatLog(dir.path(), records, absl::Seconds(1));
  LevelDbLog::Options options;
  options.upgrade_chunk_bytes = 2048;
  std::vector<size_t> chunks;
  options.upgrade_chunk_written_for_testing = [&](size_t bytes) {
    chunks.push_back(bytes);
    return true;
  };
  auto log = LevelDbLog::Open(dir.path(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  // 500 bulletins' b/, d/ and t/ keys, and as many u/ keys, in ~60 bytes
  // each: many chunks, each within the bound plus the one entry that
  // crossed it.
  EXPECT_GT(chunks.size(), 20u);
  for (size_t bytes : chunks) EXPECT_LE(bytes, 2048u + 128u);
  ExpectSameRecords(ReadAll(**log), records);
  EXPECT_EQ((*log)->head_seq(), records.back().seq());
  // Every dedup id, inside the window, is still a duplicate.
  std::vector<LogAppend> retries(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    retries[i].record = UpsertRecord(0, "x", "x");
    retries[i].dedup_id = absl::StrCat("request-", records[i].seq());
  }
  auto repeated = (*log)->Append(retries);
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_TRUE((*repeated)[i].duplicate) << i;
    EXPECT_EQ((*repeated)[i].seq, records[i].seq());
  }
  ExpectConditionsHold(**log, records);
}

// An upgrade killed after any chunk goes on at the next open and ends with
// the same log as one that was not; meanwhile the log is marked so that
// the previous version refuses it.
TEST(LevelDbLogTest, AnUpgradeKilledAfterAChunkGoesOnAtTheNextOpen) {
  const std::vector<v1::LogRecord> records = ManyBulletins(60);
  for (int stop_after : {1, 2, 5}) {
    SCOPED_TRACE(absl::StrCat("stopped after chunk ", stop_after));
    testing::TempDir dir;
    WriteSecondFormatLog(dir.path(), records, absl::Seconds(1));
    LevelDbLog::Options options;
    options.upgrade_chunk_bytes = 512;
    int written = 0;
    options.upgrade_chunk_written_for_testing = [&](size_t) {
      return ++written < stop_after;
    };
    absl::StatusOr<std::unique_ptr<LevelDbLog>> killed =
        LevelDbLog::Open(dir.path(), options);
    ASSERT_EQ(killed.status().code(), absl::StatusCode::kAborted)
        << killed.status();
    {
      std::unique_ptr<leveldb::DB> db = RawDb(dir.path());
      ASSERT_NE(db, nullptr);
      EXPECT_EQ(ValueOf(*db, "m/format"), "bulletin-log-3");
      EXPECT_EQ(ValueOf(*db, "m/upgrade"), "bulletin-log-2");
    }
    auto log = OpenOrDie(dir.path());
    ASSERT_NE(log, nullptr);
    ExpectSameRecords(ReadAll(*log), records);
    LogAppend retry;
    retry.record = UpsertRecord(0, "x", "x");
    retry.dedup_id = absl::StrCat("request-", records[7].seq());
    auto repeated = log->Append({retry});
    ASSERT_TRUE(repeated.ok());
    EXPECT_TRUE((*repeated)[0].duplicate);
    ExpectConditionsHold(*log, records);
    log.reset();
    const std::vector<std::string> keys = KeysOf(dir.path());
    EXPECT_EQ(CountWithPrefix(keys, "b/"), 0);
    EXPECT_EQ(CountWithPrefix(keys, "d/"), 0);
    EXPECT_EQ(CountWithPrefix(keys, "t/"), 0);
    EXPECT_EQ(CountWithPrefix(keys, "m/upgrade"), 0);
  }
}

// The same for the first format, whose upgrade removes superseded records.
TEST(LevelDbLogTest, AFirstFormatUpgradeKilledAfterAChunkGoesOnAtTheNextOpen) {
  std::vector<v1::LogRecord> all_versions;
  std::vector<v1::LogRecord> last_versions;
  for (int i = 0; i < 40; ++i) {
    all_versions.push_back(
        UpsertRecord(static_cast<uint64_t>(i) + 1, absl::StrCat("b", i), "v1"));
  }
  for (int i = 0; i < 40; ++i) {
    v1::LogRecord record =
        UpsertRecord(static_cast<uint64_t>(i) + 41, absl::StrCat("b", i), "v2");
    all_versions.push_back(record);
    record.clear_seq();
    record.mutable_upsert()->clear_seq();
    last_versions.push_back(record);
  }
  for (int stop_after : {1, 3}) {
    SCOPED_TRACE(absl::StrCat("stopped after chunk ", stop_after));
    testing::TempDir dir;
    WriteFirstFormatLog(dir.path(), all_versions);
    LevelDbLog::Options options = ScrubbingOnlyWhenAsked();
    options.upgrade_chunk_bytes = 256;
    int written = 0;
    options.upgrade_chunk_written_for_testing = [&](size_t bytes) {
      EXPECT_LE(bytes, 256u + 64u);
      return ++written < stop_after;
    };
    EXPECT_EQ(LevelDbLog::Open(dir.path(), options).status().code(),
              absl::StatusCode::kAborted);
    auto log = LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
    ASSERT_TRUE(log.ok()) << log.status();
    std::vector<v1::LogRecord> read = ReadAll(**log);
    for (v1::LogRecord& record : read) {
      record.clear_seq();
      record.mutable_upsert()->clear_seq();
    }
    ExpectSameRecords(read, last_versions);
    EXPECT_TRUE((*log)->ScrubRemovedRecords().ok());
    log->reset();
    EXPECT_EQ(CountWithPrefix(KeysOf(dir.path()), "s/"), 0);
  }
}

// A record kept from an earlier format holds its bulletin id in its value
// only; the log reads it from there without parsing the rest.
TEST(LevelDbLogTest, ARecordOfAnEarlierFormatIsReadAsItWasWritten) {
  testing::TempDir dir;
  v1::LogRecord upsert = UpsertRecord(1, "an-upsert", "v1");
  upsert.set_appended_at_micros(123);
  upsert.add_requests()->set_request_id("r-1");
  upsert.mutable_upsert()->add_people()->set_name("王君成");
  v1::LogRecord retraction = RetractionRecord(2, "a-retraction");
  retraction.mutable_retraction()->set_reason("withdrawn");
  WriteSecondFormatLog(dir.path(), {upsert, retraction}, absl::Hours(1));
  auto log = OpenOrDie(dir.path());
  ASSERT_NE(log, nullptr);
  ExpectSameRecords(ReadAll(*log), {upsert, retraction});
  ExpectConditionsHold(*log, {upsert, retraction});
}

// The text of a bulletin retracted after the upgrade, whose record the
// second format wrote, leaves every file once the scrubber has run; so does
// a superseded version's that the first format kept.
TEST(LevelDbLogTest, ATextRemovedAfterAnUpgradeLeavesEveryFile) {
  {
    testing::TempDir dir;
    v1::LogRecord record = RecordWithText("a", kRemovedText);
    record.set_seq(1);
    WriteSecondFormatLog(dir.path(), {record, UpsertRecord(2, "b", "v")},
                         absl::Seconds(1));
    auto log = LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_TRUE(AppendRecords(**log, {RetractionRecord(0, "a")}).ok());
    ASSERT_TRUE(FilesHold(dir.path(), kRemovedText));
    ASSERT_TRUE((*log)->ScrubRemovedRecords().ok());
    EXPECT_FALSE(FilesHold(dir.path(), kRemovedText));
  }
  {
    testing::TempDir dir;
    v1::LogRecord first = RecordWithText("a", kRemovedText);
    first.set_seq(1);
    v1::LogRecord second = RecordWithText("a", "the corrected text");
    second.set_seq(2);
    WriteFirstFormatLog(dir.path(), {first, second});
    auto log = LevelDbLog::Open(dir.path(), ScrubbingOnlyWhenAsked());
    ASSERT_TRUE(log.ok()) << log.status();
    ASSERT_TRUE((*log)->ScrubRemovedRecords().ok());
    EXPECT_FALSE(FilesHold(dir.path(), kRemovedText));
    EXPECT_TRUE(FilesHold(dir.path(), "the corrected text"));
  }
}

// Bulletins whose ids share a hash are told apart by their records: with a
// hash that is the same for every id, appends, conditions and removals
// still find each bulletin's own record, before and after a reopen, for
// records of this format and of an earlier one.
TEST(LevelDbLogTest, BulletinsWhoseIdsShareAHashAreToldApart) {
  testing::TempDir dir;
  LevelDbLog::Options options = ScrubbingOnlyWhenAsked();
  options.bulletin_id_hash_for_testing = [](absl::string_view) -> uint64_t {
    return 7;
  };
  const std::vector<v1::LogRecord> earlier = {UpsertRecord(1, "old-a", "v1"),
                                              UpsertRecord(2, "old-b", "v1")};
  WriteSecondFormatLog(dir.path(), earlier, absl::Hours(1));
  std::vector<v1::LogRecord> expected;
  {
    auto log = LevelDbLog::Open(dir.path(), options);
    ASSERT_TRUE(log.ok()) << log.status();
    // New bulletins in one batch, all sharing the hash.
    ASSERT_TRUE(AppendRecords(**log, {UpsertRecord(0, "new-c", "v1"),
                                      UpsertRecord(0, "new-d", "v1")})
                    .ok());
    ExpectConditionsHold(**log, ReadAll(**log));
    // And once more after the first round replaced every record.
    ExpectConditionsHold(**log, ReadAll(**log));
    expected = ReadAll(**log);
    ASSERT_EQ(expected.size(), 4u);
    ASSERT_TRUE((*log)->ScrubRemovedRecords().ok());
  }
  auto log = LevelDbLog::Open(dir.path(), options);
  ASSERT_TRUE(log.ok()) << log.status();
  ExpectSameRecords(ReadAll(**log), expected);
  ExpectConditionsHold(**log, expected);
  LogAppend fresh;
  fresh.record = UpsertRecord(0, "new-e", "v1");
  fresh.expected_last_seq = 0;
  auto outcome = (*log)->Append({fresh});
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE((*outcome)[0].status.ok()) << (*outcome)[0].status;
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
