#include "ingest-service/commit/group_committer.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/error_details.h"
#include "gtest/gtest.h"
#include "ingest-service/log/leveldb_log.h"
#include "tests/ingest/controlled_log.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::BulletinWithId;
using testing::ControlledLog;

std::unique_ptr<GroupCommitter> StartOrDie(
    BulletinLog* log, GroupCommitter::Options options = {}) {
  auto committer = GroupCommitter::Start(log, options);
  EXPECT_TRUE(committer.ok()) << committer.status();
  return committer.ok() ? *std::move(committer) : nullptr;
}

TEST(GroupCommitterTest, AssignsConsecutiveSeqsAndStampsRecords) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  auto first = committer->Upsert(BulletinWithId("a"), "v1");
  auto second = committer->Upsert(BulletinWithId("b"), "v1");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->seq, 1u);
  EXPECT_EQ(second->seq, 2u);
  EXPECT_FALSE(first->duplicate());
  auto records = log.Read(0, 10);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].upsert().seq(), 1u);
  EXPECT_GT((*records)[0].upsert().ingested_at_micros(), 0);
  EXPECT_EQ((*records)[0].version_digest(), "v1");
}

TEST(GroupCommitterTest, SameVersionIsADuplicateAndWritesNothing) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v1").ok());
  auto again = committer->Upsert(BulletinWithId("a"), "v1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate());
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(log.head_seq(), 1u);
}

TEST(GroupCommitterTest, NewVersionOfAnIdIsACorrection) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v1").ok());
  auto corrected = committer->Upsert(BulletinWithId("a"), "v2");
  ASSERT_TRUE(corrected.ok());
  EXPECT_FALSE(corrected->duplicate());
  EXPECT_EQ(corrected->seq, 2u);
  EXPECT_EQ(committer->live_count(), 1);
}

TEST(GroupCommitterTest, RetractsOnlyLiveIds) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  EXPECT_EQ(committer->Retract("a", "").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v1").ok());
  auto retracted = committer->Retract("a", "withdrawn by the desk");
  ASSERT_TRUE(retracted.ok());
  EXPECT_EQ(retracted->seq, 2u);
  EXPECT_EQ(committer->live_count(), 0);
  EXPECT_EQ(committer->Retract("a", "").status().code(),
            absl::StatusCode::kNotFound);
  // Submitting the same version again brings it back: it is not live.
  auto back = committer->Upsert(BulletinWithId("a"), "v1");
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->duplicate());
  EXPECT_EQ(back->seq, 3u);
}

TEST(GroupCommitterTest, ConcurrentSubmitsOfTheSameTextWriteOnce) {
  testing::TempDir dir;
  auto log = LevelDbLog::Open(dir.path(), {});
  ASSERT_TRUE(log.ok());
  auto committer = StartOrDie(log->get());
  constexpr int kThreads = 8;
  constexpr int kIds = 40;
  std::atomic<int> duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIds; ++i) {
        auto result =
            committer->Upsert(BulletinWithId(absl::StrCat("id", i)), "v");
        ASSERT_TRUE(result.ok()) << result.status();
        if (result->duplicate()) ++duplicates;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ((*log)->head_seq(), static_cast<uint64_t>(kIds));
  EXPECT_EQ(duplicates.load(), kThreads * kIds - kIds);
  auto records = (*log)->Read(0, 1000);
  ASSERT_TRUE(records.ok());
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].seq(), i + 1);
  }
}

TEST(GroupCommitterTest, FailedAppendReportsUnavailableAndForgetsTheBatch) {
  ControlledLog log;
  std::atomic<int> reported{0};
  GroupCommitter::Options options;
  options.on_log_failure = [&reported](const absl::Status&) { ++reported; };
  auto committer = StartOrDie(&log, options);
  log.FailAppends(absl::UnavailableError("disk full"));
  auto failed = committer->Upsert(BulletinWithId("a"), "v1");
  EXPECT_EQ(reported.load(), 1);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("disk full"),
            absl::string_view::npos);
  EXPECT_EQ(log.head_seq(), 0u);
  log.FailAppends(absl::OkStatus());
  // The retry is written, not mistaken for a duplicate of the failed write.
  auto retried = committer->Upsert(BulletinWithId("a"), "v1");
  ASSERT_TRUE(retried.ok());
  EXPECT_FALSE(retried->duplicate());
  EXPECT_EQ(retried->seq, 1u);
}

