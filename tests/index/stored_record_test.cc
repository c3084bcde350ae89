#include "query-service/index/store/stored_record.h"

#include <zstd.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "query-service/index/store/record_compressor.h"
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

std::vector<std::string> TextsOf(const StoredRecord& stored) {
  absl::StatusOr<RecordText> text = stored.Text();
  EXPECT_TRUE(text.ok()) << text.status();
  return text.ok() ? TextsOf(text->segments()) : std::vector<std::string>();
}

// The record as given but its source text, which the store does not keep
// (the ingest log does).
void ExpectGivesBack(const StoredRecord& stored, v1::Bulletin given) {
  given.clear_source_text();
  absl::StatusOr<v1::Bulletin> whole = stored.ToBulletin();
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*whole, given))
      << whole->DebugString();
}

// A bulletin of the genre, different for each n, with a source text that
// is its text fields as submitted.
v1::Bulletin Generated(int n) {
  static const char* const kPieces[] = {
      "区政协党组", "召开会议", "学习贯彻", "全会精神", "县人大常委会",
      "民进支部",   "开展调研", "乡村振兴", "主席",     "副主席",
      "强调",       "要求",     "坚持",     "推动",     "高质量发展"};
  std::mt19937 random(n);
  auto sentence = [&](int pieces) {
    std::string out;
    for (int i = 0; i < pieces; ++i) out += kPieces[random() % 15];
    return out + "。";
  };
  std::vector<std::string> items;
  for (int i = 0; i < 1 + n % 5; ++i) items.push_back(sentence(12 + n % 7));
  v1::Bulletin b =
      MakeBulletin(absl::StrCat("id", n), sentence(3), sentence(20), items);
  b.set_seq(100 + n);
  b.set_date("2026-12-02");
  b.mutable_items(0)->mutable_organization()->set_name(kPieces[n % 15]);
  b.add_people()->set_name("王君成");
  std::string source = b.headline() + "\n" + b.lead();
  for (const v1::Item& item : b.items()) source += "\n" + item.text();
  b.set_source_text(source);
  return b;
}

TEST(StoredRecordTest, GivesBackTheRecordAsGivenWithoutItsSource) {
  v1::Bulletin given = FullBulletin();
  given.set_source_text("全市安全生产会议召开\n本报讯 近日，……");
  RecordCompressor compressor;
  const std::shared_ptr<const StoredRecord> stored = compressor.Store(given);
  ExpectGivesBack(*stored, given);
  absl::StatusOr<v1::Bulletin> whole = stored->ToBulletin();
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_TRUE(whole->source_text().empty());
}

TEST(StoredRecordTest, SegmentsAreThoseOfTheRecordAsGiven) {
  const v1::Bulletin given = FullBulletin();
  RecordCompressor compressor;
  const std::shared_ptr<const StoredRecord> stored = compressor.Store(given);
  const std::vector<TextSegment> expected = TextSegmentsOf(given);
  absl::StatusOr<RecordText> text = stored->Text();
  ASSERT_TRUE(text.ok()) << text.status();
  const std::vector<TextSegment>& segments = text->segments();
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
  RecordCompressor compressor;
  const std::shared_ptr<const StoredRecord> stored = compressor.Store(given);
  EXPECT_EQ(stored->id(), given.id());
  EXPECT_EQ(stored->seq(), 42u);
  EXPECT_EQ(stored->date(), "2026-12-02");
  EXPECT_EQ(stored->items_size(), 3);
}

TEST(StoredRecordTest, RecordWithoutTextHasNoSegments) {
  v1::Bulletin given;
  given.set_id("0123456789abcdef");
  given.add_items();
  RecordCompressor compressor;
  const std::shared_ptr<const StoredRecord> stored = compressor.Store(given);
  EXPECT_TRUE(TextsOf(*stored).empty());
  ExpectGivesBack(*stored, given);
}

