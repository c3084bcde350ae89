// Names and titles from every newsroom (docs/parsing.md, rules 9a-9d):
// transliterated names with dots, minority names without a Han surname,
// title chains with membership titles, and words that are never names.

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/data_files.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
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

TEST(BareNameRule, MinorityNamesBetweenATitleAndWhatEndsTheMention) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n"
      "区政协党组书记、主席次仁卓嘎主持会议,区政协副主席扎西、洛桑江村出席。"
      "区人大常委会主任白玛多吉强调,要抓好落实。旗委书记巴特尔在会上讲话。"
      "副旗长乌兰图雅,副旗长苏和参加。");
  EXPECT_THAT(People(b),
              ElementsAre("次仁卓嘎:区政协党组书记、主席", "扎西:区政协副主席",
                          "洛桑江村:区政协副主席", "白玛多吉:区人大常委会主任",
                          "巴特尔:旗委书记", "乌兰图雅:副旗长", "苏和:副旗长"));
}

TEST(PaddedNameRule, ATwoCharacterNamePaddedInTheText) {
  EXPECT_THAT(
      People(MustParse("主题\n导语。\n两江新区政协委员马 丽带领团队攻关。"
                       "区政协副主席王五、李 强出席。")),
      ElementsAre("马丽:新区政协委员", "王五:区政协副主席",
                  "李强:区政协副主席"));
  // Not where nothing ends the name.
  EXPECT_THAT(People(MustParse("主题\n导语。\n区委书记王 家庄园建设。")),
              IsEmpty());
}

TEST(BareNameRule, PhrasesAfterATitleAreNoNames) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n区委书记高度重视。区委常委会议强调,要抓好落实。"
      "区政协主席和副主席出席。区委书记带头学习,主任委员们纷纷表示赞同。");
  EXPECT_THAT(People(b), IsEmpty());
}

TEST(TitleChainRule, MembershipAndUnitTitlesInARow) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n"
      "区政协委员、镇农业服务中心主任张德明介绍了经验。"
      "市人大代表、重庆某某科技有限公司董事长李华说,要坚定信心。"
      "县政协常委、县工商联副主席、县农业农村局局长王刚参加。"
      "全国人大代表、村党支部书记李秀英介绍了经验。");
  EXPECT_THAT(People(b),
              ElementsAre("张德明:区政协委员、镇农业服务中心主任",
                          "李华:市人大代表、重庆某某科技有限公司董事长",
                          "王刚:县政协常委、县工商联副主席、县农业农村局局长",
                          "李秀英:全国人大代表、村党支部书记"));
}

TEST(TitleChainRule, ACollectiveTitleIsFollowedByNoName) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n全体委员开展专题研讨。广大政协委员积极建言。"
      "与会委员围绕主题发言。各位代表认真审议。");
  EXPECT_THAT(People(b), IsEmpty());
}

// No word of the verb lists in data/ becomes a name, after a title or
// after a collective title, whatever follows it.
TEST(VerbRule, NoVerbOrFunctionWordIsAPerson) {
  std::vector<std::string> words;
  for (const char* file :
       {"event_verbs.tsv", "name_stops.txt", "verbs.txt", "not_in_names.txt"}) {
    absl::StatusOr<std::vector<parser::DataLine>> lines =
        parser::ReadDataLines(parser::EmbeddedDataFiles(), file);
    ASSERT_TRUE(lines.ok()) << lines.status();
    for (const parser::DataLine& line : *lines) {
      words.emplace_back(line.text.substr(0, line.text.find('\t')));
    }
  }
  ASSERT_GT(words.size(), 200u);
  const parser::Lexicon& lex = parser::DefaultLexicon();
  for (const std::string& verb : words) {
    // One-character words that are also surnames (向, 从) start names by
    // right: 区总工会党组书记向东.
    if (parser::ToU32(verb).size() == 1 &&
        lex.surnames.Contains(parser::ToU32(verb))) {
      continue;
    }
    for (const char* title : {"区政协主席", "全体委员", "县长", "委员"}) {
      for (const char* after : {"", "工作", "调研,", "会议。", "学习"}) {
        const std::string text =
            std::string("主题\n导语。\n") + title + verb + after + "。";
        const v1::Bulletin b = MustParse(text);
        for (const v1::Person& p : b.people()) {
          EXPECT_EQ(p.name().find(verb), std::string::npos)
              << text << " -> " << p.name();
        }
      }
    }
  }
}

TEST(ProfileRule, AMembersBodyIsTheItemsOrganization) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n"
      "江北区政协委员王小明长期扎根基层,带领群众增收致富。\n"
      "城关区政协委员、拉萨市某某农牧民专业合作社理事长尼玛次仁积极建言。\n"
      "山南市乃东区人大代表达瓦卓玛积极撰写议案。\n"
      "卡若区委常委、统战部部长格桑曲珍带领干部开展宣讲。");
  ASSERT_EQ(b.items_size(), 4);
  EXPECT_EQ(b.items(0).organization().name(), "江北区政协");
  EXPECT_EQ(b.items(0).organization().kind(), v1::Organization::CPPCC);
  EXPECT_EQ(b.items(0).organization().region(), "江北区");
  EXPECT_EQ(b.items(1).organization().name(), "城关区政协");
  EXPECT_EQ(b.items(2).organization().name(), "山南市乃东区人大");
  EXPECT_EQ(b.items(2).organization().kind(),
            v1::Organization::PEOPLES_CONGRESS);
  EXPECT_EQ(b.items(3).organization().name(), "卡若区委统战部");
  EXPECT_THAT(
      People(b),
      ElementsAre("王小明:区政协委员",
                  "尼玛次仁:区政协委员、拉萨市某某农牧民专业合作社理事长",
                  "达瓦卓玛:区人大代表", "格桑曲珍:区委常委、统战部部长"));
}

