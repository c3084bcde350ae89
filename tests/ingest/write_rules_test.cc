// The write semantics of ../shared/BRIEF.md ("Writes"), through the
// GroupCommitter on a real log: versions and results, request-id retries
// (the late retry of an older version above all), preconditions, sources,
// retention; and the WriteRules' retention and bounds at chosen times.

#include "ingest-service/commit/write_rules.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "gtest/gtest.h"
#include "ingest-service/commit/group_committer.h"
#include "ingest-service/log/leveldb_log.h"
#include "tests/ingest/controlled_log.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::BulletinWithId;
using testing::ControlledLog;

WriteConditions Request(const std::string& request_id) {
  WriteConditions conditions;
  conditions.request_id = request_id;
  return conditions;
}

WriteConditions Expecting(int64_t version) {
  WriteConditions conditions;
  conditions.expected_version = version;
  return conditions;
}

// The one record the log keeps for `id`.
v1::LogRecord LastRecordOf(const BulletinLog& log, const std::string& id) {
  absl::StatusOr<std::vector<v1::LogRecord>> records = log.Read(0, 1000);
  EXPECT_TRUE(records.ok()) << records.status();
  v1::LogRecord found;
  for (const v1::LogRecord& record : *records) {
    if (BulletinIdOf(record) == id) found = record;
  }
  return found;
}

class WriteRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto committer = GroupCommitter::Start(&log_, {});
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
  }
  absl::StatusOr<CommitResult> Submit(const std::string& digest,
                                      WriteConditions conditions = {},
                                      const std::string& source = "") {
    return committer_->Upsert(BulletinWithId("a"), digest, source,
                              std::move(conditions));
  }

  ControlledLog log_;
  std::unique_ptr<GroupCommitter> committer_;
};

TEST_F(WriteRulesTest, VersionsCountUpAndResultsSayWhatHappened) {
  auto created = Submit("v1");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(created->result, v1::WRITE_RESULT_CREATED);
  auto updated = Submit("v2");
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->version, 2);
  EXPECT_EQ(updated->result, v1::WRITE_RESULT_UPDATED);
  const uint64_t head = log_.head_seq();
  auto unchanged = Submit("v2");
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->version, 2);
  EXPECT_EQ(unchanged->result, v1::WRITE_RESULT_UNCHANGED);
  EXPECT_EQ(unchanged->seq, updated->seq);
  EXPECT_EQ(log_.head_seq(), head) << "UNCHANGED without request_id wrote";
  EXPECT_EQ(LastRecordOf(log_, "a").upsert().version(), 2);
}

// The lost update of issue 18: version 1, version 2, then a late retry of
// version 1. The retry gets its first outcome and the bulletin stays at 2.
TEST_F(WriteRulesTest, ALateRetryGetsItsFirstOutcomeAndChangesNothing) {
  auto first = Submit("v1", Request("r1"));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(Submit("v2", Request("r2")).ok());
  const uint64_t head = log_.head_seq();
  auto retry = Submit("v1", Request("r1"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->version, 1);
  EXPECT_EQ(retry->seq, first->seq);
  EXPECT_EQ(retry->result, v1::WRITE_RESULT_CREATED);
  EXPECT_EQ(log_.head_seq(), head);
  EXPECT_EQ(LastRecordOf(log_, "a").upsert().version(), 2);
  EXPECT_EQ(LastRecordOf(log_, "a").version_digest(), "v2");
  // Without a request_id the same late submission is a new version: the
  // reason to send one.
  auto unkeyed = Submit("v1");
  ASSERT_TRUE(unkeyed.ok());
  EXPECT_EQ(unkeyed->version, 3);
}

// An UNCHANGED submit with a request_id is written (to remember it), so its
// retry after a later version is still answered UNCHANGED, not applied.
TEST_F(WriteRulesTest, AnUnchangedRequestIsRememberedToo) {
  ASSERT_TRUE(Submit("v1", Request("r1")).ok());
  auto unchanged = Submit("v1", Request("r2"));
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->result, v1::WRITE_RESULT_UNCHANGED);
  EXPECT_EQ(unchanged->version, 1);
  ASSERT_TRUE(Submit("v2", Request("r3")).ok());
  auto retry = Submit("v1", Request("r2"));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->result, v1::WRITE_RESULT_UNCHANGED);
  EXPECT_EQ(retry->version, 1);
  EXPECT_EQ(LastRecordOf(log_, "a").upsert().version(), 2);
}