// Records stored before the first training, under each dictionary since,
// and after a retraining replaced the one they were compressed with, all
// give back what was stored; and the dictionary makes them smaller.
TEST(StoredRecordTest, EveryRecordSurvivesTheTrainings) {
  RecordCompressor compressor({.first_training = 200});
  std::vector<v1::Bulletin> given;
  std::vector<std::shared_ptr<const StoredRecord>> stored;
  for (int n = 0; n < 900; ++n) {
    given.push_back(Generated(n));
    stored.push_back(compressor.Store(given.back()));
  }
  // Trained at 200, 400 and 800 records.
  ASSERT_NE(compressor.dictionary(), nullptr);
  EXPECT_EQ(compressor.dictionary()->generation(), 3u);
  EXPECT_EQ(stored[0]->dictionary(), nullptr);
  EXPECT_EQ(stored[899]->dictionary(), compressor.dictionary());
  for (size_t n = 0; n < given.size(); ++n) {
    SCOPED_TRACE(n);
    ExpectGivesBack(*stored[n], given[n]);
    EXPECT_EQ(TextsOf(*stored[n]), TextsOf(TextSegmentsOf(given[n])));
  }
  size_t before = 0;
  size_t after = 0;
  for (int n = 0; n < 100; ++n) {
    before += stored[n]->SpaceUsed();
    after += stored[800 + n]->SpaceUsed();
  }
  EXPECT_LT(after, before * 3 / 4);
}

// A record holds no byte of its source text: stored with a source that
// nothing else repeats (so it could not hide as a reference to the text),
// it is the same bytes as stored without one.
TEST(StoredRecordTest, HoldsNoSourceText) {
  v1::Bulletin without_source = Generated(7);
  without_source.clear_source_text();
  v1::Bulletin with_source = without_source;
  std::mt19937 random(7);
  std::string source;
  while (source.size() < 4000) source += absl::StrCat(random(), "\n");
  with_source.set_source_text(source);
  std::string bare;
  RecordCompressor().Store(without_source)->AppendEncoded(&bare);
  std::string stored;
  RecordCompressor().Store(with_source)->AppendEncoded(&stored);
  EXPECT_EQ(stored, bare);
  // And the text still compresses: the record is smaller than its text.
  size_t text = 0;
  for (const TextSegment& s : TextSegmentsOf(without_source)) {
    text += s.text.size();
  }
  EXPECT_LT(stored.size(), text);
}

// A record as replicas stored it before they stopped keeping the source
// text, as snapshots written then hold it: the source after the fields in
// the rest frame, compressed with the text frame's content as prefix.
std::string EncodedWithSource(const v1::Bulletin& given,
                              const std::string& source) {
  std::string bytes;
  RecordCompressor().Store(given)->AppendEncoded(&bytes);
  // seq u64, then u32s: items, text size, rest size, id size, date size,
  // text frame size, rest frame size (stored_record.cc).
  auto u32_at = [&](size_t at) {
    uint32_t value = 0;
    std::memcpy(&value, bytes.data() + at, 4);
    return value;
  };
  const uint32_t rest_size = u32_at(16);
  const size_t rest_frame_at = 36 + u32_at(20) + u32_at(24) + u32_at(28);
  const std::string prefix = StoredRecord::TextPayloadOf(given);
  std::string rest(rest_size, '\0');
  ZSTD_DCtx* decompressor = ZSTD_createDCtx();
  ZSTD_DCtx_refPrefix(decompressor, prefix.data(), prefix.size());
  EXPECT_EQ(ZSTD_decompressDCtx(decompressor, rest.data(), rest.size(),
                                bytes.data() + rest_frame_at,
                                bytes.size() - rest_frame_at),
            rest_size);
  ZSTD_freeDCtx(decompressor);
  rest += source;
  ZSTD_CCtx* compressor = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(compressor, ZSTD_c_dictIDFlag, 0);
  ZSTD_CCtx_refPrefix(compressor, prefix.data(), prefix.size());
  std::string frame(ZSTD_compressBound(rest.size()), '\0');
  const size_t frame_size = ZSTD_compress2(
      compressor, frame.data(), frame.size(), rest.data(), rest.size());
  ZSTD_freeCCtx(compressor);
  EXPECT_FALSE(ZSTD_isError(frame_size));
  frame.resize(frame_size);
  bytes.resize(rest_frame_at);
  bytes += frame;
  const uint32_t sizes[] = {static_cast<uint32_t>(rest.size()),
                            static_cast<uint32_t>(frame.size())};
  std::memcpy(bytes.data() + 16, &sizes[0], 4);
  std::memcpy(bytes.data() + 32, &sizes[1], 4);
  return bytes;
}