TEST(BylineNamesRule, MinorityNamesInBylinesStayWhole) {
  EXPECT_THAT(Reporters(MustParse(
                  "主题\n正文。\n(记者 才让卓玛 马 明 通讯员 孟和巴雅尔)")),
              ElementsAre("记者/才让卓玛", "记者/马明", "通讯员/孟和巴雅尔"));
  // Two Han names run together still split.
  EXPECT_THAT(Reporters(MustParse("主题\n正文。\n(吕静吴林)")),
              ElementsAre("/吕静", "/吴林"));
}

TEST(MetadataRule, ABracketedMetadataLineIsMetadata) {
  const v1::Bulletin b = MustParse("主题\n导语。\n(责任编辑:王丽)");
  ASSERT_EQ(b.warnings_size(), 1);
  EXPECT_EQ(b.warnings(0).kind(), "metadata_line");
  EXPECT_EQ(b.items_size(), 0);
}

TEST(ProfileRule, AQuotedMemberAndAnOpeningTimeClause) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n近年来,江北区政协委员王小明长期扎根基层。\n"
      "沙坪坝区政协委员、重庆某某科技有限公司总经理刘洋:"
      "要把全会精神落到实处。\n"
      "区委书记李明,区长张强出席。");
  ASSERT_EQ(b.items_size(), 3);
  EXPECT_EQ(b.items(0).organization().name(), "江北区政协");
  EXPECT_EQ(b.items(1).organization().name(), "沙坪坝区政协");
  // A list of officials still names no body.
  EXPECT_FALSE(b.items(2).has_organization());
}

TEST(DottedNameRule, ForeignNamesAfterATitleInsideAUnitName) {
  EXPECT_THAT(
      People(MustParse("主题\n导语。\n美国驻成都总领事馆总领事詹姆斯·马丁"
                       "出席活动。")),
      ElementsAre("詹姆斯·马丁:美国驻成都总领事馆总领事"));
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

// Every county-level division and management area of the statistical codes
// is found by its full name.
TEST(GazetteerNamesRule, EveryCountyLevelDivisionByItsFullName) {
  const parser::Gazetteer& gaz = parser::DefaultGazetteer();
  int county_level = 0;
  absl::StatusOr<std::vector<parser::DataLine>> rows =
      parser::ReadDataLines(parser::EmbeddedDataFiles(), "regions.tsv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const parser::DataLine& row : *rows) {
    const std::string_view line = row.text;
    std::vector<std::string> f = absl::StrSplit(parser::ToAbsl(line), '\t');
    ASSERT_EQ(f.size(), 4u) << line;
    if (f[1] != "A" || f[2] == "城区" || f[2] == "郊区" || f[2] == "矿区" ||
        f[2] == "新区") {
      continue;
    }
    ++county_level;
    std::optional<parser::RegionMention> m =
        gaz.FindMostSpecific(parser::ToU32(f[2]), f[3]);
    ASSERT_TRUE(m.has_value()) << line;
    EXPECT_EQ(m->region->name, f[2]) << line;
    // 乌拉盖管理区管委会 is coded with its organ's name; the area is found
    // without it, so that the organ reads as its body.
    const std::string organ = "管委会";
    const size_t written =
        parser::ToU32(f[2]).size() - (absl::EndsWith(f[2], organ) ? 3 : 0);
    EXPECT_EQ(m->length, written) << line;
  }
  EXPECT_GT(county_level, 2900);
}

TEST(GazetteerNamesRule, ManagementAreasByTheNamesPapersWrite) {
  const parser::Gazetteer& gaz = parser::DefaultGazetteer();
  const std::pair<std::u32string, std::string> cases[] = {
      {U"石家庄高新区", "130171"},
      {U"芦台经开区", "130271"},
      {U"唐山芦台经济开发区", "130271"},
      {U"汉沽管理区", "130272"},
      {U"秦皇岛经开区", "130371"},
      {U"北戴河新区", "130372"},
      {U"长春净月高新区", "220172"},
      {U"郑州航空港经济综合实验区", "410173"},
      {U"苏州工业园区", "320576"},
      {U"合肥高新区", "340176"}};
  for (const auto& [name, code] : cases) {
    std::optional<parser::RegionMention> m = gaz.FindMostSpecific(name, "");
    ASSERT_TRUE(m.has_value()) << parser::ToUtf8(name);
    EXPECT_EQ(m->region->code, code) << parser::ToUtf8(name);
  }
}

TEST(ZoneRule, BodiesOfManagementAreasHaveTheirRegion) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n两江新区召开会议,学习全会精神。\n"
      "重庆高新区管委会召开专题会议。\n"
      "芦台经开区党工委书记李明主持召开会议。");
  ASSERT_EQ(b.items_size(), 3);
  EXPECT_EQ(b.items(0).organization().name(), "两江新区");
  EXPECT_EQ(b.items(0).organization().region(), "两江新区");
  EXPECT_EQ(b.items(1).organization().name(), "重庆高新区管委会");
  EXPECT_EQ(b.items(1).organization().region(), "重庆高新区");
  EXPECT_EQ(b.items(1).organization().kind(), v1::Organization::GOVERNMENT);
  EXPECT_EQ(b.items(2).organization().name(), "芦台经开区党工委");
  EXPECT_EQ(b.items(2).organization().region_code(), "130271");
  EXPECT_THAT(People(b), ElementsAre("李明:经开区党工委书记"));
}

}  // namespace
}  // namespace bulletin
