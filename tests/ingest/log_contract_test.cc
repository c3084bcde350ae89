// The contract every BulletinLog backend keeps (ingest-service/log/
// bulletin_log.h), run against each backend in tests/ingest/log_backends.h.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/metrics/log_metrics.h"
#include "common/metrics/metrics.h"
#include "common/sync/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/log/jetstream_log.h"
#include "ingest-service/log/leveldb_log.h"
#include "ingest-service/log/records_at_seqs.h"
#include "tests/ingest/log_backends.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::AppendRecords;
using testing::LogBackend;
using testing::LogBackendFactory;
using testing::RetractionRecord;
using testing::UpsertRecord;

class LevelDbBackend : public LogBackend {
 public:
  explicit LevelDbBackend(absl::Duration dedup_window) {
    options_.dedup_window = dedup_window;
  }
  absl::StatusOr<std::unique_ptr<BulletinLog>> Open() override {
    options_.metrics = metrics_;
    absl::StatusOr<std::unique_ptr<LevelDbLog>> log =
        LevelDbLog::Open(dir_.path() + "/log", options_);
    if (!log.ok()) return log.status();
    return std::unique_ptr<BulletinLog>(*std::move(log));
  }
  absl::StatusOr<std::unique_ptr<BulletinLog>> OpenSecondWriter() override {
    return nullptr;
  }

 private:
  testing::TempDir dir_;
  LevelDbLog::Options options_;
};

// One 3-node cluster for the whole suite; each test gets its own stream.
testing::NatsCluster& SharedCluster() {
  static testing::NatsCluster* cluster = [] {
    absl::StatusOr<std::unique_ptr<testing::NatsCluster>> started =
        testing::NatsCluster::Start(3);
    if (!started.ok()) {
      ADD_FAILURE() << started.status();
      std::abort();
    }
    return started->release();
  }();
  return *cluster;
}

class JetStreamBackend : public LogBackend {
 public:
  explicit JetStreamBackend(absl::Duration dedup_window) {
    static std::atomic<int> streams{0};
    options_.servers = SharedCluster().urls();
    options_.stream = absl::StrCat("CONTRACT", getpid(), "_", ++streams);
    options_.replicas = 3;
    options_.dedup_window = dedup_window;
  }
  absl::StatusOr<std::unique_ptr<BulletinLog>> Open() override {
    options_.metrics = metrics_;
    absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
        JetStreamLog::Open(options_);
    if (!log.ok()) return log.status();
    return std::unique_ptr<BulletinLog>(*std::move(log));
  }
  absl::StatusOr<std::unique_ptr<BulletinLog>> OpenSecondWriter() override {
    return Open();
  }

 private:
  JetStreamLog::Options options_;
};

std::vector<LogBackendFactory> Backends() {
  return {{"LevelDb",
           [](absl::Duration dedup_window) {
             return std::make_unique<LevelDbBackend>(dedup_window);
           }},
          {"JetStream", [](absl::Duration dedup_window) {
             return std::make_unique<JetStreamBackend>(dedup_window);
           }}};
}

LogAppend Conditional(v1::LogRecord record, uint64_t expected_last_seq,
                      std::string dedup_id = "") {
  LogAppend append;
  append.record = std::move(record);
  append.expected_last_seq = expected_last_seq;
  append.dedup_id = std::move(dedup_id);
  return append;
}

class LogContractTest : public ::testing::TestWithParam<LogBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make(absl::Minutes(2));
    log_ = OpenOrDie();
  }
  std::unique_ptr<BulletinLog> OpenOrDie() {
    absl::StatusOr<std::unique_ptr<BulletinLog>> log = backend_->Open();
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }
  std::vector<v1::LogRecord> ReadAll(const BulletinLog& log) {
    absl::StatusOr<std::vector<v1::LogRecord>> records = log.Read(0, 100000);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *std::move(records) : std::vector<v1::LogRecord>();
  }

  std::unique_ptr<LogBackend> backend_;
  std::unique_ptr<BulletinLog> log_;
};

