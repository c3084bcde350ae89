// Names and titles from every newsroom (docs/parsing.md, rules 9a-9d):
// transliterated names with dots, minority names without a Han surname,
// title chains with membership titles, and words that are never names.

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/parse_submission.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::Bulletin MustParse(const std::string& text) {
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(text, {});
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->bulletin : v1::Bulletin();
}

std::vector<std::string> People(const v1::Bulletin& b) {
  std::vector<std::string> out;
  for (const v1::Person& p : b.people()) {
    out.push_back(p.name() + ":" + absl::StrJoin(p.titles(), "、"));
  }
  return out;
}

std::vector<std::string> Reporters(const v1::Bulletin& b) {
  std::vector<std::string> out;
  for (const v1::Reporter& r : b.reporters()) {
    out.push_back(r.role() + "/" + r.name());
  }
  return out;
}

TEST(DottedNameRule, EveryDotFormBecomesTheMiddleDot) {
  // ·  •  ・ ‧ ∙ ⋅ ⸱ ． and the half-width ･, with or without spaces.
  for (const char* dot :
       {"·", "•", "・", "‧", "∙", "⋅", "⸱", "．", "･", " · ", " • "}) {
    const v1::Bulletin b =
        MustParse(std::string("主题\n导语。\n区政协主席艾尔肯") + dot +
                  "吐尼亚孜主持会议。");
    EXPECT_THAT(People(b), ElementsAre("艾尔肯·吐尼亚孜:区政协主席")) << dot;
  }
}

TEST(DottedNameRule, ListMarkersAndNumbersKeepTheirFullStop) {
  const v1::Bulletin b =
      MustParse("主题\n导语。\n一.区政协召开会议。3.5亿元。");
  ASSERT_EQ(b.items_size(), 1);
  EXPECT_EQ(b.items(0).text(), "一.区政协召开会议。3.5亿元。");
  EXPECT_EQ(b.items(0).organization().name(), "区政协");
}

TEST(DottedNameRule, NamesInTitleChainsListsAndAfterStops) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n"
      "区政协副主席古丽娜尔·买买提、王建新、努尔兰·哈布力出席。"
      "市人大常委会主任买买提江·吐尔逊在会上强调,要抓好落实。"
      "县委书记阿不都热合曼·阿不力孜,县长张强参加。");
  EXPECT_THAT(People(b),
              ElementsAre("古丽娜尔·买买提:区政协副主席", "王建新:区政协副主席",
                          "努尔兰·哈布力:区政协副主席",
                          "买买提江·吐尔逊:市人大常委会主任",
                          "阿不都热合曼·阿不力孜:县委书记", "张强:县长"));
}

TEST(DottedNameRule, BylinesOfDottedNames) {
  EXPECT_THAT(Reporters(MustParse("主题\n正文。\n(阿依古丽·买买提 李 健)")),
              ElementsAre("/阿依古丽·买买提", "/李健"));
  EXPECT_THAT(Reporters(MustParse(
                  "主题\n正文。\n记者 热依拉 • 买买提 通讯员 努尔兰·哈布力")),
              ElementsAre("记者/热依拉·买买提", "通讯员/努尔兰·哈布力"));
  const v1::Bulletin dateline =
      MustParse("主题\n本报讯(记者 阿依努尔·吐尔逊)11月18日,区政协召开会议。");
  EXPECT_THAT(Reporters(dateline), ElementsAre("记者/阿依努尔·吐尔逊"));
  EXPECT_THAT(dateline.warnings(), IsEmpty());
}

TEST(GazetteerNamesRule, AutonomousCountiesWithoutTheirNationalities) {
  const parser::Gazetteer& gaz = parser::DefaultGazetteer();
  const std::pair<std::u32string, std::string> cases[] = {
      {U"察布查尔县", "654022"},
      {U"彭水县", "500243"},
      {U"巴音郭楞州", "652800"},
      {U"积石山县", "622927"},
      {U"伊犁州", "654000"}};
  for (const auto& [name, code] : cases) {
    std::optional<parser::RegionMention> m = gaz.FindMostSpecific(name, "");
    ASSERT_TRUE(m.has_value()) << parser::ToUtf8(name);
    EXPECT_EQ(m->region->code, code) << parser::ToUtf8(name);
  }
}

}  // namespace
}  // namespace bulletin
