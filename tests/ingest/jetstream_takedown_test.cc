// Takedown on the JetStream log (docs/durability.md, "Takedown"): the text a
// retraction or a correction removes leaves every file of every server of a
// real 3-node cluster: the stream's message blocks at once (Append erases
// the superseded message), and each server's Raft log at its next snapshot.
// A superseded record whose writer died before erasing it is erased by the
// next sweep of any replica.

#include <nats/nats.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/log/jetstream_log.h"
#include "tests/ingest/jetstream_cluster_test.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/file_contents.h"
#include "tests/testing/nats_cluster.h"

namespace bulletin {
namespace {

using ::testing::IsEmpty;
using testing::RetractionRecord;
using testing::UpsertRecord;

// Written once, read back only from the files; compressed nowhere.
constexpr char kRemovedText[] = "撤回的正文-JSTKDWNQZXV-只出现一次";

v1::LogRecord RecordWithText(const std::string& id, const std::string& text) {
  v1::LogRecord record = UpsertRecord(0, id, "digest " + text);
  record.mutable_upsert()->set_headline(text);
  return record;
}

class JetStreamTakedownTest : public JetStreamClusterTest {
 protected:
  JetStreamTakedownTest() : JetStreamClusterTest("TAKEDOWN") {}

  // The files of any server that hold `text`.
  std::vector<std::string> FilesHolding(absl::string_view text) const {
    std::vector<std::string> holding;
    for (int i = 0; i < cluster_->size(); ++i) {
      for (std::string& path :
           testing::FilesHolding(cluster_->store_dir(i), text)) {
        holding.push_back(std::move(path));
      }
    }
    return holding;
  }

  // Waits (up to a minute: the servers write and apply asynchronously)
  // until `done` holds; whether it did.
  static bool Eventually(const std::function<bool()>& done) {
    const absl::Time give_up = absl::Now() + absl::Minutes(1);
    while (!done()) {
      if (absl::Now() > give_up) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return true;
  }

  // Appends one record whose bulletin's last record must be `expected`.
  static absl::StatusOr<uint64_t> AppendAfter(BulletinLog& log,
                                              v1::LogRecord record,
                                              uint64_t expected) {
    std::vector<LogAppend> entries(1);
    entries[0].record = std::move(record);
    entries[0].expected_last_seq = expected;
    absl::StatusOr<std::vector<AppendOutcome>> outcomes = log.Append(entries);
    if (!outcomes.ok()) return outcomes.status();
    if (!(*outcomes)[0].status.ok()) return (*outcomes)[0].status;
    return (*outcomes)[0].seq;
  }
};

TEST_F(JetStreamTakedownTest, ARetractedTextLeavesEveryFileOfEveryServer) {
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(log.ok()) << log.status();
  absl::StatusOr<uint64_t> written =
      AppendAfter(**log, RecordWithText("a1", kRemovedText), 0);
  ASSERT_TRUE(written.ok()) << written.status();
  // Each server's message block and Raft log hold it: the search below
  // finds what it looks for.
  ASSERT_TRUE(Eventually([&] {
    return FilesHolding(kRemovedText).size() >= 6;
  })) << absl::StrJoin(FilesHolding(kRemovedText), "\n");

  absl::StatusOr<uint64_t> retracted =
      AppendAfter(**log, RetractionRecord(0, "a1"), *written);
  ASSERT_TRUE(retracted.ok()) << retracted.status();

  // Erased from the stream's message blocks on every server...
  const std::string streams_dir = absl::StrCat("/streams/", options_.stream);
  auto message_blocks_holding = [&] {
    std::vector<std::string> holding;
    for (const std::string& path : FilesHolding(kRemovedText)) {
      if (path.find(streams_dir) != std::string::npos) holding.push_back(path);
    }
    return holding;
  };
  EXPECT_TRUE(Eventually([&] { return message_blocks_holding().empty(); }))
      << absl::StrJoin(message_blocks_holding(), "\n");
  // ...and the log holds the tombstone alone.
  absl::StatusOr<std::vector<v1::LogRecord>> records = (*log)->Read(0, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].retraction().id(), "a1");

  // The Raft logs keep it until the servers' next snapshot, which
  // nats-server 2.9 takes every 2 to 3 minutes after a change, or once
  // 8 MiB were applied since the last one: bring that about now, with
  // 9 MiB that its Raft log cannot compress (it compresses large entries).
  absl::BitGen random;
  for (int i = 0; i < 144; ++i) {
    v1::LogRecord record = UpsertRecord(0, absl::StrCat("filler", i), "d");
    std::string* lead = record.mutable_upsert()->mutable_lead();
    for (int c = 0; c < (64 << 10); ++c) {
      lead->push_back(absl::Uniform<char>(random, 'a', 'z'));
    }
    ASSERT_TRUE(AppendAfter(**log, std::move(record), 0).ok());
  }
  EXPECT_TRUE(Eventually([&] { return FilesHolding(kRemovedText).empty(); }))
      << absl::StrJoin(FilesHolding(kRemovedText), "\n");
}

TEST_F(JetStreamTakedownTest, ARecordItsWriterLeftUnerasedIsErasedByTheSweep) {
  options_.scrub_interval = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log =
      JetStreamLog::Open(options_);
  ASSERT_TRUE(log.ok()) << log.status();
  absl::StatusOr<uint64_t> written =
      AppendAfter(**log, RecordWithText("b1", kRemovedText), 0);
  ASSERT_TRUE(written.ok()) << written.status();

  // Another writer stores the correction and dies before erasing what it
  // superseded: a bare publish, as its last act.
  natsConnection* connection = nullptr;
  ASSERT_EQ(natsConnection_ConnectTo(&connection, cluster_->url_list().c_str()),
            NATS_OK);
  jsCtx* js = nullptr;
  ASSERT_EQ(natsConnection_JetStream(&js, connection, nullptr), NATS_OK);
  const std::string correction =
      UpsertRecord(0, "b1", "corrected").SerializeAsString();
  const std::string subject = absl::StrCat(options_.stream, ".b.b1");
  jsPubAck* ack = nullptr;
  const natsStatus published =
      js_Publish(&ack, js, subject.c_str(), correction.data(),
                 static_cast<int>(correction.size()), nullptr, nullptr);
  const uint64_t corrected_seq = ack != nullptr ? ack->Sequence : 0;
  jsPubAck_Destroy(ack);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  ASSERT_EQ(published, NATS_OK);

  // The sweep finds the stream holding more messages than bulletins, and
  // erases the superseded one on every server.
  auto message_blocks_holding = [&] {
    std::vector<std::string> holding;
    for (const std::string& path : FilesHolding(kRemovedText)) {
      if (path.find(absl::StrCat("/streams/", options_.stream)) !=
          std::string::npos) {
        holding.push_back(path);
      }
    }
    return holding;
  };
  EXPECT_TRUE(Eventually([&] { return message_blocks_holding().empty(); }))
      << absl::StrJoin(message_blocks_holding(), "\n");
  absl::StatusOr<std::vector<v1::LogRecord>> records = (*log)->Read(0, 10);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].seq(), corrected_seq);
  EXPECT_EQ((*records)[0].version_digest(), "corrected");
}

}  // namespace
}  // namespace bulletin