TEST_P(LogContractTest, NewLogIsEmptyAndHasAnIdentity) {
  EXPECT_EQ(log_->head_seq(), 0u);
  EXPECT_TRUE(ReadAll(*log_).empty());
  EXPECT_FALSE(log_->identity().log_id.empty());
  EXPECT_GT(log_->identity().epoch, 0u);
  // Its history, which the Feed hands replicas, ends at its epoch.
  ASSERT_FALSE(log_->epochs().empty());
  EXPECT_EQ(log_->epochs().back().epoch, log_->identity().epoch);
}

TEST_P(LogContractTest, AssignsIncreasingSeqsThatReadReturns) {
  auto seqs = AppendRecords(
      *log_, {UpsertRecord(0, "a", "v"), UpsertRecord(0, "b", "v")});
  ASSERT_TRUE(seqs.ok()) << seqs.status();
  ASSERT_EQ(seqs->size(), 2u);
  EXPECT_GT((*seqs)[0], 0u);
  EXPECT_GT((*seqs)[1], (*seqs)[0]);
  EXPECT_EQ(log_->head_seq(), (*seqs)[1]);
  std::vector<v1::LogRecord> records = ReadAll(*log_);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].seq(), (*seqs)[0]);
  EXPECT_EQ(records[0].upsert().seq(), (*seqs)[0]);
  EXPECT_EQ(records[0].upsert().id(), "a");
  EXPECT_EQ(records[0].version_digest(), "v");
  EXPECT_EQ(records[1].upsert().id(), "b");
  // Reading after the first returns the second only.
  auto tail = log_->Read((*seqs)[0], 10);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].upsert().id(), "b");
}

TEST_P(LogContractTest, ConditionZeroMeansTheBulletinMustBeNew) {
  auto first = log_->Append({Conditional(UpsertRecord(0, "a", "v1"), 0)});
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE((*first)[0].status.ok()) << (*first)[0].status;
  auto second = log_->Append({Conditional(UpsertRecord(0, "a", "v2"), 0)});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)[0].status.code(), absl::StatusCode::kFailedPrecondition)
      << (*second)[0].status;
  EXPECT_EQ(log_->head_seq(), (*first)[0].seq);
  ASSERT_EQ(ReadAll(*log_).size(), 1u);
  EXPECT_EQ(ReadAll(*log_)[0].version_digest(), "v1");
}

TEST_P(LogContractTest, AppendsOnlyOnTheLastSeqTheWriterRead) {
  auto seqs = AppendRecords(*log_, {UpsertRecord(0, "a", "v1")});
  ASSERT_TRUE(seqs.ok());
  const uint64_t v1_seq = (*seqs)[0];
  auto next = log_->Append({Conditional(UpsertRecord(0, "a", "v2"), v1_seq)});
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE((*next)[0].status.ok()) << (*next)[0].status;
  // A writer that still thinks v1 is last loses.
  auto stale = log_->Append({Conditional(UpsertRecord(0, "a", "v3"), v1_seq)});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ((*stale)[0].status.code(), absl::StatusCode::kFailedPrecondition);
  // Other bulletins are unaffected by a's history.
  auto other = log_->Append({Conditional(UpsertRecord(0, "b", "v1"), 0)});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)[0].status.ok()) << (*other)[0].status;
}

TEST_P(LogContractTest, ConditionsSeeEarlierEntriesOfTheSameCall) {
  auto outcomes = log_->Append({Conditional(UpsertRecord(0, "a", "v1"), 0),
                                Conditional(UpsertRecord(0, "a", "v2"), 0),
                                Conditional(UpsertRecord(0, "b", "v1"), 0)});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  EXPECT_TRUE((*outcomes)[0].status.ok());
  EXPECT_EQ((*outcomes)[1].status.code(),
            absl::StatusCode::kFailedPrecondition);
  // An entry after a failed one may fail with it (the JetStream backend
  // chains a batch on the stream's last sequence); decided again, it lands.
  uint64_t b_seq = (*outcomes)[2].seq;
  if (!(*outcomes)[2].status.ok()) {
    EXPECT_EQ((*outcomes)[2].status.code(),
              absl::StatusCode::kFailedPrecondition);
    auto again = log_->Append({Conditional(UpsertRecord(0, "b", "v1"), 0)});
    ASSERT_TRUE(again.ok());
    ASSERT_TRUE((*again)[0].status.ok()) << (*again)[0].status;
    b_seq = (*again)[0].seq;
  }
  EXPECT_GT(b_seq, (*outcomes)[0].seq);
  std::vector<v1::LogRecord> records = ReadAll(*log_);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].version_digest(), "v1");
}

