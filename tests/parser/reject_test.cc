// Every kind of bad input is rejected with its status code and a message
// that says what is wrong and where.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/parse_submission.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

absl::Status Parse(const std::string& bytes, size_t max_bytes = 4 << 20) {
  ParseOptions options;
  options.max_bytes = max_bytes;
  return ParseSubmission(bytes, options).status();
}

TEST(RejectTest, Empty) {
  absl::Status s = Parse("");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("empty"));
}

TEST(RejectTest, WhitespaceOnly) {
  absl::Status s = Parse(" \r\n\t\n\xE3\x80\x80\n");  // U+3000 too
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("whitespace only"));
}

TEST(RejectTest, BomOnlyIsWhitespaceOnly) {
  absl::Status s = Parse("\xEF\xBB\xBF\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("whitespace only"));
}

TEST(RejectTest, OverTheSizeLimit) {
  absl::Status s = Parse(std::string(101, 'a'), 100);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("101 bytes"));
  EXPECT_THAT(s.message(), HasSubstr("limit is 100"));
}

TEST(RejectTest, NulByteSaysWhere) {
  absl::Status s = Parse(std::string("标题\n正文", 11) + std::string(1, '\0'));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("NUL byte at offset 11 (line 2)"));
}

TEST(RejectTest, BinaryControlBytes) {
  absl::Status s = Parse("\x89PNG\r\n\x1A\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("binary data"));
  EXPECT_THAT(s.message(), HasSubstr("0x1A at offset 6 (line 2)"));
}

TEST(RejectTest, UndecodableBytesSayWhere) {
  // GBK (标题), then 0xFF which is neither UTF-8 nor GB18030.
  absl::Status s = Parse("\xB1\xEA\xCC\xE2\n\xFF");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("undecodable"));
  EXPECT_THAT(s.message(),
              HasSubstr("not GB18030 (byte 0xFF at offset 5, line 2)"));
}

TEST(RejectTest, UtfEightThatGoesOnInAnotherEncodingIsMixed) {
  // UTF-8 (标题, 正文), then GBK (内容): as GB18030 the UTF-8 part would
  // decode to mojibake, so it is refused rather than guessed.
  absl::Status s = Parse("标题\n正文\xC4\xDA\xC8\xDD");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("mixes encodings"));
  EXPECT_THAT(s.message(), HasSubstr("offset 13 (line 2)"));
}

// GBK whose first characters happen to form valid two-byte UTF-8 (学 is
// D1 A7, 习 is CF B0, 时 is CA B1: each a well-formed UTF-8 sequence) is
// still GBK, not UTF-8 that goes on in another encoding.
TEST(RejectTest, GbkThatStartsLikeUtf8IsGbk) {
  const std::string gbk = "\xD1\xA7\xCF\xB0\xCA\xB1\n\xD5\xFD\xCE\xC4\xA1\xA3";
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(gbk, {});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->bulletin.source_encoding(), "GB18030");
  EXPECT_EQ(parsed->bulletin.headline(), "学习时");
}

TEST(RejectTest, DamagedUtf8IsNotTakenForGb18030) {
  std::string text =
      "为新时代新征程汇聚力量\n区县政协组织学习贯彻党的十九届六中全会精神\n"
      "连日来,我市区县政协组织以多种形式认真学习。";
  // Break 新, the second character: too early for the UTF-8 before it to
  // show, but the rest of the text is UTF-8.
  text[4] = '\xFF';
  absl::Status s = Parse(text);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("at offset 3 (line 1)"));
  EXPECT_THAT(s.message(), HasSubstr("the text is UTF-8"));
}

TEST(RejectTest, BadUtf8AfterUtf8Bom) {
  absl::Status s = Parse("\xEF\xBB\xBF\xC4\xE3\xBA\xC3");  // GBK after a BOM
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("UTF-8 byte order mark"));
  EXPECT_THAT(s.message(), HasSubstr("offset 3"));
}

TEST(RejectTest, Utf16OddLength) {
  absl::Status s = Parse(std::string("\xFF\xFE\x07\x68\x98", 5));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("odd number of bytes"));
}

TEST(RejectTest, Utf16UnpairedSurrogate) {
  absl::Status s = Parse(std::string("\xFF\xFE\x07\x68\x00\xD8\x41\x00", 8));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("unpaired surrogate 0xD800 at byte offset 4"));
}

TEST(RejectTest, Utf16Nul) {
  absl::Status s = Parse(std::string("\xFF\xFE\x07\x68\x00\x00", 6));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("NUL character at byte offset 4"));
}

TEST(RejectTest, DateThatIsNotIso) {
  ParseOptions options;
  options.date = "18/11/2021";
  absl::Status s = ParseSubmission("标题\n正文。", options).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("date \"18/11/2021\" is not a calendar date in the "
                        "form YYYY-MM-DD"));
  // The same check as the RPC's: a day the month does not have is refused.
  options.date = "2021-02-30";
  EXPECT_EQ(ParseSubmission("标题\n正文。", options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.date = "2021-11-18";
  EXPECT_TRUE(ParseSubmission("标题\n正文。", options).ok());
}

TEST(RejectTest, AcceptsTabsAndFormFeeds) {
  EXPECT_TRUE(Parse("标题\t\f\n正文。\n").ok());
}

}  // namespace
}  // namespace bulletin
