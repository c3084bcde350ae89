// Snapshots on the real binaries: a query replica restarted with
// --snapshot_dir replays only the records after its snapshot, and a replica
// killed with SIGKILL while it writes one starts again from the one before.

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

// The last line of `log_path` logging `event`; empty if none.
std::string LastEvent(const std::string& log_path, const std::string& event) {
  std::ifstream in(log_path);
  const std::string key = absl::StrCat("\"event\":\"", event, "\"");
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (absl::StrContains(line, key)) last = line;
  }
  return last;
}

// The unsigned number after "field": in a log line; -1 if absent.
int64_t NumberField(const std::string& line, const std::string& field) {
  const std::string key = absl::StrCat("\"", field, "\":");
  const size_t at = line.find(key);
  if (at == std::string::npos) return -1;
  const size_t start = at + key.size();
  size_t end = start;
  while (end < line.size() && isdigit(static_cast<unsigned char>(line[end]))) {
    ++end;
  }
  int64_t value = -1;
  if (!absl::SimpleAtoi(line.substr(start, end - start), &value)) return -1;
  return value;
}

// Submits `count` distinct bulletins, numbered from `first`, on 4 threads;
// false if any submit failed.
bool SubmitMany(const std::string& ingest_address, int first, int count) {
  const std::string text = ReadExample("chongqing-cppcc-roundup.txt");
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(ingest_address, grpc::InsecureChannelCredentials()));
  std::atomic<int> next{first};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int n = next++; n < first + count && !failed; n = next++) {
        v1::SubmitRequest request;
        request.set_content(absl::StrCat(text, "\n第", n, "号快讯编号\n"));
        v1::SubmitResponse response;
        grpc::ClientContext context;
        context.set_deadline(
            absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
        if (!stub->Submit(&context, request, &response).ok()) failed = true;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return !failed;
}

// The replica's Stats, or an empty message when the call fails.
v1::StatsResponse StatsOf(const std::string& query_address) {
  auto stub = v1::QueryService::NewStub(
      grpc::CreateChannel(query_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  v1::StatsResponse stats;
  if (!stub->Stats(&context, v1::StatsRequest(), &stats).ok()) return {};
  return stats;
}

// Waits (the bound only guards against a hang) until the replica holds
// `bulletins` bulletins.
bool WaitForBulletins(const std::string& query_address, int64_t bulletins) {
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (StatsOf(query_address).bulletin_count() == bulletins) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

TEST(SnapshotTest, RestartFromASnapshotReplaysOnlyTheRecordsAfterIt) {
  ServicePair pair;
  const std::string snapshots = pair.scratch_dir() + "/snapshots";
  const std::vector<std::string> flags = {"--snapshot_dir=" + snapshots,
                                          "--lame_duck_period=0s"};
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery(flags).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  ASSERT_TRUE(SubmitMany(pair.ingest_address(), 0, 30));
  ASSERT_TRUE(WaitForBulletins(pair.query_address(), 30));
  // SIGTERM: the replica writes a snapshot on its way out.
  absl::StatusOr<int> exit_code = pair.query()->Terminate(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  const std::string written =
      LastEvent(pair.query()->log_path(), "snapshot_written");
  ASSERT_FALSE(written.empty()) << FileTail(pair.query()->log_path());
  EXPECT_EQ(NumberField(written, "bulletins"), 30);

  ASSERT_TRUE(SubmitMany(pair.ingest_address(), 30, 3));
  ASSERT_TRUE(pair.StartQuery(flags).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  const std::string loaded =
      LastEvent(pair.query()->log_path(), "snapshot_loaded");
  ASSERT_FALSE(loaded.empty()) << FileTail(pair.query()->log_path());
  EXPECT_EQ(NumberField(loaded, "bulletins"), 30);
  EXPECT_EQ(NumberField(loaded, "applied_seq"),
            NumberField(written, "applied_seq"));
  // Only the three records written since came from the Feed.
  const std::string caught_up =
      LastEvent(pair.query()->log_path(), "caught_up");
  EXPECT_EQ(NumberField(caught_up, "records_applied"), 3) << caught_up;
  EXPECT_EQ(StatsOf(pair.query_address()).bulletin_count(), 33);
  absl::StatusOr<CommandResult> search = pair.Ctl({"search", "第31号快讯"});
  ASSERT_TRUE(search.ok());
  EXPECT_THAT(search->out, ::testing::StartsWith("1 hits\n")) << search->err;
  search = pair.Ctl({"search", "第7号快讯"});
  ASSERT_TRUE(search.ok());
  EXPECT_THAT(search->out, ::testing::StartsWith("1 hits\n")) << search->err;
}

// A snapshot of one log, met by a replica that now follows another (a new
// ingest data directory: another log id) whose head is past the
// snapshot's seq: ingest refuses the position, and the replica rebuilds
// from the new log, serving none of the old one's bulletins.
TEST(SnapshotTest, ASnapshotOfAnotherLogIsRefusedAndTheReplicaRebuilds) {
  ServicePair pair;
  const std::string snapshots = pair.scratch_dir() + "/snapshots";
  const std::vector<std::string> flags = {"--snapshot_dir=" + snapshots,
                                          "--lame_duck_period=0s"};
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery(flags).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  ASSERT_TRUE(SubmitMany(pair.ingest_address(), 0, 5));
  ASSERT_TRUE(WaitForBulletins(pair.query_address(), 5));
  ASSERT_TRUE(pair.query()->Terminate(absl::Seconds(30)).ok());
  ASSERT_FALSE(LastEvent(pair.query()->log_path(), "snapshot_written").empty());

  pair.ingest()->Kill();
  ASSERT_TRUE(
      pair.StartIngest(0, {"--data_dir=" + pair.scratch_dir() + "/other-log"})
          .ok());
  ASSERT_TRUE(SubmitMany(pair.ingest_address(), 100, 7));
  ASSERT_TRUE(pair.StartQuery(flags).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  const std::string log = pair.query()->log_path();
  EXPECT_EQ(NumberField(LastEvent(log, "snapshot_loaded"), "bulletins"), 5);
  EXPECT_THAT(LastEvent(log, "feed_rebuild"),
              ::testing::HasSubstr("log was replaced"));
  EXPECT_EQ(NumberField(LastEvent(log, "caught_up"), "records_applied"), 7);
  EXPECT_EQ(StatsOf(pair.query_address()).bulletin_count(), 7);
  absl::StatusOr<CommandResult> search = pair.Ctl({"search", "第3号快讯"});
  ASSERT_TRUE(search.ok());
  EXPECT_THAT(search->out, ::testing::StartsWith("0 hits\n"));
}

// Watches a directory for files being created.
class CreationWatch {
 public:
  explicit CreationWatch(const std::string& dir)
      : fd_(inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    if (fd_ >= 0) inotify_add_watch(fd_, dir.c_str(), IN_CREATE);
  }
  ~CreationWatch() {
    if (fd_ >= 0) close(fd_);
  }
  // Waits up to `timeout` for a file whose name ends in `suffix` to be
  // created; its name, or empty.
  std::string WaitFor(const std::string& suffix, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    alignas(inotify_event) char buffer[4096];
    while (absl::Now() < deadline) {
      pollfd ready = {fd_, POLLIN, 0};
      if (poll(&ready, 1, 100) <= 0) continue;
      const ssize_t n = read(fd_, buffer, sizeof(buffer));
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        const std::string name = event->len > 0 ? event->name : "";
        if (absl::EndsWith(name, suffix)) return name;
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
    return "";
  }

 private:
  int fd_;
};

// SIGKILL the moment a snapshot's temporary file appears, while the
// replica is still writing it: the next start ignores (and removes) the
// half-written file and loads the snapshot before it.
TEST(SnapshotTest, KilledWhileWritingASnapshotStartsFromThePreviousOne) {
  ServicePair pair;
  const std::string snapshots = pair.scratch_dir() + "/snapshots";
  const std::vector<std::string> flags = {"--snapshot_dir=" + snapshots,
                                          "--snapshot_interval=100ms"};
  ASSERT_TRUE(pair.StartIngest().ok());
  // Enough bulletins that a snapshot takes a while to write.
  constexpr int kBulletins = 1500;
  ASSERT_TRUE(SubmitMany(pair.ingest_address(), 0, kBulletins));
  ASSERT_TRUE(pair.StartQuery(flags).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  // The first snapshot, which the one killed below must leave usable.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (LastEvent(pair.query()->log_path(), "snapshot_written").empty()) {
    ASSERT_LT(absl::Now(), deadline) << FileTail(pair.query()->log_path());
    absl::SleepFor(absl::Milliseconds(20));
  }
  int submitted = kBulletins;
  bool killed_mid_write = false;
  std::string temp;
  // Usually the first attempt; a write that ended before the kill landed
  // is tried again.
  for (int attempt = 0; attempt < 5 && !killed_mid_write; ++attempt) {
    CreationWatch watch(snapshots);
    ASSERT_TRUE(SubmitMany(pair.ingest_address(), submitted, 1));
    ++submitted;
    temp = watch.WaitFor(".snap.tmp", absl::Seconds(60));
    ASSERT_FALSE(temp.empty()) << FileTail(pair.query()->log_path());
    pair.query()->Kill();
    killed_mid_write = access((snapshots + "/" + temp).c_str(), F_OK) == 0;
    if (!killed_mid_write) {
      ASSERT_TRUE(pair.StartQuery(flags).ok());
      ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
    }
  }
  ASSERT_TRUE(killed_mid_write) << "every write finished before SIGKILL";
  const std::string previous =
      LastEvent(pair.query()->log_path(), "snapshot_written");

  ASSERT_TRUE(pair.StartQuery(flags).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  ASSERT_TRUE(WaitForBulletins(pair.query_address(), submitted));
  const std::string log = pair.query()->log_path();
  EXPECT_THAT(LastEvent(log, "snapshot_temp_removed"),
              ::testing::HasSubstr(temp));
  const std::string loaded = LastEvent(log, "snapshot_loaded");
  ASSERT_FALSE(loaded.empty()) << FileTail(log);
  EXPECT_EQ(NumberField(loaded, "applied_seq"),
            NumberField(previous, "applied_seq"));
  EXPECT_EQ(NumberField(loaded, "bulletins"),
            NumberField(previous, "bulletins"));
  EXPECT_TRUE(LastEvent(log, "snapshot_skipped").empty()) << FileTail(log);
  // Every bulletin is one record: the Feed sent those after the snapshot.
  const std::string caught_up = LastEvent(log, "caught_up");
  EXPECT_EQ(NumberField(caught_up, "records_applied"),
            submitted - NumberField(previous, "bulletins"))
      << caught_up;
}

}  // namespace
}  // namespace bulletin::testing
