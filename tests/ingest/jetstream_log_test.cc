// What the JetStream log does when its cluster is not there: it starts
// anyway and becomes ready when the cluster comes, reports why it is not
// ready meanwhile, fails appends and reads at once instead of waiting, stops
// for good on a stream configured otherwise, never lets one lost PubAck
// block the appends after it, and goes on with a batch whose PubAcks were
// lost as soon as the stream answers again, storing it once. The shared
// contract is in log_contract_test.cc.

#include "ingest-service/log/jetstream_log.h"

#include <nats/nats.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/log/bulletin_log.h"
#include "tests/ingest/jetstream_cluster_test.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/tcp_proxy.h"

namespace bulletin {
namespace {

using testing::AppendRecords;
using ::testing::HasSubstr;
using testing::UpsertRecord;

// Waits until `log` reports `code`; the last readiness seen.
absl::Status WaitForReadiness(const JetStreamLog& log, absl::StatusCode code) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  absl::Status readiness = log.Readiness();
  while (readiness.code() != code && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
    readiness = log.Readiness();
  }
  return readiness;
}

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

// What docs/operations.md's restore does to the stream: it is deleted and
// created again from a backup, which holds its configuration (and so its
// identity) and its records up to when it was taken.
class RestoredStreamTest : public JetStreamLogTest {
 protected:
  void SetUp() override {
    JetStreamLogTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(
        natsConnection_ConnectTo(&connection_, cluster_->url_list().c_str()),
        NATS_OK);
    ASSERT_EQ(natsConnection_JetStream(&js_, connection_, nullptr), NATS_OK);
  }
  void TearDown() override {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (connection_ != nullptr) natsConnection_Destroy(connection_);
  }

  // The head mark's text once its seq is `seq` (the log writes it about
  // once a second); empty if it never gets there.
  std::string WaitForHeadMark(uint64_t seq) {
    const std::string stream = options_.stream + "_HEAD";
    const std::string subject = stream + ".mark";
    const std::string wanted = absl::StrCat(" seq=", seq);
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (absl::Now() < give_up) {
      natsMsg* msg = nullptr;
      if (js_GetLastMsg(&msg, js_, stream.c_str(), subject.c_str(), nullptr,
                        nullptr) == NATS_OK) {
        const std::string text(natsMsg_GetData(msg),
                               natsMsg_GetDataLength(msg));
        natsMsg_Destroy(msg);
        if (absl::EndsWith(text, wanted)) return text;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return "";
  }

  // Deletes the stream and creates it again as `backup_config` describes,
  // holding `records` (what the backup held) in order.
  void Restore(const std::string& description,
               const std::vector<v1::LogRecord>& records) {
    ASSERT_EQ(js_DeleteStream(js_, options_.stream.c_str(), nullptr, nullptr),
              NATS_OK);
    const std::string subjects = options_.stream + ".>";
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = options_.stream.c_str();
    config.Description = description.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = 1;
    config.MaxMsgsPerSubject = 2;
    config.Duplicates = absl::ToInt64Nanoseconds(options_.dedup_window);
    config.AllowDirect = true;
    jsStreamInfo* info = nullptr;
    ASSERT_EQ(js_AddStream(&info, js_, &config, nullptr, nullptr), NATS_OK);
    jsStreamInfo_Destroy(info);
    for (const v1::LogRecord& record : records) {
      const std::string payload = record.SerializeAsString();
      const std::string subject =
          absl::StrCat(options_.stream, ".b.", BulletinIdOf(record));
      ASSERT_EQ(js_Publish(nullptr, js_, subject.c_str(), payload.data(),
                           static_cast<int>(payload.size()), nullptr, nullptr),
                NATS_OK);
    }
  }

  std::string Description() {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, options_.stream.c_str(), nullptr,
                         nullptr) != NATS_OK) {
      return "";
    }
    std::string description =
        info->Config->Description != nullptr ? info->Config->Description : "";
    jsStreamInfo_Destroy(info);
    return description;
  }

  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
};

TEST_F(RestoredStreamTest, AStreamBehindItsHeadMarkStartsANewEpoch) {
  LogIdentity original;
  std::string backup_description;
  std::vector<v1::LogRecord> backup;
  {
    absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
        JetStreamLog::Open(options_);
    ASSERT_TRUE(log.ok()) << log.status();
    original = (*log)->identity();
    ASSERT_TRUE(AppendRecords(**log, {UpsertRecord(0, "a", "v"),
                                      UpsertRecord(0, "b", "v")})
                    .ok());
    // The backup: the stream's configuration and its records so far.
    backup_description = Description();
    absl::StatusOr<std::vector<v1::LogRecord>> records = (*log)->Read(0, 10);
    ASSERT_TRUE(records.ok()) << records.status();
    backup = *records;
    // Then the log goes on, and a replica applies it all.
    ASSERT_TRUE(AppendRecords(**log, {UpsertRecord(0, "c", "v"),
                                      UpsertRecord(0, "d", "v")})
                    .ok());
    ASSERT_EQ((*log)->head_seq(), 4u);
    ASSERT_THAT(WaitForHeadMark(4), HasSubstr(original.log_id));
  }
  Restore(backup_description, backup);

  absl::StatusOr<std::unique_ptr<JetStreamLog>> restored =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(restored.ok()) << restored.status();
  const LogIdentity identity = (*restored)->identity();
  EXPECT_EQ(identity.log_id, original.log_id);
  EXPECT_GT(identity.epoch, original.epoch);
  // New records take the seqs the lost ones had.
  ASSERT_TRUE(AppendRecords(**restored, {UpsertRecord(0, "x", "v"),
                                         UpsertRecord(0, "y", "v")})
                  .ok());
  ASSERT_EQ((*restored)->head_seq(), 4u);
  // A reader that applied the lost records must rebuild; one within the
  // backup, or on the new epoch, goes on.
  const absl::Status lost = (*restored)->CheckPosition(original, 4);
  EXPECT_EQ(lost.code(), absl::StatusCode::kFailedPrecondition) << lost;
  EXPECT_TRUE((*restored)->CheckPosition(original, 2).ok());
  EXPECT_TRUE((*restored)->CheckPosition(identity, 4).ok());
  restored->reset();

  // Reopened, it is no longer behind its mark: no further epoch.
  ASSERT_THAT(WaitForHeadMark(4),
              HasSubstr(absl::StrCat(" epoch=", identity.epoch, " ")));
  absl::StatusOr<std::unique_ptr<JetStreamLog>> reopened =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->identity().epoch, identity.epoch);
}

