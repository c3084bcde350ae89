#include "query-service/feed_follower.h"

#include <atomic>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/grpc_server.h"
#include "gtest/gtest.h"
#include "ingest-service/feed_service_impl.h"
#include "query-service/snapshot/snapshot_file.h"
#include "tests/ingest/controlled_log.h"
#include "tests/ingest/log_records.h"
#include "tests/testing/temp_dir.h"

namespace bulletin {
namespace {

using testing::ControlledLog;
using testing::RetractionRecord;
using testing::UpsertRecord;

// Polls `condition` for up to 20 s; the bound only guards against hangs.
template <typename Condition>
bool Eventually(Condition condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

// An ingest-side Feed over a ControlledLog that can be stopped and restarted on
// the same port.
class FeedServer {
 public:
  explicit FeedServer(BulletinLog* log) : log_(log) {}
  ~FeedServer() { Stop(); }
  void Start(int port = 0) {
    FeedServiceImpl::Options options;
    options.heartbeat_interval = absl::Milliseconds(50);
    feed_ = std::make_unique<FeedServiceImpl>(log_, options);
    ServerOptions server_options;
    server_options.listen_address = absl::StrCat("127.0.0.1:", port);
    auto started = StartGrpcServer(server_options, {feed_.get()});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = std::move(started->server);
    port_ = started->port;
  }
  void Stop() {
    if (!server_) return;
    feed_->Shutdown();
    server_->Shutdown();
    server_.reset();
  }
  int port() const { return port_; }

 private:
  BulletinLog* log_;
  std::unique_ptr<FeedServiceImpl> feed_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

FeedFollower::Options FollowOptions(int port) {
  FeedFollower::Options options;
  options.ingest_address = absl::StrCat("127.0.0.1:", port);
  options.replica_id = "test";
  options.initial_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(100);
  options.silence_timeout = absl::Seconds(10);
  return options;
}

// An index following `port`'s Feed, counting the times it became ready.
struct FollowingIndex {
  explicit FollowingIndex(int port)
      : follower(&index, FollowOptions(port), [this] { ++ready; }) {
    follower.Start();
  }
  // Waits for the first ready; the callback runs just after caught_up()
  // turns true.
  bool WaitReady() {
    return Eventually([&] { return ready.load() == 1; });
  }
  BulletinIndex index;
  std::atomic<int> ready{0};
  FeedFollower follower;
};

TEST(FeedFollowerTest, CatchesUpThenTails) {
  ControlledLog log;
  ASSERT_TRUE(testing::AppendRecords(
                  log, {UpsertRecord(1, "a", "v"), UpsertRecord(2, "b", "v"),
                        RetractionRecord(3, "a")})
                  .ok());
  FeedServer server(&log);
  server.Start();
  FollowingIndex replica(server.port());
  BulletinIndex& index = replica.index;
  FeedFollower& follower = replica.follower;
  ASSERT_TRUE(replica.WaitReady());
  EXPECT_TRUE(follower.caught_up());
  EXPECT_GE(index.applied_seq(), 3u);
  EXPECT_FALSE(index.Get("a").ok());
  EXPECT_TRUE(index.Get("b").ok());
  ASSERT_TRUE(testing::AppendRecords(log, {UpsertRecord(4, "c", "v")}).ok());
  ASSERT_TRUE(Eventually([&] { return index.Get("c").ok(); }));
  EXPECT_EQ(follower.head_seq(), 4u);
  follower.Stop();
  EXPECT_EQ(replica.ready.load(), 1);
}

// Once caught up, the replica compacts (dropping the retracted version and
// freezing every list) before it reports ready: its index is then exactly
// what Compact() makes of the same records.
TEST(FeedFollowerTest, CompactsOnceCaughtUp) {
  ControlledLog log;
  std::vector<v1::LogRecord> records;
  for (int i = 1; i <= 40; ++i) {
    records.push_back(UpsertRecord(static_cast<uint64_t>(i),
                                   absl::StrCat("id", i % 30), "v"));
  }
  records.push_back(RetractionRecord(41, "id7"));
  ASSERT_TRUE(testing::AppendRecords(log, records).ok());
  // The records as the log keeps them: each bulletin's last one.
  absl::StatusOr<std::vector<v1::LogRecord>> kept = log.Read(0, 1000);
  ASSERT_TRUE(kept.ok());
  BulletinIndex uncompacted;
  for (const v1::LogRecord& r : *kept) uncompacted.Apply(r);
  BulletinIndex compacted;
  for (const v1::LogRecord& r : *kept) compacted.Apply(r);
  compacted.Compact();
  ASSERT_NE(uncompacted.Stats().index_bytes(), compacted.Stats().index_bytes());

  FeedServer server(&log);
  server.Start();
  FollowingIndex replica(server.port());
  ASSERT_TRUE(replica.WaitReady());
  EXPECT_EQ(replica.index.Stats().index_bytes(),
            compacted.Stats().index_bytes());
  EXPECT_EQ(replica.index.Stats().bulletin_count(), 29);
  replica.follower.Stop();
}

TEST(FeedFollowerTest, ResumesFromItsSeqAfterIngestRestarts) {
  ControlledLog log;
  ASSERT_TRUE(testing::AppendRecords(log, {UpsertRecord(1, "a", "v")}).ok());
  FeedServer server(&log);
  server.Start();
  const int port = server.port();
  BulletinIndex index;
  FeedFollower follower(&index, FollowOptions(port), nullptr);
  follower.Start();
  ASSERT_TRUE(Eventually([&] { return index.applied_seq() == 1; }));
  server.Stop();
  ASSERT_TRUE(testing::AppendRecords(log, {UpsertRecord(2, "b", "v")}).ok());
  server.Start(port);
  ASSERT_TRUE(Eventually([&] { return index.applied_seq() == 2; }));
  EXPECT_GE(follower.connections(), 2);
  EXPECT_TRUE(index.Get("a").ok());
  EXPECT_TRUE(index.Get("b").ok());
}

// A replica following one log that then reaches another (replaced, restored
// elsewhere: another log id) stops serving, rebuilds beside its index and
// swaps: it ends up with the new log's records only, even though the new
// log's head is beyond the seq the replica had applied.
TEST(FeedFollowerTest, RebuildsBesideItsIndexWhenTheLogIsReplaced) {
  // Both logs outlive the server: a Subscribe handler may still be waiting
  // on the log when the test body ends.
  ControlledLog new_log;
  auto old_log = std::make_unique<ControlledLog>();
  ASSERT_TRUE(testing::AppendRecords(*old_log, {UpsertRecord(0, "a", "v"),
                                                UpsertRecord(0, "b", "v")})
                  .ok());
  auto server = std::make_unique<FeedServer>(old_log.get());
  server->Start();
  const int port = server->port();
  BulletinIndex index;
  std::atomic<int> ready{0};
  std::atomic<int> lost{0};
  FeedFollower::Options options = FollowOptions(port);
  options.on_lost_log = [&lost](const std::string&) { ++lost; };
  FeedFollower follower(&index, options, [&ready] { ++ready; });
  follower.Start();
  ASSERT_TRUE(Eventually([&] { return ready.load() == 1; }));
  EXPECT_TRUE(index.Get("a").ok());

  server->Stop();
  ASSERT_TRUE(testing::AppendRecords(new_log, {UpsertRecord(0, "c", "v"),
                                               UpsertRecord(0, "d", "v"),
                                               UpsertRecord(0, "e", "v")})
                  .ok());
  server = std::make_unique<FeedServer>(&new_log);
  server->Start(port);
  ASSERT_TRUE(Eventually([&] { return ready.load() == 2; }));
  EXPECT_EQ(lost.load(), 1);
  EXPECT_TRUE(follower.caught_up());
  EXPECT_FALSE(index.Get("a").ok());
  EXPECT_TRUE(index.Get("c").ok());
  EXPECT_TRUE(index.Get("e").ok());
  EXPECT_EQ(index.Stats().bulletin_count(), 3);
  follower.Stop();
}

// An empty log where the replica had data: it stops serving but keeps its
// data, until told the log was emptied on purpose.
TEST(FeedFollowerTest, RefusesAnEmptyLogAndKeepsItsDataUnlessTold) {
  for (const bool accept : {false, true}) {
    SCOPED_TRACE(accept ? "accept_empty_log" : "default");
    ControlledLog empty_log;  // Outlives the server, as above.
    auto old_log = std::make_unique<ControlledLog>();
    ASSERT_TRUE(
        testing::AppendRecords(*old_log, {UpsertRecord(0, "a", "v")}).ok());
    auto server = std::make_unique<FeedServer>(old_log.get());
    server->Start();
    const int port = server->port();
    BulletinIndex index;
    std::atomic<int> ready{0};
    std::atomic<int> lost{0};
    FeedFollower::Options options = FollowOptions(port);
    options.accept_empty_log = accept;
    options.on_lost_log = [&lost](const std::string&) { ++lost; };
    FeedFollower follower(&index, options, [&ready] { ++ready; });
    follower.Start();
    ASSERT_TRUE(Eventually([&] { return ready.load() == 1; }));

    server->Stop();
    server = std::make_unique<FeedServer>(&empty_log);
    server->Start(port);
    ASSERT_TRUE(Eventually([&] { return lost.load() == 1; }));
    if (accept) {
      ASSERT_TRUE(Eventually([&] { return ready.load() == 2; }));
      EXPECT_FALSE(index.Get("a").ok());
    } else {
      // Several refusals later, nothing has changed.
      const int64_t connections = follower.connections();
      ASSERT_TRUE(Eventually(
          [&] { return follower.connections() >= connections + 2; }));
      EXPECT_FALSE(follower.caught_up());
      EXPECT_EQ(ready.load(), 1);
      EXPECT_TRUE(index.Get("a").ok());
    }
    follower.Stop();
  }
}

// A replica that follows a log into a snapshot: the index as a replica
// that caught up with `log` holds it, saved at `path`.
void SnapshotOf(ControlledLog& log, const std::string& path) {
  FeedServer server(&log);
  server.Start();
  FollowingIndex replica(server.port());
  ASSERT_TRUE(replica.WaitReady());
  replica.follower.Stop();
  EXPECT_EQ(replica.index.log_identity(), log.identity());
  ASSERT_TRUE(WriteSnapshotFile(replica.index.TakeCheckpoint(), path).ok());
}

// Restarted from a snapshot of the log it follows, a replica asks only for
// the records after the snapshot's seq, under the snapshot's identity.
TEST(FeedFollowerTest, ResumesFromASnapshotWithOnlyTheRecordsAfterIt) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/s.snap";
  ControlledLog log;
  ASSERT_TRUE(testing::AppendRecords(
                  log, {UpsertRecord(0, "a", "v"), UpsertRecord(0, "b", "v"),
                        UpsertRecord(0, "c", "v")})
                  .ok());
  SnapshotOf(log, path);
  ASSERT_TRUE(testing::AppendRecords(
                  log, {UpsertRecord(0, "d", "v"), RetractionRecord(0, "a")})
                  .ok());

  BulletinIndex index;
  ASSERT_TRUE(LoadSnapshotFile(path, &index).ok());
  FeedServer server(&log);
  server.Start();
  std::atomic<int> ready{0};
  FeedFollower follower(&index, FollowOptions(server.port()),
                        [&ready] { ++ready; });
  follower.Start();
  ASSERT_TRUE(Eventually([&] { return ready.load() == 1; }));
  EXPECT_EQ(follower.records_applied(), 2);
  EXPECT_EQ(index.applied_seq(), log.head_seq());
  EXPECT_FALSE(index.Get("a").ok());
  EXPECT_TRUE(index.Get("c").ok());
  EXPECT_TRUE(index.Get("d").ok());
  follower.Stop();
}

// A snapshot of another log (its id differs, though its seq is inside this
// log) is refused by ingest: the replica rebuilds from this log's start
// and serves only this log's records.
TEST(FeedFollowerTest, RebuildsWhenItsSnapshotIsOfAnotherLog) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/s.snap";
  ControlledLog other_log;
  ASSERT_TRUE(testing::AppendRecords(other_log, {UpsertRecord(0, "x", "v"),
                                                 UpsertRecord(0, "y", "v")})
                  .ok());
  SnapshotOf(other_log, path);
  ControlledLog log;
  ASSERT_TRUE(testing::AppendRecords(
                  log, {UpsertRecord(0, "a", "v"), UpsertRecord(0, "b", "v"),
                        UpsertRecord(0, "c", "v")})
                  .ok());
  ASSERT_FALSE(log.identity() == other_log.identity());

  BulletinIndex index;
  ASSERT_TRUE(LoadSnapshotFile(path, &index).ok());
  FeedServer server(&log);
  server.Start();
  std::atomic<int> ready{0};
  FeedFollower follower(&index, FollowOptions(server.port()),
                        [&ready] { ++ready; });
  follower.Start();
  ASSERT_TRUE(Eventually([&] { return ready.load() == 1; }));
  EXPECT_EQ(follower.records_applied(), 3);
  EXPECT_EQ(index.log_identity(), log.identity());
  EXPECT_FALSE(index.Get("x").ok());
  EXPECT_TRUE(index.Get("a").ok());
  EXPECT_EQ(index.Stats().bulletin_count(), 3);
  follower.Stop();
}

TEST(FeedFollowerTest, StopWhileIngestIsDownReturnsPromptly) {
  BulletinIndex index;
  FeedFollower follower(&index, FollowOptions(1), nullptr);  // Nothing there.
  follower.Start();
  absl::SleepFor(absl::Milliseconds(100));
  follower.Stop();
  EXPECT_FALSE(follower.caught_up());
}

}  // namespace
}  // namespace bulletin