// Snapshots written before hold records with their source: they load, and
// read as every record does, without it (stored_record.h, ToBulletin).
TEST(StoredRecordTest, ARecordThatStillHoldsItsSourceReadsWithoutIt) {
  const v1::Bulletin given = FullBulletin();
  const std::string bytes =
      EncodedWithSource(given, "全市安全生产会议召开\n本报讯 近日，……");
  std::string without;
  RecordCompressor().Store(given)->AppendEncoded(&without);
  ASSERT_GT(bytes.size(), without.size());  // The source is in there.
  absl::StatusOr<std::shared_ptr<const StoredRecord>> decoded =
      StoredRecord::Decode(bytes, nullptr);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ExpectGivesBack(**decoded, given);
  EXPECT_EQ(TextsOf(**decoded), TextsOf(TextSegmentsOf(given)));
}

// What a snapshot image holds of a record decodes to the same record, with
// its dictionary.
TEST(StoredRecordTest, EncodedRecordDecodesToTheSame) {
  RecordCompressor compressor({.first_training = 50});
  for (int n = 0; n < 60; ++n) compressor.Store(Generated(n));
  const v1::Bulletin given = Generated(1000);
  const std::shared_ptr<const StoredRecord> stored = compressor.Store(given);
  ASSERT_NE(stored->dictionary(), nullptr);
  std::string bytes;
  stored->AppendEncoded(&bytes);
  absl::StatusOr<std::shared_ptr<const StoredRecord>> decoded =
      StoredRecord::Decode(bytes, stored->dictionary());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ExpectGivesBack(**decoded, given);
  EXPECT_EQ(TextsOf(**decoded), TextsOf(*stored));
  EXPECT_EQ((*decoded)->id(), stored->id());
  EXPECT_EQ((*decoded)->seq(), stored->seq());
  EXPECT_EQ((*decoded)->date(), stored->date());
  EXPECT_EQ((*decoded)->items_size(), stored->items_size());
}

// Every cut of an encoded record, and one with a byte more, is refused,
// never read past its end.
TEST(StoredRecordTest, TruncatedEncodingIsRefused) {
  v1::Bulletin given = FullBulletin();
  given.set_source_text("全市安全生产会议召开");
  RecordCompressor compressor;
  std::string bytes;
  compressor.Store(given)->AppendEncoded(&bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_EQ(
        StoredRecord::Decode(bytes.substr(0, size), nullptr).status().code(),
        absl::StatusCode::kDataLoss)
        << size;
  }
  EXPECT_EQ(StoredRecord::Decode(bytes + "x", nullptr).status().code(),
            absl::StatusCode::kDataLoss);
}

// A text frame whose content size disagrees with the record's is refused
// at decode, before any search trusts it.
TEST(StoredRecordTest, FrameOfAnotherSizeIsRefused) {
  RecordCompressor compressor;
  std::string bytes;
  compressor.Store(FullBulletin())->AppendEncoded(&bytes);
  std::string other = bytes;
  other[12] = static_cast<char>(other[12] + 1);  // text size, low byte
  EXPECT_EQ(StoredRecord::Decode(other, nullptr).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace bulletin
