#include "query-service/watch_cursor.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/server/error_details.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/log_records.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::RetractionRecord;

// Version `version` of bulletin `id` at `seq`; "政协" in the headline makes
// it match the standing query below.
v1::LogRecord Upsert(uint64_t seq, const std::string& id,
                     const std::string& headline, int64_t version = 1) {
  v1::LogRecord record;
  record.set_seq(seq);
  v1::Bulletin* bulletin = record.mutable_upsert();
  bulletin->set_id(id);
  bulletin->set_seq(seq);
  bulletin->set_headline(headline);
  bulletin->set_version(version);
  return record;
}

// "UPSERT 3 a", "RETRACT 5 b", "BOOKMARK 7".
std::string Describe(const v1::WatchEvent& event) {
  switch (event.type()) {
    case v1::WatchEvent::TYPE_UPSERT:
      return absl::StrCat("UPSERT ", event.seq(), " ", event.bulletin_id());
    case v1::WatchEvent::TYPE_RETRACT:
      return absl::StrCat("RETRACT ", event.seq(), " ", event.bulletin_id());
    case v1::WatchEvent::TYPE_BOOKMARK:
      return absl::StrCat("BOOKMARK ", event.seq());
    default:
      return "UNSPECIFIED";
  }
}

class WatchCursorTest : public ::testing::Test {
 protected:
  // Applies `record` the way the Feed applier does.
  void Apply(const v1::LogRecord& record) {
    std::shared_ptr<const StoredRecord> replaced;
    index_.Apply(record, &replaced);
    hub_.Publish(record, replaced);
  }

  static StandingQuery Query() {
    v1::WatchRequest request;
    request.set_query("政协");
    return *StandingQuery::Create(request);
  }

  absl::StatusOr<WatchCursor> Open(std::optional<uint64_t> after_seq,
                                   bool send_bookmarks = false,
                                   size_t max_catch_up = 1000) {
    v1::WatchRequest request;
    if (after_seq.has_value()) request.set_after_seq(*after_seq);
    request.set_send_bookmarks(send_bookmarks);
    return WatchCursor::Open(request, Query(), &hub_, index_, &served_log_,
                             max_catch_up);
  }

  // Every event the cursor has now, described.
  static std::vector<std::string> Drain(WatchCursor& cursor) {
    std::vector<std::string> events;
    for (;;) {
      absl::StatusOr<std::optional<v1::WatchEvent>> next = cursor.Next();
      EXPECT_TRUE(next.ok()) << next.status();
      if (!next.ok() || !next->has_value()) return events;
      events.push_back(Describe(**next));
    }
  }

  BulletinIndex index_;
  WatchHub hub_;
  ServedLog served_log_;
};

TEST_F(WatchCursorTest, UpsertsAndRetractsAsBulletinsEnterAndLeaveResults) {
  absl::StatusOr<WatchCursor> cursor = Open(std::nullopt);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  Apply(Upsert(1, "a", "政协会议"));
  Apply(Upsert(2, "b", "其他"));
  Apply(Upsert(3, "a", "其他", 2));  // A correction that no longer matches.
  Apply(Upsert(4, "b", "政协协商", 2));
  Apply(RetractionRecord(5, "b"));  // It matched before.
  Apply(RetractionRecord(6, "a"));  // Its last version did not match.
  hub_.Tick();                      // No bookmarks unless asked for.
  EXPECT_THAT(Drain(*cursor), ElementsAre("UPSERT 1 a", "RETRACT 3 a",
                                          "UPSERT 4 b", "RETRACT 5 b"));
}

TEST_F(WatchCursorTest, BookmarksCarryThePositionWhenNothingMatches) {
  Apply(Upsert(1, "a", "其他"));
  absl::StatusOr<WatchCursor> cursor = Open(std::nullopt, true);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  // Where the stream starts, at once.
  EXPECT_THAT(Drain(*cursor), ElementsAre("BOOKMARK 1"));
  Apply(Upsert(2, "b", "其他"));
  EXPECT_THAT(Drain(*cursor), IsEmpty());  // Rate-limited: no tick yet.
  hub_.Tick();
  EXPECT_THAT(Drain(*cursor), ElementsAre("BOOKMARK 2"));
  hub_.Tick();
  EXPECT_THAT(Drain(*cursor), IsEmpty());  // The position did not move.
  Apply(Upsert(3, "c", "政协会议"));
  hub_.Tick();
  // The event carries the position itself.
  EXPECT_THAT(Drain(*cursor), ElementsAre("UPSERT 3 c"));
}