// A replicated log's failed append (a leader election) is per call: it is
// no reason to restart ingest.
TEST(GroupCommitterTest, ATransientLogFailureIsNotReportedAsFatal) {
  ControlledLog log;
  std::atomic<int> reported{0};
  GroupCommitter::Options options;
  options.on_log_failure = [&reported](const absl::Status&) { ++reported; };
  auto committer = StartOrDie(&log, options);
  log.FailAppends(absl::UnavailableError("no quorum"), /*transient=*/true);
  EXPECT_EQ(committer->Upsert(BulletinWithId("a"), "v1").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(reported.load(), 0);
  log.FailAppends(absl::OkStatus());
  EXPECT_TRUE(committer->Upsert(BulletinWithId("a"), "v1").ok());
}

// A log that is not ready may not know its head: nothing is decided
// against an index that could not catch up, and the caller learns why.
TEST(GroupCommitterTest, ALogThatIsNotReadyRefusesChangesWithItsReason) {
  ControlledLog log;
  auto committer = StartOrDie(&log, {});
  ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v1").ok());
  log.SetNotReady(absl::UnavailableError("NATS JetStream is unreachable"));
  auto retracted = committer->Retract("a", "takedown");
  EXPECT_EQ(retracted.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(retracted.status().message().find("NATS JetStream is unreachable"),
            absl::string_view::npos);
  auto upserted = committer->Upsert(BulletinWithId("b"), "v1");
  EXPECT_EQ(upserted.status().code(), absl::StatusCode::kUnavailable);
  const uint64_t head = log.head_seq();
  log.SetNotReady(absl::OkStatus());
  EXPECT_TRUE(committer->Retract("a", "takedown").ok());
  EXPECT_GT(log.head_seq(), head);
}

TEST(GroupCommitterTest, RefusesWhenTooManyChangesAreWaiting) {
  ControlledLog log;
  GroupCommitter::Options options;
  options.max_pending = 2;
  options.max_batch = 1;
  auto committer = StartOrDie(&log, options);
  log.Block();
  std::vector<std::thread> waiting;
  // One change is taken by the commit thread and blocks in Append; two more
  // fill the queue.
  for (int i = 0; i < 3; ++i) {
    waiting.emplace_back([&, i] {
      EXPECT_TRUE(
          committer->Upsert(BulletinWithId(absl::StrCat("w", i)), "v").ok());
    });
    if (i == 0) {
      while (log.appends_waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
    }
  }
  while (committer->pending_count() < 2) absl::SleepFor(absl::Milliseconds(1));
  absl::StatusOr<CommitResult> refused =
      committer->Upsert(BulletinWithId("overflow"), "v");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  log.Unblock();
  for (std::thread& thread : waiting) thread.join();
}

TEST(GroupCommitterTest, AChangeStillQueuedAtItsDeadlineIsNotWritten) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  log.Block();
  // "first" is taken by the commit thread and blocks in Append; "late"
  // waits behind it until its deadline passes.
  std::thread first([&] {
    EXPECT_TRUE(committer->Upsert(BulletinWithId("first"), "v").ok());
  });
  while (log.appends_waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
  absl::StatusOr<CommitResult> late =
      committer->Upsert(BulletinWithId("late"), "v", "", {},
                        absl::Now() + absl::Milliseconds(20));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(ErrorInfoOf(late.status()).has_value());
  EXPECT_EQ(ErrorInfoOf(late.status())->reason(), kReasonDeadlinePassed);
  EXPECT_TRUE(RetryInfoOf(late.status()).has_value());
  EXPECT_EQ(committer->pending_count(), 0u);
  log.Unblock();
  first.join();
  // Only "first" reached the log; a retry of "late" is a plain write.
  EXPECT_EQ(log.head_seq(), 1u);
  absl::StatusOr<CommitResult> retried =
      committer->Upsert(BulletinWithId("late"), "v");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->seq, 2u);
}

TEST(GroupCommitterTest, AChangeBeingWrittenAtItsDeadlineGetsItsOutcome) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  log.Block();
  // The deadline only has to outlast the commit thread's taking the change;
  // the test then waits until it has passed before the append may finish.
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  absl::StatusOr<CommitResult> taken = absl::UnknownError("not run");
  std::thread writer([&] {
    taken = committer->Upsert(BulletinWithId("a"), "v", "", {}, deadline);
  });
  while (log.appends_waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
  absl::SleepFor(deadline + absl::Milliseconds(50) - absl::Now());
  log.Unblock();
  writer.join();
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->seq, 1u);
  EXPECT_EQ(log.head_seq(), 1u);
}

TEST(GroupCommitterTest, AChangeMetByAnIdleCommitterIsWrittenByItsCaller) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v").ok());
  EXPECT_EQ(log.appends(), 1);
  EXPECT_EQ(log.last_append_thread(), std::this_thread::get_id());
}

