// The seed bulletin must parse to its golden record exactly, field by field,
// from every encoding and line-ending style a newsroom may send it in.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "common/record/json.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/parse_submission.h"
#include "ingest-service/parser/text_util.h"
#include "tests/parser/test_files.h"
#include "unicode/ucnv.h"

namespace bulletin {
namespace {

using ::bulletin::parser_testing::ReadTestData;
using ::google::protobuf::util::MessageDifferencer;

v1::Bulletin Golden() {
  v1::Bulletin golden;
  absl::Status status = FromJson(ReadTestData("seed_000.golden.json"), &golden);
  EXPECT_TRUE(status.ok()) << status;
  return golden;
}

// Every field equal; on mismatch the report names the fields that differ.
void ExpectSameRecord(const v1::Bulletin& expected,
                      const v1::Bulletin& actual) {
  MessageDifferencer differ;
  std::string report;
  differ.ReportDifferencesToString(&report);
  EXPECT_TRUE(differ.Compare(expected, actual)) << report;
}

std::string Convert(const std::string& utf8, const char* encoding) {
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 4 + 16, '\0');
  int32_t n = ucnv_convert(encoding, "UTF-8", out.data(),
                           static_cast<int32_t>(out.size()), utf8.data(),
                           static_cast<int32_t>(utf8.size()), &status);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  out.resize(static_cast<size_t>(n));
  return out;
}

TEST(GoldenTest, SeedParsesToItsGoldenRecord) {
  const std::string seed = ReadTestData("seed_000.txt");
  ASSERT_FALSE(seed.empty());
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(seed, {});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectSameRecord(Golden(), parsed->bulletin);
  EXPECT_EQ(parsed->bulletin.source_text(), seed);
}

TEST(GoldenTest, SeedKeyFieldsMatchTheBrief) {
  absl::StatusOr<ParsedSubmission> parsed =
      ParseSubmission(ReadTestData("seed_000.txt"), {});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const v1::Bulletin& b = parsed->bulletin;
  EXPECT_EQ(b.kicker(), "为新时代新征程汇聚力量");
  EXPECT_EQ(b.headline(), "区县政协组织学习贯彻党的十九届六中全会精神");
  EXPECT_EQ(b.series().part(), 3);
  EXPECT_EQ(b.series().marker(), "(三)");
  ASSERT_EQ(b.items_size(), 11);
  EXPECT_EQ(b.items(0).organization().name(), "大渡口区政协党组");
  EXPECT_EQ(b.items(0).organization().region(), "大渡口区");
  EXPECT_EQ(b.items(9).organization().kind(),
            v1::Organization::DEMOCRATIC_PARTY);
  EXPECT_EQ(b.items(10).organization().region(), "忠县");
  ASSERT_EQ(b.reporters_size(), 12);
  EXPECT_EQ(b.reporters(0).name(), "鲜明");
  EXPECT_EQ(b.reporters(11).name(), "朱正伟");
  EXPECT_EQ(b.warnings_size(), 0);
}

struct Encoded {
  const char* name;
  std::string bytes;
  const char* encoding;
};

// The same bulletin in another encoding or with other line endings differs
// only in source_text and source_encoding, and normalizes to the same text.
TEST(GoldenTest, SeedParsesTheSameFromEveryEncoding) {
  const std::string seed = ReadTestData("seed_000.txt");
  const std::string crlf = absl::StrReplaceAll(seed, {{"\n", "\r\n"}});
  const std::string cr = absl::StrReplaceAll(seed, {{"\n", "\r"}});
  const Encoded cases[] = {
      {"bom", "\xEF\xBB\xBF" + seed, "UTF-8-BOM"},
      {"crlf", crlf, "UTF-8"},
      {"cr", cr, "UTF-8"},
      {"gb18030", Convert(crlf, "GB18030"), "GB18030"},
      {"utf16le", "\xFF\xFE" + Convert(seed, "UTF-16LE"), "UTF-16LE"},
      {"utf16be", "\xFE\xFF" + Convert(seed, "UTF-16BE"), "UTF-16BE"},
  };
  absl::StatusOr<ParsedSubmission> reference = ParseSubmission(seed, {});
  ASSERT_TRUE(reference.ok());
  for (const Encoded& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(c.bytes, {});
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->bulletin.source_encoding(), c.encoding);
    EXPECT_EQ(parsed->normalized_text, reference->normalized_text);
    v1::Bulletin expected = Golden();
    expected.set_source_text(parsed->bulletin.source_text());
    expected.set_source_encoding(c.encoding);
    ExpectSameRecord(expected, parsed->bulletin);
  }
}

// Hard-wraps every body paragraph of `text` (all lines but the first two
// and the byline) at `width` characters, the way e-mail and PDF exports do,
// indenting paragraphs with two full-width spaces or separating them with
// blank lines.
std::string HardWrap(const std::string& text, size_t width, bool indent) {
  const std::u32string all = parser::ToU32(text);
  std::vector<std::u32string> lines;
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find(U'\n', start);
    if (end == std::u32string::npos) end = all.size();
    lines.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  std::u32string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::u32string& line = lines[i];
    if (i < 2 || line.empty() || line[0] == U'(') {
      out += line + U"\n";
      continue;
    }
    out += indent ? U"\u3000\u3000" : U"\n";
    for (size_t pos = 0; pos < line.size(); pos += width) {
      out += line.substr(pos, width) + U"\n";
    }
  }
  return parser::ToUtf8(out);
}

TEST(GoldenTest, SeedParsesTheSameWhenHardWrapped) {
  const std::string seed = ReadTestData("seed_000.txt");
  for (const auto& [width, indent] :
       {std::pair<size_t, bool>{36, true}, {30, false}, {40, true}}) {
    SCOPED_TRACE("width " + std::to_string(width));
    absl::StatusOr<ParsedSubmission> parsed =
        ParseSubmission(HardWrap(seed, width, indent), {});
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    v1::Bulletin expected = Golden();
    expected.set_source_text(parsed->bulletin.source_text());
    ExpectSameRecord(expected, parsed->bulletin);
  }
}

}  // namespace
}  // namespace bulletin