// A client that processed events up to seq 3 and resumes from there gets
// every change it missed, once, and its copy of the results then equals
// what Search would return.
TEST_F(WatchCursorTest, ResumingFromAfterSeqMissesNothingAndRepeatsNothing) {
  absl::StatusOr<WatchCursor> first = Open(std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status();
  Apply(Upsert(1, "a", "政协会议"));
  Apply(Upsert(2, "b", "其他"));
  Apply(Upsert(3, "c", "政协协商"));
  EXPECT_THAT(Drain(*first), ElementsAre("UPSERT 1 a", "UPSERT 3 c"));
  hub_.Remove(first->watcher());  // The client goes away.

  Apply(Upsert(4, "a", "其他", 2));
  Apply(RetractionRecord(5, "c"));
  Apply(Upsert(6, "d", "政协新闻"));
  Apply(Upsert(7, "e", "其他"));
  Apply(Upsert(8, "b", "政协其他", 2));
  Apply(Upsert(9, "f", "政协会议"));
  Apply(RetractionRecord(10, "f"));
  Apply(Upsert(11, "h", "其他"));

  absl::StatusOr<WatchCursor> resumed = Open(3, true);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  // One event per bulletin changed since 3, for its current state; f's
  // retraction is sent although the client never had f (the log no longer
  // says whether an earlier version matched); e, a first version that
  // does not match, is not, nor is h. The bookmark says how far the
  // catch-up got.
  EXPECT_THAT(Drain(*resumed),
              ElementsAre("RETRACT 4 a", "RETRACT 5 c", "UPSERT 6 d",
                          "UPSERT 8 b", "RETRACT 10 f", "BOOKMARK 11"));
  Apply(RetractionRecord(12, "d"));
  Apply(Upsert(13, "g", "政协"));
  EXPECT_THAT(Drain(*resumed), ElementsAre("RETRACT 12 d", "UPSERT 13 g"));

  std::set<std::string> mirror = {"a", "c"};
  for (const char* event_text :
       {"RETRACT 4 a", "RETRACT 5 c", "UPSERT 6 d", "UPSERT 8 b",
        "RETRACT 10 f", "RETRACT 12 d", "UPSERT 13 g"}) {
    const std::string event = event_text;
    const std::string id = event.substr(event.rfind(' ') + 1);
    if (event.rfind("UPSERT", 0) == 0) {
      mirror.insert(id);
    } else {
      mirror.erase(id);
    }
  }
  v1::SearchRequest search;
  search.set_query("政协");
  absl::StatusOr<v1::SearchResponse> now = index_.Search(search);
  ASSERT_TRUE(now.ok());
  std::set<std::string> matching;
  for (const v1::Hit& hit : now->hits()) matching.insert(hit.bulletin_id());
  EXPECT_EQ(mirror, matching);
}

// A change applied after the watcher was registered and before the
// catch-up was listed is in both; it is sent once.
TEST_F(WatchCursorTest, AChangeInBothCatchUpAndQueueIsSentOnce) {
  Apply(Upsert(1, "a", "政协会议"));
  std::shared_ptr<WatchHub::Watcher> watcher = hub_.Add();
  Apply(Upsert(2, "b", "政协协商"));
  WatchCursor cursor(Query(), watcher, index_.ChangesSince(0, 1000), 0,
                     /*send_bookmarks=*/false, &served_log_,
                     served_log_.generation());
  Apply(Upsert(3, "c", "政协"));
  EXPECT_THAT(Drain(cursor),
              ElementsAre("UPSERT 1 a", "UPSERT 2 b", "UPSERT 3 c"));
}

TEST_F(WatchCursorTest, AnAfterSeqAheadOfTheReplicaWaitsForIt) {
  Apply(Upsert(1, "a", "政协会议"));
  absl::StatusOr<WatchCursor> cursor = Open(4, true);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_THAT(Drain(*cursor), IsEmpty());
  Apply(Upsert(2, "b", "政协"));  // The client has these already.
  Apply(Upsert(4, "c", "政协"));
  hub_.Tick();
  EXPECT_THAT(Drain(*cursor), IsEmpty());
  Apply(Upsert(5, "d", "政协"));
  EXPECT_THAT(Drain(*cursor), ElementsAre("UPSERT 5 d"));
}

TEST_F(WatchCursorTest, ACatchUpOverTheLimitAsksForAResync) {
  Apply(Upsert(1, "a", "政协"));
  Apply(Upsert(2, "b", "政协"));
  Apply(RetractionRecord(3, "a"));
  absl::StatusOr<WatchCursor> refused = Open(0, false, /*max_catch_up=*/1);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ErrorInfoOf(refused.status()).has_value());
  EXPECT_EQ(ErrorInfoOf(refused.status())->reason(), kReasonResyncRequired);
  EXPECT_EQ(hub_.watcher_count(), 0u);
  EXPECT_TRUE(Open(0, false, /*max_catch_up=*/2).ok());
}