TEST(GroupCommitterTest, ChangesQueuedBehindAWriteShareTheNextAppend) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  log.Block();
  std::vector<std::thread> writers;
  writers.emplace_back([&] {
    EXPECT_TRUE(committer->Upsert(BulletinWithId("first"), "v").ok());
  });
  while (log.appends_waiting() == 0) absl::SleepFor(absl::Milliseconds(1));
  for (const char* id : {"b", "c", "d"}) {
    writers.emplace_back([&, id] {
      EXPECT_TRUE(committer->Upsert(BulletinWithId(id), "v").ok());
    });
  }
  while (committer->pending_count() < 3) absl::SleepFor(absl::Milliseconds(1));
  log.Unblock();
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(log.appends(), 2);
  EXPECT_EQ(log.head_seq(), 4u);
}

TEST(GroupCommitterTest, StopFinishesQueuedWorkThenRefuses) {
  ControlledLog log;
  auto committer = StartOrDie(&log);
  ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v").ok());
  committer->Stop();
  EXPECT_EQ(committer->Upsert(BulletinWithId("b"), "v").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(log.head_seq(), 1u);
}

TEST(GroupCommitterTest, DuplicatesAreRecognisedAfterRestart) {
  testing::TempDir dir;
  {
    auto log = LevelDbLog::Open(dir.path(), {});
    ASSERT_TRUE(log.ok());
    auto committer = StartOrDie(log->get());
    ASSERT_TRUE(committer->Upsert(BulletinWithId("a"), "v1").ok());
    ASSERT_TRUE(committer->Upsert(BulletinWithId("b"), "v1").ok());
    ASSERT_TRUE(committer->Retract("b", "").ok());
  }
  auto log = LevelDbLog::Open(dir.path(), {});
  ASSERT_TRUE(log.ok());
  auto committer = StartOrDie(log->get());
  auto again = committer->Upsert(BulletinWithId("a"), "v1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate());
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(committer->Retract("b", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(committer->live_count(), 1);
}

// Two committers sharing one log stand for two ingest replicas on a shared
// log: racing corrections of one bulletin all land, one after another, and
// each committer sees the other's.
TEST(GroupCommitterTest, CommittersSharingALogKeepOneHistoryPerBulletin) {
  ControlledLog log;
  auto first = StartOrDie(&log);
  auto second = StartOrDie(&log);
  constexpr int kVersions = 30;
  std::vector<uint64_t> seqs[2];
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; ++c) {
    threads.emplace_back([&, c] {
      GroupCommitter* committer = c == 0 ? first.get() : second.get();
      for (int i = 0; i < kVersions; ++i) {
        auto result = committer->Upsert(BulletinWithId("story"),
                                        absl::StrCat("c", c, "-v", i));
        ASSERT_TRUE(result.ok()) << result.status();
        EXPECT_FALSE(result->duplicate());
        seqs[c].push_back(result->seq);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<uint64_t> all(seqs[0].begin(), seqs[0].end());
  all.insert(seqs[1].begin(), seqs[1].end());
  EXPECT_EQ(all.size(), 2u * kVersions);
  // The last version written is the one both now hold as current: a
  // resubmission of it through either is a duplicate.
  auto records = log.Read(0, 100);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ(records->front().seq(), *all.rbegin());
  const std::string last_digest = records->front().version_digest();
  for (GroupCommitter* committer : {first.get(), second.get()}) {
    auto again = committer->Upsert(BulletinWithId("story"), last_digest);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate());
    EXPECT_EQ(again->seq, *all.rbegin());
  }
}

}  // namespace
}  // namespace bulletin
