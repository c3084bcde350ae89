// Two ingest replicas on one JetStream log, real processes: each round, both
// receive a different version of the same external_id at the same moment.
// Every version must be acknowledged once, at its own seq, and each bulletin
// must keep one linear history: versions 1, 2, ... in seq order, none given
// twice; what the Feed shows of each bulletin is acknowledged versions only,
// in that order, and the last acknowledged one is what remains.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "common/sync/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fault/jetstream_ingest.h"
#include "tests/system/service_pair.h"
#include "tests/testing/health_check.h"
#include "tests/testing/nats_cluster.h"

namespace bulletin::testing {
namespace {

constexpr int kBulletins = 3;
constexpr int kRounds = 25;

// Holds threads until all of them have arrived, once per round.
class Barrier {
 public:
  explicit Barrier(int parties) : parties_(parties) {}
  void ArriveAndWait() {
    MutexLock lock(&mutex_);
    const int generation = generation_;
    if (++arrived_ == parties_) {
      arrived_ = 0;
      ++generation_;
      all_arrived_.SignalAll();
      return;
    }
    all_arrived_.Wait(&mutex_, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return generation_ != generation;
    });
  }

 private:
  const int parties_;
  Mutex mutex_;
  CondVar all_arrived_;
  int arrived_ ABSL_GUARDED_BY(mutex_) = 0;
  int generation_ ABSL_GUARDED_BY(mutex_) = 0;
};

// Reads a Feed from seq 0 until Stop, keeping every record.
class FeedRecorder {
 public:
  explicit FeedRecorder(const std::string& address)
      : stub_(v1::Feed::NewStub(
            grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))),
        thread_([this] { Run(); }) {}
  ~FeedRecorder() { Stop(); }