// The stream's leader lost, or PubAcks lost with the server that was to
// send them, on a 3-node cluster (the stream replicated as production runs
// it: nats-server checks a replicated stream's conditions in another order
// than a single server's). The logs under test have a request timeout far
// longer than anything here should take: an append that returns OK at all
// after its first copy's answer was lost has been answered by another
// copy, and readiness that follows the cluster did not wait on a request
// that nobody answers.
class JetStreamClusterLogTest : public JetStreamClusterTest {
 protected:
  JetStreamClusterLogTest() : JetStreamClusterTest("CLUSTERED") {}

  void SetUp() override {
    JetStreamClusterTest::SetUp();
    if (HasFatalFailure()) return;
    options_.connect_timeout = absl::Seconds(60);
    // Created with the usual request timeout: a request the cluster
    // ignores while it elects its first leaders is tried again sooner.
    absl::StatusOr<std::unique_ptr<JetStreamLog>> creator =
        JetStreamLog::Open(options_);
    ASSERT_TRUE(creator.ok()) << creator.status();
    patient_ = options_;
    patient_.request_timeout = absl::Seconds(30);
  }

  // An entry as the GroupCommitter makes it: conditioned on the bulletin's
  // last seq and on what the writer had read, with a dedup id.
  static LogAppend Entry(const std::string& id, const std::string& digest,
                         uint64_t expected_last_seq, uint64_t read_through) {
    LogAppend entry;
    entry.record = UpsertRecord(0, id, digest);
    entry.expected_last_seq = expected_last_seq;
    entry.read_through_seq = read_through;
    entry.dedup_id = absl::StrCat(id, "@", expected_last_seq, ":", digest);
    return entry;
  }

  // The seqs of the records `log` reads after `after`, by bulletin id.
  static std::map<std::string, std::vector<uint64_t>> RecordsAfter(
      const JetStreamLog& log, uint64_t after) {
    std::map<std::string, std::vector<uint64_t>> seqs;
    absl::StatusOr<std::vector<v1::LogRecord>> records = log.Read(after, 100);
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) return seqs;
    for (const v1::LogRecord& record : *records) {
      seqs[std::string(BulletinIdOf(record))].push_back(record.seq());
    }
    return seqs;
  }

  // The stream's leader, and a log connected to the other servers only, so
  // that it outlives the leader.
  void OpenOnFollowers(int* leader, std::unique_ptr<JetStreamLog>* log) {
    absl::StatusOr<int> found = cluster_->StreamLeader(options_.stream);
    ASSERT_TRUE(found.ok()) << found.status();
    *leader = *found;
    JetStreamLog::Options followers = patient_;
    followers.servers.clear();
    for (int i = 0; i < cluster_->size(); ++i) {
      if (i != *leader) followers.servers.push_back(cluster_->urls()[i]);
    }
    absl::StatusOr<std::unique_ptr<JetStreamLog>> opened =
        JetStreamLog::Open(followers);
    ASSERT_TRUE(opened.ok()) << opened.status();
    *log = *std::move(opened);
  }

  // The logs under test: the request timeout far longer than anything here
  // should take.
  JetStreamLog::Options patient_;
};

