// What the JetStream log does when its cluster is not there: it starts
// anyway and becomes ready when the cluster comes, reports why it is not
// ready meanwhile, fails appends and reads at once instead of waiting, stops
// for good on a stream configured otherwise, and never lets one lost PubAck
// block the appends after it. The shared contract is in log_contract_test.cc.

#include "ingest-service/log/jetstream_log.h"

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/nats_cluster.h"

namespace bulletin {
namespace {

using testing::AppendRecords;
using ::testing::HasSubstr;
using testing::UpsertRecord;

// A one-server cluster: what these tests need of a cluster is that it can be
// away, and one server starts fastest.
class JetStreamLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::NatsCluster>> cluster =
        testing::NatsCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    options_.servers = cluster_->urls();
    options_.stream = absl::StrCat("AVAILABILITY", getpid());
    options_.replicas = 1;
    // Short, so that the test does not wait long for what must time out.
    options_.request_timeout = absl::Seconds(1);
  }

  // Waits until `log` reports `code`; the last readiness seen.
  absl::Status WaitForReadiness(const JetStreamLog& log,
                                absl::StatusCode code) {
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    absl::Status readiness = log.Readiness();
    while (readiness.code() != code && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(20));
      readiness = log.Readiness();
    }
    return readiness;
  }

  std::unique_ptr<testing::NatsCluster> cluster_;
  JetStreamLog::Options options_;
};

TEST_F(JetStreamLogTest, StartsWithoutItsClusterAndIsReadyWhenItComes) {
  cluster_->Kill(0);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Start(options_);
  ASSERT_TRUE(log.ok()) << log.status();

  // Not ready, and once the first attempt has failed, saying so.
  absl::Status readiness = (*log)->Readiness();
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (readiness.message().find("cannot connect") ==
             absl::string_view::npos &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    readiness = (*log)->Readiness();
  }
  EXPECT_EQ(readiness.code(), absl::StatusCode::kUnavailable) << readiness;
  EXPECT_THAT(readiness.message(), HasSubstr("NATS JetStream is unreachable"));
  EXPECT_THAT(readiness.message(), HasSubstr(options_.servers[0]));
  EXPECT_TRUE((*log)->identity().log_id.empty());
  // Not ready: appends and reads fail at once, saying why.
  absl::StatusOr<std::vector<uint64_t>> appended =
      AppendRecords(**log, {UpsertRecord(0, "a", "v")});
  EXPECT_EQ(appended.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(appended.status().message(), HasSubstr(options_.servers[0]));
  EXPECT_EQ((*log)->Read(0, 10).status().code(),
            absl::StatusCode::kUnavailable);

  ASSERT_TRUE(cluster_->Restart(0).ok());
  const absl::Status ready =
      (*log)->WaitUntilReady(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(ready.ok()) << ready;
  EXPECT_FALSE((*log)->identity().log_id.empty());
  appended = AppendRecords(**log, {UpsertRecord(0, "a", "v")});
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ((*log)->head_seq(), (*appended)[0]);
}

TEST_F(JetStreamLogTest, LosingItsClusterMakesItUnavailableUntilItReturns) {
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(log.ok()) << log.status();
  absl::StatusOr<std::vector<uint64_t>> before =
      AppendRecords(**log, {UpsertRecord(0, "a", "v")});
  ASSERT_TRUE(before.ok()) << before.status();

  cluster_->Kill(0);
  const absl::Status lost =
      WaitForReadiness(**log, absl::StatusCode::kUnavailable);
  EXPECT_EQ(lost.code(), absl::StatusCode::kUnavailable) << lost;
  EXPECT_THAT(lost.message(), HasSubstr("NATS JetStream is unreachable"));
  absl::StatusOr<std::vector<uint64_t>> during =
      AppendRecords(**log, {UpsertRecord(0, "b", "v")});
  EXPECT_EQ(during.status().code(), absl::StatusCode::kUnavailable)
      << during.status();
  // A reader's position cannot be judged now, which is not a refusal (that
  // would make a replica rebuild).
  EXPECT_EQ((*log)->CheckPosition((*log)->identity(), (*before)[0] + 1).code(),
            absl::StatusCode::kUnavailable);

  ASSERT_TRUE(cluster_->Restart(0).ok());
  const absl::Status back =
      (*log)->WaitUntilReady(absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(back.ok()) << back;
  absl::StatusOr<std::vector<uint64_t>> after =
      AppendRecords(**log, {UpsertRecord(0, "c", "v")});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_GT((*after)[0], (*before)[0]);
  absl::StatusOr<std::vector<v1::LogRecord>> records = (*log)->Read(0, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_GE(records->size(), 2u);
  EXPECT_EQ(records->front().upsert().id(), "a");
  EXPECT_EQ(records->back().upsert().id(), "c");
}

// A PubAck that never comes (the server took the message and died) once
// left the publish pending in nats.c's context for good, and every later
// append waited for it in vain. A frozen server holds the message unread
// until it is killed: deterministic loss of the PubAck.
TEST_F(JetStreamLogTest, APubAckLostWithItsServerDoesNotBlockLaterAppends) {
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE(AppendRecords(**log, {UpsertRecord(0, "a", "v")}).ok());

  cluster_->Freeze(0);
  absl::StatusOr<std::vector<uint64_t>> unanswered =
      AppendRecords(**log, {UpsertRecord(0, "b", "v")});
  EXPECT_EQ(unanswered.status().code(), absl::StatusCode::kUnavailable)
      << unanswered.status();
  ASSERT_TRUE(cluster_->Restart(0).ok());
  ASSERT_TRUE((*log)->WaitUntilReady(absl::Now() + absl::Seconds(60)).ok());

  absl::StatusOr<std::vector<uint64_t>> later =
      AppendRecords(**log, {UpsertRecord(0, "c", "v")});
  ASSERT_TRUE(later.ok()) << later.status();
}

TEST_F(JetStreamLogTest, AStreamConfiguredOtherwiseStopsItForGood) {
  {
    absl::StatusOr<std::unique_ptr<JetStreamLog>> creator =
        JetStreamLog::Open(options_);
    ASSERT_TRUE(creator.ok()) << creator.status();
  }
  options_.dedup_window = absl::Minutes(5);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Start(options_);
  ASSERT_TRUE(log.ok()) << log.status();
  const absl::Status refused =
      (*log)->WaitUntilReady(absl::Now() + absl::Seconds(60));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("duplicate window"));
  EXPECT_EQ((*log)->Readiness(), refused);
}

}  // namespace
}  // namespace bulletin