  // Waits until a record with seq >= `seq` has arrived.
  bool AwaitSeq(uint64_t seq, absl::Duration timeout) {
    MutexLock lock(&mutex_);
    return arrived_.WaitUntil(&mutex_, absl::Now() + timeout,
                              [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                                return last_seq_ >= seq;
                              });
  }
  void Stop() {
    context_.TryCancel();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<v1::LogRecord> records() {
    MutexLock lock(&mutex_);
    return records_;
  }

 private:
  void Run() {
    v1::SubscribeRequest request;
    request.set_replica_id("race-test-recorder");
    auto reader = stub_->Subscribe(&context_, request);
    v1::FeedMessage message;
    while (reader->Read(&message)) {
      if (!message.has_record()) continue;
      MutexLock lock(&mutex_);
      last_seq_ = message.record().seq();
      records_.push_back(message.record());
      arrived_.SignalAll();
    }
    reader->Finish().IgnoreError();
  }

  std::unique_ptr<v1::Feed::Stub> stub_;
  grpc::ClientContext context_;
  Mutex mutex_;
  CondVar arrived_;
  uint64_t last_seq_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<v1::LogRecord> records_ ABSL_GUARDED_BY(mutex_);
  std::thread thread_;
};

// One submitted version and what became of it.
struct Version {
  std::string tag;  // In the headline: which bulletin, round and replica.
  std::string external_id;
  grpc::Status status;
  v1::SubmitResponse response;
};

std::string VersionText(const std::string& tag) {
  return absl::StrCat("第", tag, "号快讯\n江津区政协召开会议,学习第", tag,
                      "期材料。\n(记者 张三)\n");
}

// Submits until acknowledged or refused for good: a racing writer retries
// what another writer's win made it lose (ABORTED) or what did not reach
// the log (UNAVAILABLE), as a client would.
void SubmitVersion(v1::IngestService::Stub& stub, Version* version) {
  v1::SubmitRequest request;
  request.set_content(VersionText(version->tag));
  request.set_external_id(version->external_id);
  for (int attempt = 0; attempt < 20; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    version->response.Clear();
    version->status = stub.Submit(&context, request, &version->response);
    if (version->status.error_code() != grpc::StatusCode::ABORTED &&
        version->status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      return;
    }
  }
}

TEST(JetStreamRaceTest, RacingReplicasKeepOneLinearHistoryPerBulletin) {
  absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = NatsCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ServicePair pair;
  std::vector<std::unique_ptr<JetStreamIngest>> replicas;
  for (const char* name : {"ingest-a", "ingest-b"}) {
    absl::StatusOr<std::unique_ptr<JetStreamIngest>> ingest =
        JetStreamIngest::Create(name, pair.scratch_dir(),
                                (*cluster)->url_list(), "BULLETINS");
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ASSERT_TRUE((*ingest)->Start().ok());
    ASSERT_TRUE(WaitUntilServing((*ingest)->address(), absl::Seconds(90)).ok())
        << FileTail((*ingest)->log_path());
    replicas.push_back(*std::move(ingest));
  }
  FeedRecorder recorder(replicas[0]->address());

  // versions[bulletin][round][replica]
  std::vector<std::vector<std::vector<Version>>> versions(
      kBulletins,
      std::vector<std::vector<Version>>(kRounds, std::vector<Version>(2)));
  Barrier barrier(kBulletins * 2);
  std::vector<std::thread> writers;
  for (int bulletin = 0; bulletin < kBulletins; ++bulletin) {
    for (int replica = 0; replica < 2; ++replica) {
      writers.emplace_back([&, bulletin, replica] {
        auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
            replicas[replica]->address(), grpc::InsecureChannelCredentials()));
        for (int round = 0; round < kRounds; ++round) {
          Version& version = versions[bulletin][round][replica];
          version.external_id = absl::StrCat("race-", bulletin);
          version.tag = absl::StrCat("race", bulletin, "-r", round, "-",
                                     replica == 0 ? "a" : "b");
          barrier.ArriveAndWait();
          SubmitVersion(*stub, &version);
        }
      });
    }
  }
  for (std::thread& writer : writers) writer.join();

  // Every version acknowledged as a new version, each at its own seq.
  std::map<uint64_t, const Version*> by_seq;
  std::map<std::string, std::string> id_of_external;
  for (const auto& rounds : versions) {
    for (const auto& pair_of_versions : rounds) {
      for (const Version& version : pair_of_versions) {
        ASSERT_TRUE(version.status.ok())
            << version.tag << ": " << version.status.error_message();
        EXPECT_FALSE(version.response.duplicate()) << version.tag;
        EXPECT_TRUE(by_seq.emplace(version.response.seq(), &version).second)
            << version.tag << " was acknowledged at the seq of another version";
        const auto [it, inserted] =
            id_of_external.emplace(version.external_id, version.response.id());
        EXPECT_EQ(it->second, version.response.id())
            << "one external_id, two bulletin ids";
      }
    }
  }
  ASSERT_EQ(by_seq.size(), static_cast<size_t>(kBulletins * kRounds * 2));
  // One linear history per bulletin: its versions are 1, 2, ... one per
  // acknowledged submit, in the order of their seqs. Two writers that both
  // replaced the same version would have been given the same version.
  std::map<std::string, int64_t> last_version;
  for (const auto& [seq, version] : by_seq) {
    int64_t& last = last_version[version->response.id()];
    EXPECT_EQ(version->response.version(), last + 1)
        << version->tag << " at seq " << seq << " follows version " << last;
    last = version->response.version();
  }

  // The Feed shows each bulletin's records in seq order, each one an
  // acknowledged version at the seq it was acknowledged with (the log
  // keeps only a bulletin's last record, so a reader may miss versions
  // superseded before it got to them, but never sees one nobody was told
  // of), and ends with the last acknowledged version.
  ASSERT_TRUE(recorder.AwaitSeq(by_seq.rbegin()->first, absl::Seconds(60)));
  recorder.Stop();
  std::map<std::string, uint64_t> last_seen_seq;
  std::map<std::string, std::string> last_seen_tag;
  for (const v1::LogRecord& record : recorder.records()) {
    ASSERT_TRUE(record.has_upsert()) << record.ShortDebugString();
    const std::string& id = record.upsert().id();
    EXPECT_GT(record.seq(), last_seen_seq[id]) << "history went backwards";
    last_seen_seq[id] = record.seq();
    auto acked = by_seq.find(record.seq());
    ASSERT_NE(acked, by_seq.end())
        << "the log holds a version nobody was acknowledged for: "
        << record.upsert().headline();
    EXPECT_NE(record.upsert().headline().find(acked->second->tag),
              std::string::npos)
        << "seq " << record.seq() << " holds " << record.upsert().headline()
        << ", acknowledged as " << acked->second->tag;
    EXPECT_EQ(record.upsert().version(), acked->second->response.version())
        << acked->second->tag;
    last_seen_tag[id] = acked->second->tag;
  }
  std::map<std::string, const Version*> last_acked;
  for (const auto& [seq, version] : by_seq) {
    last_acked[version->response.id()] = version;  // Ascending seq: the last.
  }
  ASSERT_EQ(last_acked.size(), static_cast<size_t>(kBulletins));
  for (const auto& [id, version] : last_acked) {
    EXPECT_EQ(last_seen_tag[id], version->tag)
        << "bulletin " << id << " does not end with its last acknowledged "
        << "version";
  }
}

}  // namespace
}  // namespace bulletin::testing