// The batch is stored, and its PubAcks lost on the way back; once the
// connection is back, copies of its messages are answered as the stored
// ones: a new bulletin's as a duplicate, an update's (whose condition a
// replicated stream checks before the message id) with "wrong last
// sequence" naming the update's own seq.
TEST_F(JetStreamClusterLogTest,
       AStoredBatchWhoseAcksWereLostIsAnsweredByItsCopies) {
  testing::TcpProxy proxy;
  ASSERT_TRUE(proxy.Start("127.0.0.1", cluster_->client_port(0)).ok());
  JetStreamLog::Options through_proxy = patient_;
  through_proxy.servers = {absl::StrCat("nats://127.0.0.1:", proxy.port())};
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(through_proxy);
  ASSERT_TRUE(log.ok()) << log.status();
  absl::StatusOr<std::unique_ptr<JetStreamLog>> observer =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(observer.ok()) << observer.status();
  absl::StatusOr<std::vector<uint64_t>> first =
      AppendRecords(**log, {UpsertRecord(0, "a", "v1")});
  ASSERT_TRUE(first.ok()) << first.status();
  const uint64_t a_seq = (*first)[0];

  proxy.DropReplies(true);
  absl::StatusOr<std::vector<AppendOutcome>> outcomes;
  std::thread append([&] {
    outcomes = (*log)->Append(
        {Entry("a", "v2", a_seq, a_seq), Entry("b", "v1", 0, a_seq)});
  });
  // Both stored, as the other client sees.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while ((*observer)->head_seq() < a_seq + 2 && absl::Now() < give_up) {
    (*observer)->WaitForHeadAbove(a_seq + 1, give_up);
  }
  EXPECT_EQ((*observer)->head_seq(), a_seq + 2);
  proxy.DropReplies(false);
  proxy.CutAll();
  append.join();

  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 2u);
  EXPECT_TRUE((*outcomes)[0].status.ok()) << (*outcomes)[0].status;
  EXPECT_TRUE((*outcomes)[1].status.ok()) << (*outcomes)[1].status;
  EXPECT_EQ((*outcomes)[0].seq, a_seq + 1);
  EXPECT_EQ((*outcomes)[1].seq, a_seq + 2);
  // Stored once each, at the seqs reported.
  std::map<std::string, std::vector<uint64_t>> stored =
      RecordsAfter(**observer, a_seq);
  EXPECT_THAT(stored["a"], ::testing::ElementsAre(a_seq + 1));
  EXPECT_THAT(stored["b"], ::testing::ElementsAre(a_seq + 2));
  EXPECT_EQ(stored.size(), 2u);
}

// The stream's leader hangs with the batch unread and is then killed: the
// batch goes on once the others have elected a leader, long before the
// request timeout, stored once.
TEST_F(JetStreamClusterLogTest,
       ABatchSentToAHungLeaderIsStoredByTheNextLeader) {
  int leader = -1;
  std::unique_ptr<JetStreamLog> log;
  ASSERT_NO_FATAL_FAILURE(OpenOnFollowers(&leader, &log));
  absl::StatusOr<std::vector<uint64_t>> first =
      AppendRecords(*log, {UpsertRecord(0, "a", "v1")});
  ASSERT_TRUE(first.ok()) << first.status();
  const uint64_t a_seq = (*first)[0];

  cluster_->Freeze(leader);
  absl::StatusOr<std::vector<AppendOutcome>> outcomes;
  std::thread append([&] {
    outcomes = log->Append(
        {Entry("a", "v2", a_seq, a_seq), Entry("b", "v1", 0, a_seq)});
  });
  // Sent to the leader, which reads nothing while frozen.
  absl::SleepFor(absl::Seconds(1));
  cluster_->Kill(leader);
  append.join();

  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 2u);
  ASSERT_TRUE((*outcomes)[0].status.ok()) << (*outcomes)[0].status;
  ASSERT_TRUE((*outcomes)[1].status.ok()) << (*outcomes)[1].status;
  std::map<std::string, std::vector<uint64_t>> stored =
      RecordsAfter(*log, a_seq);
  EXPECT_THAT(stored["a"], ::testing::ElementsAre((*outcomes)[0].seq));
  EXPECT_THAT(stored["b"], ::testing::ElementsAre((*outcomes)[1].seq));
  EXPECT_EQ(stored.size(), 2u);
}

// The survivors of a killed leader ignore stream info requests until they
// campaign (4 s at the soonest), and such a request waits out the request
// timeout: readiness must not wait on one, but see at once that nobody
// takes the stream's messages, and that someone does again once there is
// a new leader.
TEST_F(JetStreamClusterLogTest, ReadinessFollowsTheStreamBetweenLeaders) {
  int leader = -1;
  std::unique_ptr<JetStreamLog> log;
  ASSERT_NO_FATAL_FAILURE(OpenOnFollowers(&leader, &log));
  ASSERT_TRUE(AppendRecords(*log, {UpsertRecord(0, "a", "v1")}).ok());

  cluster_->Kill(leader);
  const absl::Status between =
      WaitForReadiness(*log, absl::StatusCode::kUnavailable);
  EXPECT_EQ(between.code(), absl::StatusCode::kUnavailable) << between;
  EXPECT_THAT(between.message(), HasSubstr("no NATS server takes stream"));
  const absl::Status back =
      log->WaitUntilReady(absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(back.ok()) << back;
  absl::StatusOr<std::vector<uint64_t>> after =
      AppendRecords(*log, {UpsertRecord(0, "b", "v1")});
  EXPECT_TRUE(after.ok()) << after.status();
}

}  // namespace
}  // namespace bulletin