TEST_P(LogContractTest, ARepeatedDedupIdIsNotWrittenAgain) {
  auto first =
      log_->Append({Conditional(UpsertRecord(0, "a", "v1"), 0, "request-1")});
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE((*first)[0].status.ok());
  EXPECT_FALSE((*first)[0].duplicate);
  // The retry carries the same condition, which no longer holds: the dedup
  // id, not the condition, decides.
  auto retry =
      log_->Append({Conditional(UpsertRecord(0, "a", "v1"), 0, "request-1")});
  ASSERT_TRUE(retry.ok());
  ASSERT_TRUE((*retry)[0].status.ok()) << (*retry)[0].status;
  EXPECT_TRUE((*retry)[0].duplicate);
  EXPECT_EQ((*retry)[0].seq, (*first)[0].seq);
  EXPECT_EQ(ReadAll(*log_).size(), 1u);
  EXPECT_EQ(log_->head_seq(), (*first)[0].seq);
}

TEST_P(LogContractTest, KeepsOnlyEachBulletinsLastRecord) {
  auto seqs = AppendRecords(
      *log_, {UpsertRecord(0, "a", "v1"), UpsertRecord(0, "b", "v1"),
              UpsertRecord(0, "a", "v2"), UpsertRecord(0, "c", "v1")});
  ASSERT_TRUE(seqs.ok());
  v1::LogRecord retraction = RetractionRecord(0, "c");
  retraction.mutable_retraction()->set_reason("withdrawn");
  auto retracted = AppendRecords(*log_, {retraction});
  ASSERT_TRUE(retracted.ok());
  std::vector<v1::LogRecord> records = ReadAll(*log_);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].upsert().id(), "b");
  EXPECT_EQ(records[1].upsert().id(), "a");
  EXPECT_EQ(records[1].version_digest(), "v2");
  EXPECT_EQ(records[1].seq(), (*seqs)[2]);
  // The retracted text is gone; its tombstone stays.
  EXPECT_EQ(records[2].retraction().id(), "c");
  EXPECT_EQ(records[2].seq(), (*retracted)[0]);
  // Reading from inside the removed range skips it.
  auto after_first = log_->Read((*seqs)[0], 10);
  ASSERT_TRUE(after_first.ok());
  ASSERT_EQ(after_first->size(), 3u);
  EXPECT_EQ((*after_first)[0].upsert().id(), "b");
}

// Long reads (the JetStream log fetches them through a consumer instead of
// a request per record) return the live records in seq order, whole, in
// batches of the size asked for. A JetStream server that has not yet
// applied the erase of a superseded record may still return it, before
// its successor (docs/durability.md, "Takedown"): nothing else may appear.
TEST_P(LogContractTest, LongReadsReturnEveryLiveRecordInOrder) {
  std::vector<v1::LogRecord> records;
  for (int i = 0; i < 600; ++i) {
    records.push_back(UpsertRecord(0, absl::StrCat("b", i), "v1"));
  }
  for (int i = 0; i < 600; i += 3) {
    records.push_back(UpsertRecord(0, absl::StrCat("b", i), "v2"));
  }
  auto seqs = AppendRecords(*log_, records);
  ASSERT_TRUE(seqs.ok()) << seqs.status();
  // What must be read: each bulletin's last record, in seq order; what may
  // be: the records they superseded.
  std::set<uint64_t> live;
  std::set<uint64_t> superseded;
  for (int i = 0; i < 600; ++i) {
    (i % 3 != 0 ? live : superseded).insert((*seqs)[i]);
  }
  for (size_t i = 600; i < seqs->size(); ++i) live.insert((*seqs)[i]);
  auto check = [&](const std::vector<uint64_t>& read) {
    EXPECT_TRUE(std::is_sorted(read.begin(), read.end()));
    EXPECT_EQ(std::set<uint64_t>(read.begin(), read.end()).size(), read.size())
        << "a record read twice";
    std::set<uint64_t> live_read;
    for (uint64_t seq : read) {
      if (live.count(seq) > 0) {
        live_read.insert(seq);
      } else {
        EXPECT_EQ(superseded.count(seq), 1u) << "read seq " << seq;
      }
    }
    EXPECT_EQ(live_read, live);
  };

  std::vector<uint64_t> read;
  uint64_t after = 0;
  while (after < log_->head_seq()) {
    auto batch = log_->Read(after, 256);
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_FALSE(batch->empty());
    ASSERT_LE(batch->size(), 256u);
    for (const v1::LogRecord& record : *batch) {
      read.push_back(record.seq());
      EXPECT_EQ(record.upsert().seq(), record.seq());
      EXPECT_EQ(record.upsert().headline(), "headline " + record.upsert().id());
    }
    after = batch->back().seq();
  }
  check(read);
  // One read for everything (which the JetStream log fetches) gives the
  // same.
  auto whole = log_->Read(0, 1000);
  ASSERT_TRUE(whole.ok()) << whole.status();
  std::vector<uint64_t> whole_seqs;
  for (const v1::LogRecord& record : *whole) whole_seqs.push_back(record.seq());
  check(whole_seqs);
  EXPECT_EQ(whole_seqs.back(), *live.rbegin());
}