TEST_F(WriteRulesTest, ARequestIdReusedForOtherContentIsRefused) {
  ASSERT_TRUE(Submit("v1", Request("r1")).ok());
  auto reused = Submit("v2", Request("r1"));
  ASSERT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(reused.status().message().find("r1"), absl::string_view::npos);
  ASSERT_TRUE(ErrorInfoOf(reused.status()).has_value());
  EXPECT_EQ(ErrorInfoOf(reused.status())->reason(), "REQUEST_ID_REUSED");
  auto as_retraction = committer_->Retract("a", "", Request("r1"));
  EXPECT_EQ(as_retraction.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(WriteRulesTest, ExpectedVersionIsAPrecondition) {
  auto must_be_new = Submit("v1", Expecting(0));
  ASSERT_TRUE(must_be_new.ok()) << must_be_new.status();
  auto not_new = Submit("v2", Expecting(0));
  ASSERT_EQ(not_new.status().code(), absl::StatusCode::kFailedPrecondition);
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(not_new.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "VERSION_MISMATCH");
  EXPECT_EQ(info->domain(), kErrorDomain);
  EXPECT_EQ(info->metadata().at("current_version"), "1");
  auto stale = Submit("v2", Expecting(7));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  auto current = Submit("v2", Expecting(1));
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version, 2);
  EXPECT_EQ(committer_->Retract("a", "", Expecting(1)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(committer_->Retract("a", "", Expecting(2)).ok());
  // Retracted: it does not exist, so 0 holds again, and the count goes on.
  auto again = Submit("v3", Expecting(0));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->version, 3);
  EXPECT_EQ(again->result, v1::WRITE_RESULT_CREATED);
}

// A retried Retract gets its first outcome, even after the bulletin came
// back; one without a matching request_id finds nothing to retract.
TEST_F(WriteRulesTest, ARetriedRetractionGetsItsFirstOutcome) {
  ASSERT_TRUE(Submit("v1").ok());
  auto retracted = committer_->Retract("a", "wrong", Request("x1"));
  ASSERT_TRUE(retracted.ok()) << retracted.status();
  EXPECT_EQ(retracted->version, 1);
  auto retried = committer_->Retract("a", "wrong", Request("x1"));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->seq, retracted->seq);
  EXPECT_EQ(committer_->Retract("a", "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(committer_->Retract("a", "", Request("x2")).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(Submit("v2").ok());
  auto late = committer_->Retract("a", "wrong", Request("x1"));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->seq, retracted->seq);
  EXPECT_TRUE(LastRecordOf(log_, "a").has_upsert()) << "the retry retracted";
}

TEST_F(WriteRulesTest, OnlyTheOwnerRetractsWhenTheCallerIsBound) {
  ASSERT_TRUE(Submit("v1", {}, "cms-a").ok());
  EXPECT_EQ(LastRecordOf(log_, "a").upsert().source(), "cms-a");
  WriteConditions other;
  other.owner = "cms-b";
  auto refused = committer_->Retract("a", "", other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(LastRecordOf(log_, "a").has_upsert());
  WriteConditions owner;
  owner.owner = "cms-a";
  EXPECT_TRUE(committer_->Retract("a", "", owner).ok());
}

// What the rules remember lives in the log record: a committer started
// afresh on the same (compacted) log still answers a retry.
TEST(WriteRulesRestartTest, RequestsSurviveARestartAndCompaction) {
  testing::TempDir dir;
  for (int run = 0; run < 2; ++run) {
    auto log = LevelDbLog::Open(dir.path(), {});
    ASSERT_TRUE(log.ok()) << log.status();
    auto committer = GroupCommitter::Start(log->get(), {});
    ASSERT_TRUE(committer.ok());
    if (run == 0) {
      ASSERT_TRUE((*committer)
                      ->Upsert(BulletinWithId("a"), "v1", "", Request("r1"))
                      .ok());
      ASSERT_TRUE((*committer)
                      ->Upsert(BulletinWithId("a"), "v2", "", Request("r2"))
                      .ok());
      continue;
    }
    auto records = (*log)->Read(0, 100);
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(records->size(), 1u) << "the superseded version was kept";
    auto retry =
        (*committer)->Upsert(BulletinWithId("a"), "v1", "", Request("r1"));
    ASSERT_TRUE(retry.ok()) << retry.status();
    EXPECT_EQ(retry->version, 1);
    EXPECT_EQ(retry->result, v1::WRITE_RESULT_CREATED);
  }
}

// The reasons only a committer under pressure gives: contended past its
// retries, and stopped.
TEST(WriteRulesReasonsTest, ContendedAndShuttingDownCarryReasonAndRetryInfo) {
  ControlledLog log;
  auto committer = GroupCommitter::Start(&log, {});
  ASSERT_TRUE(committer.ok());
  log.LoseEveryCondition(true);
  auto contended = (*committer)->Upsert(BulletinWithId("a"), "v1");
  ASSERT_EQ(contended.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ErrorInfoOf(contended.status())->reason(), kReasonContended);
  EXPECT_TRUE(RetryInfoOf(contended.status()).has_value());
  (*committer)->Stop();
  auto stopped = (*committer)->Upsert(BulletinWithId("a"), "v1");
  ASSERT_EQ(stopped.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ErrorInfoOf(stopped.status())->reason(), kReasonShuttingDown);
  EXPECT_TRUE(RetryInfoOf(stopped.status()).has_value());
}

// A record written before versions existed counts as version 1.
TEST(WriteRulesLegacyTest, RecordsWithoutVersionsCountAsVersionOne) {
  ControlledLog log;
  ASSERT_TRUE(
      testing::AppendRecords(log, {testing::UpsertRecord(0, "a", "old")}).ok());
  auto committer = GroupCommitter::Start(&log, {});
  ASSERT_TRUE(committer.ok());
  auto next = (*committer)->Upsert(BulletinWithId("a"), "new");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->version, 2);
  EXPECT_EQ(next->result, v1::WRITE_RESULT_UPDATED);
}

// Retention and bounds, decided at chosen times.
TEST(WriteRulesRetentionTest, ForgetsRequestsPastRetentionAndBeyondTheBound) {
  WriteRules::Options options;
  options.request_retention = absl::Hours(24);
  options.max_requests_per_bulletin = 3;
  const WriteRules rules(options);
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  VersionIndex index;
  uint64_t seq = 0;
  // Writes version `digest` with `request_id` at `at`, as the committer
  // would, and applies the record.
  auto write = [&](const std::string& digest, const std::string& request_id,
                   absl::Time at) {
    Change change;
    change.id = "a";
    change.bulletin = BulletinWithId("a");
    change.version_digest = digest;
    change.conditions.request_id = request_id;
    WriteDecision decision = rules.Decide(index.Find("a"), change, at);
    ASSERT_FALSE(decision.answer.has_value());
    decision.record.set_seq(++seq);
    index.Apply(decision.record);
  };
  auto remembered = [&] {
    std::vector<std::string> ids;
    for (const auto& request : index.Find("a")->requests) {
      ids.push_back(request.request_id());
    }
    return ids;
  };
  write("v1", "r1", start);
  write("v2", "r2", start + absl::Hours(1));
  EXPECT_EQ(remembered(), (std::vector<std::string>{"r1", "r2"}));
  // 25 hours on, r1 is past the retention, r2 (24 h old) is not.
  write("v3", "r3", start + absl::Hours(25));
  EXPECT_EQ(remembered(), (std::vector<std::string>{"r2", "r3"}));
  // The bound keeps the newest.
  write("v4", "r4", start + absl::Hours(25));
  write("v5", "r5", start + absl::Hours(25));
  EXPECT_EQ(remembered(), (std::vector<std::string>{"r3", "r4", "r5"}));
  // A write without a request_id forgets nothing young.
  write("v6", "", start + absl::Hours(26));
  EXPECT_EQ(remembered(), (std::vector<std::string>{"r3", "r4", "r5"}));
  // Each remembered request has the seq of the record it wrote.
  EXPECT_EQ(index.Find("a")->requests.back().seq(), 5u);
}

}  // namespace
}  // namespace bulletin
