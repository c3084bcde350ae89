// Watch resumes on the real binaries: a client that keeps the seq of the
// last event it processed and watches again with after_seq gets exactly
// the changes it missed, UPSERTs and RETRACTs, none twice, across a query
// replica restarted from its snapshot (SIGTERM) and one restarted from the
// log alone (SIGKILL); streams past the cap are refused, and a catch-up
// past its bound asks for a resync.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Texts "政协" matches, and does not.
std::string Matching(const std::string& marker) {
  return absl::StrCat("区政协召开全体会议\n区政协委员围绕", marker,
                      "建言献策。\n");
}
std::string NotMatching(const std::string& marker) {
  return absl::StrCat("区人大常委会召开会议\n代表围绕", marker, "开展审议。\n");
}

// "UPSERT <id>", "RETRACT <id>", "BOOKMARK".
std::string Describe(const v1::WatchEvent& event) {
  switch (event.type()) {
    case v1::WatchEvent::TYPE_UPSERT:
      return "UPSERT " + event.bulletin_id();
    case v1::WatchEvent::TYPE_RETRACT:
      return "RETRACT " + event.bulletin_id();
    case v1::WatchEvent::TYPE_BOOKMARK:
      return "BOOKMARK";
    default:
      return "UNSPECIFIED";
  }
}

// Where a client is in the change stream: the seq of the last event it
// processed, and the log that seq is in.
struct Position {
  uint64_t seq = 0;
  std::string log_id;
  uint64_t log_epoch = 0;
};

// One Watch stream of the test's client.
class Stream {
 public:
  Stream(v1::QueryService::Stub* stub, std::optional<Position> after,
         bool send_bookmarks = false) {
    v1::WatchRequest request;
    request.set_query("政协");
    if (after.has_value()) {
      request.set_after_seq(after->seq);
      request.set_log_id(after->log_id);
      request.set_log_epoch(after->log_epoch);
    }
    request.set_send_bookmarks(send_bookmarks);
    context_.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(90)));
    reader_ = stub->Watch(&context_, request);
    reader_->WaitForInitialMetadata();
  }
  ~Stream() {
    if (finished_) return;
    context_.TryCancel();
    reader_->Finish().IgnoreError();
  }

  // The next event, described; records it and its seq.
  std::string Next() {
    v1::WatchEvent event;
    if (!reader_->Read(&event)) return "(ended)";
    seqs_.push_back(event.seq());
    events_.push_back(Describe(event));
    position_ = {event.seq(), event.log_id(), event.log_epoch()};
    return events_.back();
  }
  // The next `n` events.
  std::vector<std::string> Next(int n) {
    std::vector<std::string> events;
    for (int i = 0; i < n; ++i) events.push_back(Next());
    return events;
  }
  // How the stream ended (it must end by itself).
  absl::Status Finish() {
    finished_ = true;
    return FromGrpcStatus(reader_->Finish());
  }

  const std::vector<uint64_t>& seqs() const { return seqs_; }
  // The position of the last event read.
  const Position& position() const { return position_; }
  const std::vector<std::string>& events() const { return events_; }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader_;
  std::vector<uint64_t> seqs_;
  std::vector<std::string> events_;
  Position position_;
  bool finished_ = false;
};

class WatchResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest().ok());
    ConnectToIngest();
  }
  // A new channel: one whose ingest was killed may still hold the reset.
  void ConnectToIngest() {
    ingest_ = v1::IngestService::NewStub(grpc::CreateChannel(
        pair_.ingest_address(), grpc::InsecureChannelCredentials()));
  }

  absl::Status StartQuery(const std::vector<std::string>& flags) {
    std::vector<std::string> all = {"--lame_duck_period=0s"};
    all.insert(all.end(), flags.begin(), flags.end());
    absl::Status started = pair_.StartQuery(all);
    if (!started.ok()) return started;
    absl::Status serving = pair_.WaitUntilServing(pair_.query_address());
    if (!serving.ok()) return serving;
    query_ = v1::QueryService::NewStub(grpc::CreateChannel(
        pair_.query_address(), grpc::InsecureChannelCredentials()));
    return absl::OkStatus();
  }

  // Submits `text` as (the next version of) bulletin `external_id`; its
  // seq. Remembers the id the log gave it under `external_id`.
  uint64_t Submit(const std::string& external_id, const std::string& text) {
    v1::SubmitRequest request;
    request.set_content(text);
    request.set_external_id(external_id);
    v1::SubmitResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status status = ingest_->Submit(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    ids_[external_id] = response.id();
    return response.seq();
  }
  uint64_t Retract(const std::string& external_id) {
    v1::RetractRequest request;
    request.set_id(ids_[external_id]);
    v1::RetractResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const grpc::Status status = ingest_->Retract(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.seq();
  }
  // Waits until the replica applied `seq`.
  void AwaitApplied(uint64_t seq) {
    v1::SearchRequest request;
    request.set_min_seq(seq);
    v1::SearchResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    ASSERT_TRUE(query_->Search(&context, request, &response).ok());
  }
  std::string Upsert(const std::string& external_id) {
    return "UPSERT " + ids_[external_id];
  }
  std::string Retracted(const std::string& external_id) {
    return "RETRACT " + ids_[external_id];
  }

  ServicePair pair_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::map<std::string, std::string> ids_;
};

TEST_F(WatchResumeTest, ResumesAcrossReplicaRestartsWithNoGapOrDuplicate) {
  const std::string snapshots = pair_.scratch_dir() + "/snapshots";
  ASSERT_TRUE(StartQuery({"--snapshot_dir=" + snapshots}).ok());
  // Every event and its seq, across the streams.
  std::vector<uint64_t> seen;
  std::vector<std::string> events;
  auto keep = [&](const Stream& stream) {
    seen.insert(seen.end(), stream.seqs().begin(), stream.seqs().end());
    events.insert(events.end(), stream.events().begin(), stream.events().end());
  };

  // The client watches and sees a and m arrive; n does not match.
  Position position;
  {
    Stream first(query_.get(), std::nullopt);
    Submit("a", Matching("甲"));
    Submit("n", NotMatching("乙"));
    Submit("m", Matching("丙"));
    EXPECT_THAT(first.Next(2), ElementsAre(Upsert("a"), Upsert("m")));
    position = first.position();
    EXPECT_FALSE(position.log_id.empty());
    keep(first);
  }  // The client goes away.

  // Meanwhile: a is corrected so it no longer matches, m is retracted, c
  // arrives; the replica stops (writing its snapshot), and d arrives while
  // it is down.
  Submit("a", NotMatching("甲"));
  Retract("m");
  AwaitApplied(Submit("c", Matching("丁")));
  absl::StatusOr<int> stopped = pair_.query()->Terminate(absl::Seconds(30));
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  ASSERT_EQ(*stopped, 0);
  Submit("d", Matching("戊"));
  ASSERT_TRUE(StartQuery({"--snapshot_dir=" + snapshots}).ok());
  {
    Stream resumed(query_.get(), position);
    EXPECT_THAT(resumed.Next(4), ElementsAre(Retracted("a"), Retracted("m"),
                                             Upsert("c"), Upsert("d")));
    // Live again: c's retraction (it matched) is the next event, so the
    // catch-up sent nothing more.
    Retract("c");
    EXPECT_EQ(resumed.Next(), Retracted("c"));
    position = resumed.position();
    keep(resumed);
  }
  std::string log;
  {
    std::ifstream in(pair_.scratch_dir() + "/query.log");
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_THAT(log, HasSubstr("\"event\":\"snapshot_loaded\""));

  // The replica is killed; while it is down e arrives and d is retracted;
  // it starts again without a snapshot, replaying the whole log.
  pair_.query()->Kill();
  Submit("e", Matching("己"));
  Retract("d");
  ASSERT_TRUE(
      StartQuery({"--max_watch_streams=2", "--max_watch_catch_up=5"}).ok());

  // From the start of the log the catch-up would be 6 bulletins (n, a, e
  // live; m, c, d retracted): over the bound of 5, a resync.
  {
    Stream from_start(query_.get(), Position());
    EXPECT_EQ(from_start.Next(), "(ended)");
    const absl::Status refused = from_start.Finish();
    EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
    ASSERT_TRUE(ErrorInfoOf(refused).has_value()) << refused;
    EXPECT_EQ(ErrorInfoOf(refused)->reason(), kReasonResyncRequired);
  }
  {
    Stream resumed(query_.get(), position, /*send_bookmarks=*/true);
    EXPECT_THAT(resumed.Next(2), ElementsAre(Upsert("e"), Retracted("d")));
    // A second stream fits the cap of 2; a third does not.
    Stream other(query_.get(), std::nullopt);
    Stream refused(query_.get(), std::nullopt);
    EXPECT_EQ(refused.Next(), "(ended)");
    const absl::Status overloaded = refused.Finish();
    EXPECT_EQ(overloaded.code(), absl::StatusCode::kResourceExhausted)
        << overloaded;
    ASSERT_TRUE(ErrorInfoOf(overloaded).has_value());
    EXPECT_EQ(ErrorInfoOf(overloaded)->reason(), kReasonOverloaded);
    // f is the next event: nothing else came in between.
    Submit("f", Matching("庚"));
    EXPECT_EQ(resumed.Next(), Upsert("f"));
    keep(resumed);
  }

  // One event per seq, ascending, across all three streams.
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_LT(seen[i - 1], seen[i]) << "event " << i;
  }
  // The client's copy of the matches, built from the events alone, is
  // what Search answers now: e and f.
  std::set<std::string> mirror;
  for (const std::string& event : events) {
    const std::string id = event.substr(event.find(' ') + 1);
    if (event.rfind("UPSERT ", 0) == 0) {
      mirror.insert(id);
    } else {
      mirror.erase(id);
    }
  }
  EXPECT_EQ(mirror, (std::set<std::string>{ids_["e"], ids_["f"]}));
  v1::SearchRequest search;
  search.set_query("政协");
  v1::SearchResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(query_->Search(&context, search, &response).ok());
  std::set<std::string> matching;
  for (const v1::Hit& hit : response.hits()) matching.insert(hit.bulletin_id());
  EXPECT_EQ(matching, mirror);
}

// Positions name their log. Ingest restarting on its data starts a new
// epoch of the same log: a position from the old epoch still resumes. The
// log replaced by another (its directory emptied): the open stream ends,
// and the old position is refused, with RESYNC_REQUIRED instead of a
// catch-up from seqs that mean something else now.
TEST_F(WatchResumeTest, APositionInAReplacedLogAsksForAResync) {
  ASSERT_TRUE(StartQuery({"--accept_empty_log"}).ok());
  Stream open(query_.get(), std::nullopt);
  Submit("a", Matching("甲"));
  ASSERT_EQ(open.Next(), Upsert("a"));
  const Position before_restart = open.position();
  ASSERT_FALSE(before_restart.log_id.empty());

  // SIGKILL: quicker than a clean stop, and the log recovers the same.
  pair_.ingest()->Kill();
  ASSERT_TRUE(pair_.StartIngest(pair_.ingest_port()).ok());
  ConnectToIngest();
  Submit("b", Matching("乙"));
  ASSERT_EQ(open.Next(), Upsert("b"));
  EXPECT_EQ(open.position().log_id, before_restart.log_id);
  EXPECT_GT(open.position().log_epoch, before_restart.log_epoch);
  {
    Stream resumed(query_.get(), before_restart);
    EXPECT_EQ(resumed.Next(), Upsert("b"));
  }

  // Another log behind the same address.
  pair_.ingest()->Kill();
  std::filesystem::remove_all(pair_.data_dir());
  std::filesystem::create_directories(pair_.data_dir());
  ASSERT_TRUE(pair_.StartIngest(pair_.ingest_port()).ok());
  ConnectToIngest();
  EXPECT_EQ(open.Next(), "(ended)");
  const absl::Status ended = open.Finish();
  EXPECT_EQ(ended.code(), absl::StatusCode::kFailedPrecondition) << ended;
  ASSERT_TRUE(ErrorInfoOf(ended).has_value()) << ended;
  EXPECT_EQ(ErrorInfoOf(ended)->reason(), kReasonResyncRequired);
  const std::string new_log = ErrorInfoOf(ended)->metadata().at("log_id");
  EXPECT_NE(new_log, before_restart.log_id);

  Stream stale(query_.get(), open.position());
  EXPECT_EQ(stale.Next(), "(ended)");
  const absl::Status refused = stale.Finish();
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  ASSERT_TRUE(ErrorInfoOf(refused).has_value()) << refused;
  EXPECT_EQ(ErrorInfoOf(refused)->reason(), kReasonResyncRequired);
  EXPECT_THAT(refused.message(), HasSubstr(before_restart.log_id));

  // The resync: a Search says where its answer stands in the new log, and
  // a Watch from there sees what comes after it.
  v1::SearchRequest search;
  search.set_query("政协");
  v1::SearchResponse current;
  grpc::ClientContext search_context;
  ASSERT_TRUE(query_->Search(&search_context, search, &current).ok());
  EXPECT_EQ(current.log_id(), new_log);
  Stream resynced(
      query_.get(),
      Position{current.applied_seq(), current.log_id(), current.log_epoch()});
  Submit("c", Matching("丙"));
  EXPECT_EQ(resynced.Next(), Upsert("c"));
  EXPECT_EQ(resynced.position().log_id, new_log);
}

}  // namespace
}  // namespace bulletin::testing
