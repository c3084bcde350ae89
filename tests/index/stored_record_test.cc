#include "query-service/index/stored_record.h"

#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::MakeBulletin;

// Every text field set, an item with no text, and fields that are not text.
v1::Bulletin FullBulletin() {
  v1::Bulletin b =
      MakeBulletin("0123456789abcdef", "全市安全生产会议召开",
                   "本报讯 近日，市应急管理局召开会议。",
                   {"市应急管理局部署工作。", "", "县科协开展活动。"});
  b.set_kicker("本报专讯");
  b.set_subtitle("部署冬春季工作");
  b.set_dateline("本报北京12月2日电");
  b.set_seq(42);
  b.set_date("2026-12-02");
  b.mutable_items(0)->mutable_organization()->set_name("市应急管理局");
  b.add_people()->set_name("张伟明");
  return b;
}

std::vector<std::string> TextsOf(const std::vector<TextSegment>& segments) {
  std::vector<std::string> texts;
  for (const TextSegment& s : segments) texts.emplace_back(s.text);
  return texts;
}

TEST(StoredRecordTest, GivesBackTheRecordAsGiven) {
  const v1::Bulletin given = FullBulletin();
  const StoredRecord stored(given);
  EXPECT_TRUE(MessageDifferencer::Equals(stored.ToBulletin(), given))
      << stored.ToBulletin().DebugString();
}

TEST(StoredRecordTest, SegmentsAreThoseOfTheRecordAsGiven) {
  const v1::Bulletin given = FullBulletin();
  const StoredRecord stored(given);
  const std::vector<TextSegment> expected = TextSegmentsOf(given);
  const RecordText text = stored.Text();
  const std::vector<TextSegment>& segments = text.segments();
  ASSERT_EQ(segments.size(), expected.size());
  EXPECT_EQ(TextsOf(segments), TextsOf(expected));
  for (size_t i = 0; i < segments.size(); ++i) {
    EXPECT_EQ(segments[i].field, expected[i].field) << i;
    EXPECT_EQ(segments[i].kind, expected[i].kind) << i;
    EXPECT_EQ(segments[i].item_index, expected[i].item_index) << i;
  }
}

TEST(StoredRecordTest, ReadsWhatEveryHitNeedsWithoutTheWhole) {
  const v1::Bulletin given = FullBulletin();
  const StoredRecord stored(given);
  EXPECT_EQ(stored.id(), given.id());
  EXPECT_EQ(stored.seq(), 42u);
  EXPECT_EQ(stored.date(), "2026-12-02");
  EXPECT_EQ(stored.items_size(), 3);
}

TEST(StoredRecordTest, RecordWithoutTextHasNoSegments) {
  v1::Bulletin given;
  given.set_id("0123456789abcdef");
  given.add_items();
  const StoredRecord stored(given);
  EXPECT_TRUE(stored.Text().segments().empty());
  EXPECT_TRUE(MessageDifferencer::Equals(stored.ToBulletin(), given));
}

TEST(StoredRecordTest, SpaceUsedCountsTheText) {
  v1::Bulletin small = FullBulletin();
  v1::Bulletin large = FullBulletin();
  large.set_lead(std::string(10000, 'x'));
  // The lead grew by nearly 10,000 bytes.
  EXPECT_GE(StoredRecord(large).SpaceUsed(),
            StoredRecord(small).SpaceUsed() + 9900);
}

// What a snapshot image holds of a record decodes to the same record, text
// and segments, without the text going through a protobuf parse.
TEST(StoredRecordTest, EncodedRecordDecodesToTheSame) {
  v1::Bulletin given = FullBulletin();
  given.set_source_text("全市安全生产会议召开\n本报讯 近日，……");
  const StoredRecord stored(given);
  std::string bytes;
  stored.AppendEncoded(&bytes);
  absl::StatusOr<std::shared_ptr<const StoredRecord>> decoded =
      StoredRecord::Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(MessageDifferencer::Equals((*decoded)->ToBulletin(), given));
  EXPECT_EQ(TextsOf((*decoded)->Text().segments()),
            TextsOf(stored.Text().segments()));
  EXPECT_EQ((*decoded)->id(), stored.id());
  EXPECT_EQ((*decoded)->seq(), stored.seq());
  EXPECT_EQ((*decoded)->date(), stored.date());
}

// Every cut of an encoded record is refused, never read past its end.
TEST(StoredRecordTest, TruncatedEncodingIsRefused) {
  const StoredRecord stored(FullBulletin());
  std::string bytes;
  stored.AppendEncoded(&bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    // A cut inside the trailing protobuf may still parse; the others must
    // not, and none may read past the bytes given.
    const std::string cut = bytes.substr(0, size);
    absl::StatusOr<std::shared_ptr<const StoredRecord>> decoded =
        StoredRecord::Decode(cut);
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
    }
  }
  std::string bad_field = bytes;
  bad_field[4 + 12] = 9;  // The first segment's field.
  EXPECT_EQ(StoredRecord::Decode(bad_field).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace bulletin