TEST_F(WatchCursorTest, ACursorEndsWhenTheHubShutsDown) {
  absl::StatusOr<WatchCursor> cursor = Open(std::nullopt);
  ASSERT_TRUE(cursor.ok());
  hub_.Shutdown();
  EXPECT_TRUE(absl::IsCancelled(cursor->Next().status()));
  EXPECT_TRUE(absl::IsUnavailable(Open(std::nullopt).status()));
}

// A replica restarted from a snapshot knows the retractions before it: the
// image keeps them, so a resume from before the snapshot misses none.
TEST_F(WatchCursorTest, RetractionsOutliveASnapshotImage) {
  Apply(Upsert(1, "a", "政协会议"));
  Apply(Upsert(2, "b", "政协协商"));
  Apply(Upsert(3, "c", "政协"));
  Apply(RetractionRecord(4, "a"));
  Apply(RetractionRecord(5, "c"));
  Apply(Upsert(6, "c", "其他", 2));  // Back, no longer matching.
  std::string image;
  ASSERT_TRUE(index_.TakeCheckpoint()
                  .WriteImage([&image](absl::string_view bytes) {
                    image.append(bytes.data(), bytes.size());
                    return absl::OkStatus();
                  })
                  .ok());
  BulletinIndex restarted;
  size_t offset = 0;
  ASSERT_TRUE(restarted
                  .LoadImage(
                      [&](char* into, size_t size) {
                        if (image.size() - offset < size) {
                          return absl::DataLossError("short image");
                        }
                        image.copy(into, size, offset);
                        offset += size;
                        return absl::OkStatus();
                      },
                      index_.applied_seq())
                  .ok());
  v1::WatchRequest request;
  request.set_after_seq(1);
  absl::StatusOr<WatchCursor> cursor =
      WatchCursor::Open(request, Query(), &hub_, restarted, &served_log_, 1000);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  EXPECT_THAT(Drain(*cursor),
              ElementsAre("UPSERT 2 b", "RETRACT 4 a", "RETRACT 6 c"));
}

// Events carry the log and the epoch that wrote their seq; a resume is
// checked against them, and a swap to another log ends the stream.
TEST_F(WatchCursorTest, EventsNameTheirLogAndASwapEndsTheStream) {
  served_log_.Heard({"log-a", 2}, {{1, 1}, {2, 3}});
  absl::StatusOr<WatchCursor> cursor = Open(std::nullopt);
  ASSERT_TRUE(cursor.ok()) << cursor.status();
  Apply(Upsert(1, "a", "政协会议"));
  Apply(Upsert(3, "b", "政协协商"));
  absl::StatusOr<std::optional<v1::WatchEvent>> first = cursor->Next();
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status();
  EXPECT_EQ((*first)->log_id(), "log-a");
  EXPECT_EQ((*first)->log_epoch(), 1u);  // Seq 1 was written in epoch 1.
  absl::StatusOr<std::optional<v1::WatchEvent>> second = cursor->Next();
  ASSERT_TRUE(second.ok() && second->has_value()) << second.status();
  EXPECT_EQ((*second)->log_epoch(), 2u);

  // The replica swaps to an index of another log, as the FeedFollower does.
  served_log_.BeginReplace();
  served_log_.Replaced({"log-b", 1}, {{1, 1}});
  hub_.EndAll(served_log_.ReplacedStatus());
  Apply(Upsert(4, "c", "政协会议"));
  absl::StatusOr<std::optional<v1::WatchEvent>> ended = cursor->Next();
  EXPECT_EQ(ended.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ErrorInfoOf(ended.status()).has_value());
  EXPECT_EQ(ErrorInfoOf(ended.status())->reason(), kReasonResyncRequired);
  EXPECT_EQ(ErrorInfoOf(ended.status())->metadata().at("log_id"), "log-b");

  // A resume from the old log is refused; one from the new log goes on.
  v1::WatchRequest old_position;
  old_position.set_after_seq(3);
  old_position.set_log_id("log-a");
  old_position.set_log_epoch(2);
  absl::StatusOr<WatchCursor> refused = WatchCursor::Open(
      old_position, Query(), &hub_, index_, &served_log_, 1000);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ErrorInfoOf(refused.status())->reason(), kReasonResyncRequired);
  v1::WatchRequest new_position = old_position;
  new_position.set_log_id("log-b");
  new_position.set_log_epoch(1);
  EXPECT_TRUE(WatchCursor::Open(new_position, Query(), &hub_, index_,
                                &served_log_, 1000)
                  .ok());
}

}  // namespace
}  // namespace bulletin