// What the Feed's ReadRecords answers with: the record at each seq the log
// holds, and the other seqs named missing. A record replaced by a later
// one may still be returned on JetStream until its erase reaches every
// server (as in LongReadsReturnEveryLiveRecordInOrder): then it is the
// record written at that seq, never another.
TEST_P(LogContractTest, ReadsTheRecordsAtTheSeqsItHolds) {
  auto seqs = AppendRecords(
      *log_, {UpsertRecord(0, "a", "v1"), UpsertRecord(0, "b", "v1"),
              UpsertRecord(0, "a", "v2")});
  ASSERT_TRUE(seqs.ok()) << seqs.status();
  auto retracted = AppendRecords(*log_, {RetractionRecord(0, "b")});
  ASSERT_TRUE(retracted.ok()) << retracted.status();
  const uint64_t a1 = (*seqs)[0];
  const uint64_t b1 = (*seqs)[1];
  const uint64_t a2 = (*seqs)[2];
  const uint64_t b_retracted = (*retracted)[0];
  const uint64_t beyond = b_retracted + 100;
  absl::StatusOr<RecordsAtSeqs> found =
      ReadRecordsAtSeqs(*log_, {a1, b1, a2, b_retracted, beyond});
  ASSERT_TRUE(found.ok()) << found.status();
  std::set<uint64_t> answered(found->missing.begin(), found->missing.end());
  for (const v1::LogRecord& record : found->records) {
    EXPECT_TRUE(answered.insert(record.seq()).second) << record.seq();
    if (record.seq() == a1 || record.seq() == a2) {
      EXPECT_EQ(record.upsert().id(), "a");
      EXPECT_EQ(record.version_digest(), record.seq() == a1 ? "v1" : "v2");
    } else if (record.seq() == b1) {
      EXPECT_EQ(record.upsert().id(), "b");
    } else {
      EXPECT_EQ(record.seq(), b_retracted);
      EXPECT_EQ(record.retraction().id(), "b");
    }
  }
  EXPECT_EQ(answered, (std::set<uint64_t>{a1, b1, a2, b_retracted, beyond}));
  // Each bulletin's last record is there, and nothing past the head.
  EXPECT_THAT(found->missing, ::testing::Contains(beyond));
  EXPECT_THAT(found->missing, ::testing::Not(::testing::Contains(a2)));
  EXPECT_THAT(found->missing, ::testing::Not(::testing::Contains(b_retracted)));
}

TEST_P(LogContractTest, ReadBeyondTheHeadIsOutOfRange) {
  ASSERT_TRUE(AppendRecords(*log_, {UpsertRecord(0, "a", "v")}).ok());
  EXPECT_EQ(log_->Read(log_->head_seq() + 1, 10).status().code(),
            absl::StatusCode::kOutOfRange);
  auto at_head = log_->Read(log_->head_seq(), 10);
  ASSERT_TRUE(at_head.ok());
  EXPECT_TRUE(at_head->empty());
}

