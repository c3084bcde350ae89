// Property: every character of the input lands in exactly one part of the
// record. Checked over the seed, the variants, edits of them (blank lines,
// indentation, line endings), and random text built from the pieces
// bulletins are made of. Punctuation and spaces are separators the parser
// may drop (the comma after a dateline, the brackets of a byline); every
// other character must be placed once: in the kicker, headline, series
// marker, subtitle, dateline, lead, an item, a reporter, or a warning.

#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/parse_submission.h"
#include "ingest-service/parser/text_util.h"
#include "tests/parser/test_files.h"

namespace bulletin {
namespace {

using ::bulletin::parser_testing::ReadTestData;
using ::bulletin::parser_testing::TestDataFiles;
using Counts = std::map<char32_t, int>;

// Punctuation, symbols and spaces are separators; everything else is
// content that must be placed.
bool IsContent(char32_t c) {
  if (c < 0x80) {
    return (c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z') ||
           (c >= U'a' && c <= U'z');
  }
  const bool punctuation = (c >= 0x2000 && c <= 0x206F) ||  // general
                           (c >= 0x2500 && c <= 0x257F) ||  // box drawing
                           (c >= 0x3000 && c <= 0x303F) ||  // CJK symbols
                           (c >= 0xFF00 && c <= 0xFF0F) || c == 0x00B7;
  return !punctuation;
}

void AddContent(const std::string& utf8, int sign, Counts* counts) {
  for (char32_t c : parser::ToU32(utf8)) {
    if (IsContent(c)) (*counts)[c] += sign;
  }
}

std::string WithoutSpaces(const std::string& s) {
  return absl::StrReplaceAll(s, {{" ", ""}});
}

// The multiset difference between the normalized text and the parts; empty
// when every content character is placed exactly once.
Counts Unplaced(const ParsedSubmission& parsed) {
  const v1::Bulletin& b = parsed.bulletin;
  Counts counts;
  AddContent(parsed.normalized_text, +1, &counts);
  for (const std::string* part :
       {&b.kicker(), &b.headline(), &b.series().marker(), &b.subtitle(),
        &b.dateline(), &b.lead()}) {
    AddContent(*part, -1, &counts);
  }
  for (const v1::Item& item : b.items()) AddContent(item.text(), -1, &counts);
  for (const v1::Warning& w : b.warnings()) AddContent(w.text(), -1, &counts);
  // Reporters named in the dateline are already counted with it; a role
  // written once before several names counts once.
  const std::string dateline = WithoutSpaces(b.dateline());
  std::string previous_role;
  for (const v1::Reporter& r : b.reporters()) {
    if (!dateline.empty() && dateline.find(r.name()) != std::string::npos) {
      continue;
    }
    AddContent(r.name(), -1, &counts);
    if (r.role() != previous_role) AddContent(r.role(), -1, &counts);
    previous_role = r.role();
  }
  for (auto it = counts.begin(); it != counts.end();) {
    it = it->second == 0 ? counts.erase(it) : std::next(it);
  }
  return counts;
}

std::string Describe(const Counts& counts) {
  std::string out;
  for (const auto& [c, n] : counts) {
    parser::AppendUtf8(c, &out);
    out += "x" + std::to_string(n) + " ";
  }
  return out;
}

void ExpectCovered(const std::string& bytes, const std::string& label) {
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(bytes, {});
  if (!parsed.ok()) return;  // rejected input has no parts to cover
  const Counts unplaced = Unplaced(*parsed);
  EXPECT_TRUE(unplaced.empty())
      << label << ": unplaced (+) or doubled (-): " << Describe(unplaced)
      << "\ninput:\n"
      << parsed->normalized_text;
}

std::vector<std::string> Corpus() {
  std::vector<std::string> corpus = {ReadTestData("seed_000.txt")};
  for (const char* dir : {"variants", "small"}) {
    for (const std::string& name : TestDataFiles(dir)) {
      corpus.push_back(ReadTestData(name));
    }
  }
  return corpus;
}

TEST(PropertyTest, SeedAndVariantsAreCovered) {
  for (const std::string& bytes : Corpus()) ExpectCovered(bytes, "corpus");
}

// Cases where a part could be counted twice: words in a dateline's byline,
// markers on kickers and subtitles, names shared by a list of officials.
TEST(PropertyTest, TrickyCasesAreCovered) {
  for (const char* text : {
           "主题\n本报讯(记者 张三 摄)11月18日,会议召开。",
           "主题\n本报讯 记者 张 强 报道:连日来,各地学习。",
           "奋力谱写新篇章\n——学习贯彻全会精神系列评论之三\n正文。",
           "学习贯彻全会精神(五)\n大渡口:学习热潮\n正文。",
           "主题\n导语。\n副主席李四、王五出席。\n(本报记者 李四摄)",
           "栏目\n引题\n主题(二)\n副题\n正文。",
           "主题\n导语。\n大渡口区政协召开会议。(鲜 明 吕 静 摄)",
           "主题\n导语。\n大渡口区政协召开会议。(鲜 明 吕 静 摄)",
           "主题(三)\n来源:重庆日报\n2021-11-18\n本报讯 正文。\n(鲜 "
           "明)\n责编:张三",
       }) {
    ExpectCovered(text, text);
  }
}

// Edits a newsroom's tools make: blank lines, indentation with full-width
// spaces, CRLF, lines dropped from the top or the bottom.
TEST(PropertyTest, EditedBulletinsAreCovered) {
  std::mt19937 rng(20211118);
  const std::string utf8[] = {ReadTestData("seed_000.txt"),
                              ReadTestData("variants/sichuan_roundup.txt"),
                              ReadTestData("variants/single_article.txt")};
  for (int round = 0; round < 300; ++round) {
    std::string text = utf8[rng() % 3];
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    const size_t drop_top = rng() % 3;
    const size_t drop_bottom = rng() % 3;
    std::string edited;
    for (size_t i = drop_top; i + drop_bottom < lines.size(); ++i) {
      if (rng() % 4 == 0) edited += "\xE3\x80\x80\xE3\x80\x80";  // 　　
      edited += lines[i];
      edited += rng() % 2 ? "\r\n" : "\n";
      if (rng() % 5 == 0) edited += "\n";
    }
    ExpectCovered(edited, "edit " + std::to_string(round));
  }
}

// Random text from the pieces bulletins are made of: the property holds for
// any input, not only well-formed bulletins.
TEST(PropertyTest, RandomBulletinPiecesAreCovered) {
  const std::vector<std::string> pieces = {
      "本报讯",   "(",        ")",        "记者",        "本报记者 ",
      "通讯员",   " ",        "\n",       "\n\n",        "11月18日",
      "2021年",   "电",       "区政协",   "党组书记",    "、",
      "主席",     "王君成",   "鲜 明 ",   "吕 静",       "召开",
      "会议",     ",",        "。",       "(三)",        "之三",
      "——",       "大渡口区", "民进",     "总支",        "彭水县",
      "主持",     "區縣",     "政協",     "陳",          "新华社",
      "区委书记", "李明",     "区(市)县", "连日来",      "\xE3\x80\x80",
      "九三学社", "忠县",     "支社",     "2",           "一",
      "报道",     "摄",       ":",        "本报讯 记者 "};
  std::mt19937 rng(6);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    ExpectCovered(text, "random " + std::to_string(round));
  }
}

}  // namespace
}  // namespace bulletin
