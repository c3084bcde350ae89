// Which Watch positions a replica accepts for the log it serves
// (query-service/served_log.h).

#include "query-service/served_log.h"

#include "common/server/error_details.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

std::string ReasonOf(const absl::Status& status) {
  auto info = ErrorInfoOf(status);
  return info.has_value() ? info->reason() : "(none)";
}

TEST(ServedLogTest, ChecksAPositionAgainstTheLogsHistory) {
  ServedLog served;
  // Epoch 2 began at seq 10 (ingest restarted at head 9); epoch 3 at seq 15,
  // after a restore from a copy that ended at seq 14.
  served.Heard({"log-a", 3}, {{1, 1}, {2, 10}, {3, 15}});
  const uint64_t generation = served.generation();
  EXPECT_TRUE(served.CheckResume(generation, {"log-a", 3}, 40).ok());
  EXPECT_TRUE(served.CheckResume(generation, {"log-a", 1}, 9).ok());
  EXPECT_TRUE(served.CheckResume(generation, {"log-a", 2}, 14).ok());
  // Without a log id: by seq alone, as before identities.
  EXPECT_TRUE(served.CheckResume(generation, {}, 40).ok());

  // Seq 16 of epoch 2 was lost with the restore.
  absl::Status lost = served.CheckResume(generation, {"log-a", 2}, 16);
  EXPECT_EQ(lost.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(lost), kReasonResyncRequired);
  absl::Status other = served.CheckResume(generation, {"log-b", 1}, 5);
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(other), kReasonResyncRequired);
  EXPECT_EQ(ErrorInfoOf(other)->metadata().at("log_id"), "log-a");
  EXPECT_NE(other.message().find("log-b"), absl::string_view::npos);

  // An epoch this replica has not followed yet: not a refusal.
  absl::Status ahead = served.CheckResume(generation, {"log-a", 4}, 50);
  EXPECT_EQ(ahead.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(ahead), kReasonLogUnavailable);
  EXPECT_TRUE(RetryInfoOf(ahead).has_value());
}

TEST(ServedLogTest, StampsEachSeqWithTheEpochThatWroteIt) {
  ServedLog served;
  served.Heard({"log-a", 2}, {{1, 1}, {2, 10}});
  const uint64_t generation = served.generation();
  EXPECT_EQ(served.IdentityOf(generation, 9)->epoch, 1u);
  EXPECT_EQ(served.IdentityOf(generation, 10)->epoch, 2u);
  EXPECT_EQ(served.IdentityOf(generation, 10)->log_id, "log-a");
}

TEST(ServedLogTest, ASnapshotsLogIsPlacedOnceItsHistoryIsHeard) {
  ServedLog served;
  served.Loaded({"log-a", 2});
  const uint64_t generation = served.generation();
  EXPECT_TRUE(served.CheckResume(generation, {"log-a", 2}, 7).ok());
  absl::Status earlier = served.CheckResume(generation, {"log-a", 1}, 7);
  EXPECT_EQ(earlier.code(), absl::StatusCode::kUnavailable);
  served.Heard({"log-a", 3}, {{1, 1}, {2, 5}, {3, 9}});
  EXPECT_EQ(served.generation(), generation);  // The same log, continued.
  EXPECT_TRUE(served.CheckResume(generation, {"log-a", 1}, 4).ok());
}

TEST(ServedLogTest, AReplacementEndsWhatWasOpenedBefore) {
  ServedLog served;
  served.Heard({"log-a", 1}, {{1, 1}});
  const uint64_t before = served.generation();
  served.BeginReplace();
  // Under way: a Watch opened now, or a Search answered, cannot tell which
  // index it read.
  EXPECT_EQ(served.CheckResume(served.generation(), {}, 0).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE(served.IdentityOf(served.generation(), 3).ok());
  served.Replaced({"log-b", 1}, {{1, 1}});
  EXPECT_EQ(served.CheckResume(before, {}, 0).code(),
            absl::StatusCode::kUnavailable);
  absl::StatusOr<LogIdentity> stale = served.IdentityOf(before, 3);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(stale.status()), kReasonResyncRequired);
  EXPECT_EQ(served.IdentityOf(served.generation(), 3)->log_id, "log-b");

  // An empty replica that meets a new log replaces nothing it served.
  ServedLog empty;
  EXPECT_FALSE(empty.Heard({"log-a", 1}, {{1, 1}}));
  EXPECT_TRUE(empty.Heard({"log-c", 1}, {{1, 1}}));
}

}  // namespace
}  // namespace bulletin