TEST_P(LogContractTest, WaitForHeadAboveWakesOnAppendAndEndsAtDeadline) {
  EXPECT_EQ(log_->WaitForHeadAbove(0, absl::Now() + absl::Milliseconds(20)),
            0u);
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    EXPECT_TRUE(AppendRecords(*log_, {UpsertRecord(0, "a", "v")}).ok());
  });
  EXPECT_GT(log_->WaitForHeadAbove(0, absl::Now() + absl::Seconds(30)), 0u);
  writer.join();
}

TEST_P(LogContractTest, CloseWakesWaitersAndRefusesAppends) {
  std::thread closer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    log_->Close();
  });
  EXPECT_EQ(log_->WaitForHeadAbove(0, absl::InfiniteFuture()), 0u);
  closer.join();
  EXPECT_TRUE(log_->closed());
  EXPECT_EQ(AppendRecords(*log_, {UpsertRecord(0, "a", "v")}).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_P(LogContractTest, ReopenKeepsRecordsHeadIdAndConditions) {
  auto seqs = AppendRecords(
      *log_, {UpsertRecord(0, "a", "v1"), UpsertRecord(0, "b", "v1")});
  ASSERT_TRUE(seqs.ok());
  const LogIdentity before = log_->identity();
  log_.reset();
  log_ = OpenOrDie();
  ASSERT_NE(log_, nullptr);
  EXPECT_EQ(log_->head_seq(), (*seqs)[1]);
  EXPECT_EQ(log_->identity().log_id, before.log_id);
  EXPECT_EQ(ReadAll(*log_).size(), 2u);
  // A reader that followed the log before it reopened may go on.
  EXPECT_TRUE(log_->CheckPosition(before, (*seqs)[1]).ok());
  // The history has the epoch that reader saw, whether reopening began a
  // new one (LevelDB) or not (JetStream, whose stream did not go back).
  const std::vector<EpochStart> epochs = log_->epochs();
  ASSERT_FALSE(epochs.empty());
  EXPECT_EQ(epochs.back().epoch, log_->identity().epoch);
  EXPECT_TRUE(std::any_of(
      epochs.begin(), epochs.end(),
      [&](const EpochStart& epoch) { return epoch.epoch == before.epoch; }));
  auto stale = log_->Append({Conditional(UpsertRecord(0, "a", "v2"), 0)});
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ((*stale)[0].status.code(), absl::StatusCode::kFailedPrecondition);
  auto next =
      log_->Append({Conditional(UpsertRecord(0, "a", "v2"), (*seqs)[0])});
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE((*next)[0].status.ok()) << (*next)[0].status;
  EXPECT_GT((*next)[0].seq, (*seqs)[1]);
}

TEST_P(LogContractTest, APositionFromAnotherLogIsRefused) {
  ASSERT_TRUE(AppendRecords(*log_, {UpsertRecord(0, "a", "v")}).ok());
  const LogIdentity identity = log_->identity();
  EXPECT_TRUE(log_->CheckPosition(identity, log_->head_seq()).ok());
  EXPECT_TRUE(log_->CheckPosition({"some-other-log", 1}, 0).ok());
  EXPECT_EQ(log_->CheckPosition({"some-other-log", identity.epoch}, 1).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(log_->CheckPosition(identity, log_->head_seq() + 5).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Writers that each read a bulletin's last seq and append on it, racing:
// every append that succeeds extends the history the others then see, so
// the successes form one chain and none is lost.
TEST_P(LogContractTest, RacingConditionalWritersKeepOneLinearHistory) {
  std::unique_ptr<BulletinLog> second_owner;
  absl::StatusOr<std::unique_ptr<BulletinLog>> second =
      backend_->OpenSecondWriter();
  ASSERT_TRUE(second.ok()) << second.status();
  second_owner = *std::move(second);
  BulletinLog* writers[2] = {log_.get(),
                             second_owner ? second_owner.get() : log_.get()};
  constexpr int kAppendsPerWriter = 25;
  struct {
    Mutex mu;
    std::set<std::pair<uint64_t, uint64_t>> chain  // (expected, seq)
        ABSL_GUARDED_BY(mu);
  } successes;
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      int written = 0;
      while (written < kAppendsPerWriter) {
        // The writer's view of the last seq: what it reads from the log.
        uint64_t last = 0;
        auto records = writers[w]->Read(0, 100000);
        ASSERT_TRUE(records.ok()) << records.status();
        for (const v1::LogRecord& record : *records) {
          if (record.upsert().id() == "x") last = record.seq();
        }
        auto outcome = writers[w]->Append({Conditional(
            UpsertRecord(0, "x", absl::StrCat("w", w, "-", written)), last)});
        ASSERT_TRUE(outcome.ok()) << outcome.status();
        if ((*outcome)[0].status.ok()) {
          MutexLock lock(&successes.mu);
          successes.chain.insert({last, (*outcome)[0].seq});
          ++written;
        } else {
          ASSERT_EQ((*outcome)[0].status.code(),
                    absl::StatusCode::kFailedPrecondition);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  MutexLock lock(&successes.mu);
  ASSERT_EQ(successes.chain.size(), 2u * kAppendsPerWriter);
  // Each success names the one before it: follow the chain from 0.
  uint64_t at = 0;
  for (const auto& [expected, seq] : successes.chain) {
    EXPECT_EQ(expected, at)
        << "chain: " << ::testing::PrintToString(successes.chain);
    at = seq;
  }
  std::vector<v1::LogRecord> records = ReadAll(*log_);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].seq(), at);
}

TEST_P(LogContractTest, AnAppendDecidedBeforeTheLogWentOnIsRefused) {
  auto first = AppendRecords(*log_, {UpsertRecord(0, "a", "v")});
  ASSERT_TRUE(first.ok()) << first.status();
  // Decided before "a" was appended: refused, though its own bulletin is
  // untouched.
  LogAppend stale = Conditional(UpsertRecord(0, "b", "v"), 0);
  stale.read_through_seq = 0;
  auto refused = log_->Append({stale});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ((*refused)[0].status.code(), absl::StatusCode::kFailedPrecondition)
      << (*refused)[0].status;
  EXPECT_EQ(log_->head_seq(), (*first)[0]);
  // Decided at the head: written, and so is the next entry of the call.
  LogAppend fresh = Conditional(UpsertRecord(0, "b", "v"), 0);
  fresh.read_through_seq = log_->head_seq();
  LogAppend next = Conditional(UpsertRecord(0, "c", "v"), 0);
  next.read_through_seq = log_->head_seq();
  auto written = log_->Append({fresh, next});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE((*written)[0].status.ok()) << (*written)[0].status;
  EXPECT_TRUE((*written)[1].status.ok()) << (*written)[1].status;
  EXPECT_EQ(ReadAll(*log_).size(), 3u);
}

TEST_P(LogContractTest, ReportsEachDurableAppendToItsMetrics) {
  MetricsRegistry registry;
  LogMetrics metrics(&registry, [] { return uint64_t{0}; });
  backend_->set_metrics(&metrics);
  log_.reset();
  log_ = OpenOrDie();
  ASSERT_NE(log_, nullptr);
  // Opening writes nothing a submitter waits on.
  EXPECT_THAT(
      registry.Render(),
      ::testing::Not(::testing::HasSubstr("bulletin_log_sync_seconds_count")));
  ASSERT_TRUE(AppendRecords(*log_, {UpsertRecord(0, "a", "v")}).ok());
  ASSERT_TRUE(AppendRecords(
                  *log_, {UpsertRecord(0, "b", "v"), UpsertRecord(0, "c", "v")})
                  .ok());
  // One synced write (or one round of PubAcks) per Append.
  EXPECT_THAT(registry.Render(),
              ::testing::HasSubstr("\nbulletin_log_sync_seconds_count 2\n"));
}

INSTANTIATE_TEST_SUITE_P(
    Backends, LogContractTest, ::testing::ValuesIn(Backends()),
    [](const ::testing::TestParamInfo<LogBackendFactory>& info) {
      return info.param.name;
    });

}  // namespace
}  // namespace bulletin
