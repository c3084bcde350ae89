// One test per parsing rule in docs/parsing.md, each on the smallest text
// that shows it.

#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/byline.h"
#include "ingest-service/parser/dateline.h"
#include "ingest-service/parser/fold.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
#include "ingest-service/parser/officials.h"
#include "ingest-service/parser/parse_submission.h"
#include "ingest-service/parser/series.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Bulletin MustParse(const std::string& text, const std::string& date = "") {
  ParseOptions options;
  options.date = date;
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(text, options);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? parsed->bulletin : v1::Bulletin();
}

std::vector<std::string> Reporters(const v1::Bulletin& b) {
  std::vector<std::string> out;
  for (const v1::Reporter& r : b.reporters()) {
    out.push_back(r.role().empty() ? r.name() : r.role() + "/" + r.name());
  }
  return out;
}

std::vector<std::string> People(const v1::Bulletin& b) {
  std::vector<std::string> out;
  for (const v1::Person& p : b.people()) {
    out.push_back(p.name() + ":" + absl::StrJoin(p.titles(), "、"));
  }
  return out;
}

// --- Normalization -------------------------------------------------------

TEST(NormalizeRule, FullWidthFoldsAndBlankLinesVanish) {
  const v1::Bulletin b = MustParse(
      "\xE3\x80\x80\xE3\x80\x80标题（三）\r\n\r\n\r\n"
      "　　正文，第一段。\r\n");
  EXPECT_EQ(b.headline(), "标题");
  EXPECT_EQ(b.series().marker(), "(三)");
  EXPECT_EQ(b.lead(), "正文,第一段。");
  EXPECT_EQ(
      b.source_text(),
      "\xE3\x80\x80\xE3\x80\x80标题（三）\r\n\r\n\r\n　　正文，第一段。\r\n");
}

TEST(NormalizeRule, GbkIsDetectedWithoutDeclaration) {
  // "标题\n正文。" in GBK.
  const v1::Bulletin b =
      MustParse("\xB1\xEA\xCC\xE2\n\xD5\xFD\xCE\xC4\xA1\xA3");
  EXPECT_EQ(b.source_encoding(), "GB18030");
  EXPECT_EQ(b.headline(), "标题");
  EXPECT_EQ(b.lead(), "正文。");
}

// --- Series markers ------------------------------------------------------

struct MarkerCase {
  std::u32string headline;
  int part;
  size_t start;
};

TEST(SeriesRule, MarkersInEveryForm) {
  const MarkerCase cases[] = {
      {U"学习贯彻全会精神(三)", 3, 8},
      {U"学习贯彻全会精神之三", 3, 8},
      {U"学习贯彻全会精神(3)", 3, 8},
      {U"学习贯彻全会精神(之十二)", 12, 8},
      {U"学习贯彻全会精神【二十一】", 21, 8},
      {U"学习贯彻全会精神(下)", 3, 8},
      {U"学习贯彻全会精神 (5)", 5, 9},
  };
  for (const MarkerCase& c : cases) {
    SCOPED_TRACE(parser::ToUtf8(c.headline));
    std::optional<parser::SeriesMarker> m =
        parser::FindSeriesMarker(c.headline);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->part, c.part);
    EXPECT_EQ(m->start, c.start);
  }
}

TEST(SeriesRule, ParenthesesThatAreNotMarkers) {
  for (const std::u32string& headline :
       {std::u32string(U"区(市)县政协学习全会精神"),
        std::u32string(U"政协召开会议(扩大)"), std::u32string(U"(三)"),
        std::u32string(U"全面落实“两个维护”")}) {
    EXPECT_FALSE(parser::FindSeriesMarker(headline).has_value())
        << parser::ToUtf8(headline);
  }
}

TEST(SeriesRule, FullWidthMarkerIsKeptAsNormalized) {
  const v1::Bulletin b = MustParse("引题\n主题（三）\n正文。");
  EXPECT_EQ(b.kicker(), "引题");
  EXPECT_EQ(b.headline(), "主题");
  EXPECT_EQ(b.series().name(), "主题");
  EXPECT_EQ(b.series().part(), 3);
  EXPECT_EQ(b.series().marker(), "(三)");
}

TEST(SeriesRule, SeriesNamedInASubtitleOrAKicker) {
  v1::Bulletin b = MustParse(
      "奋力谱写高质量发展新篇章\n——学习贯彻全会精神系列评论之三\n正文。");
  EXPECT_EQ(b.headline(), "奋力谱写高质量发展新篇章");
  EXPECT_EQ(b.subtitle(), "——学习贯彻全会精神系列评论");
  EXPECT_EQ(b.series().name(), "学习贯彻全会精神系列评论");
  EXPECT_EQ(b.series().part(), 3);
  EXPECT_EQ(b.series().marker(), "之三");
  b = MustParse("学习贯彻全会精神系列报道(二)\n区县政协在行动\n正文。");
  EXPECT_EQ(b.kicker(), "学习贯彻全会精神系列报道");
  EXPECT_EQ(b.headline(), "区县政协在行动");
  EXPECT_EQ(b.series().name(), "学习贯彻全会精神系列报道");
  EXPECT_EQ(b.series().part(), 2);
}

// --- Header --------------------------------------------------------------

TEST(HeaderRule, KickerWithSpacesAndDashSubtitle) {
  const v1::Bulletin b = MustParse(
      "坚持人民至上　 守护一方平安\n区(市)县政法工作会议相继召开\n"
      "——各地部署明年重点工作\n会议指出,要守护平安。");
  EXPECT_EQ(b.kicker(), "坚持人民至上 守护一方平安");
  EXPECT_EQ(b.headline(), "区(市)县政法工作会议相继召开");
  EXPECT_EQ(b.subtitle(), "——各地部署明年重点工作");
  EXPECT_EQ(b.series().part(), 0);
}

TEST(HeaderRule, HeadlineAndSubtitleWithoutKicker) {
  const v1::Bulletin b = MustParse("主题\n——副题\n正文。");
  EXPECT_EQ(b.kicker(), "");
  EXPECT_EQ(b.headline(), "主题");
  EXPECT_EQ(b.subtitle(), "——副题");
}

TEST(HeaderRule, ALeadWithoutItsFullStopIsNotASubtitle) {
  const v1::Bulletin b = MustParse(
      "为新时代新征程汇聚力量\n区县政协学习全会精神(三)\n"
      "连日来,我市区县政协组织以多种形式认真学习全会精神\n"
      "大渡口区政协召开会议。");
  EXPECT_EQ(b.kicker(), "为新时代新征程汇聚力量");
  EXPECT_EQ(b.headline(), "区县政协学习全会精神");
  EXPECT_EQ(b.subtitle(), "");
  EXPECT_EQ(b.lead(), "连日来,我市区县政协组织以多种形式认真学习全会精神");
  ASSERT_EQ(b.items_size(), 1);
}

TEST(HeaderRule, OneLineBulletinIsAllHeadline) {
  const v1::Bulletin b = MustParse("只有一行标题");
  EXPECT_EQ(b.headline(), "只有一行标题");
  EXPECT_EQ(b.warnings_size(), 0);
}

TEST(HeaderRule, NoHeadlineIsAWarning) {
  const v1::Bulletin b =
      MustParse("会议指出,要守护平安。\n会议要求,要压实责任。");
  EXPECT_EQ(b.headline(), "");
  ASSERT_EQ(b.warnings_size(), 1);
  EXPECT_EQ(b.warnings(0).kind(), "no_headline");
  EXPECT_EQ(b.lead(), "会议指出,要守护平安。");
  ASSERT_EQ(b.items_size(), 1);
}

TEST(HeaderRule, ExtraHeaderLinesBecomeWarnings) {
  const v1::Bulletin b = MustParse("栏目名\n引题\n主题(二)\n副题\n正文。");
  EXPECT_EQ(b.kicker(), "引题");
  EXPECT_EQ(b.headline(), "主题");
  EXPECT_EQ(b.subtitle(), "副题");
  ASSERT_EQ(b.warnings_size(), 1);
  EXPECT_EQ(b.warnings(0).kind(), "unplaced_line");
  EXPECT_EQ(b.warnings(0).line(), 1);
  EXPECT_EQ(b.warnings(0).text(), "栏目名");
}

TEST(HeaderRule, MetadataLinesOfWebPagesAreWarnings) {
  const v1::Bulletin b = MustParse(
      "区县政协组织学习贯彻全会精神(三)\n来源:重庆日报 作者:鲜明\n"
      "2021-11-18 09:30\n连日来,各地学习。\n大渡口区政协召开会议。\n"
      "(鲜 明 吕 静)\n责任编辑:张三");
  EXPECT_EQ(b.kicker(), "");
  EXPECT_EQ(b.headline(), "区县政协组织学习贯彻全会精神");
  EXPECT_EQ(b.series().part(), 3);
  EXPECT_EQ(b.dateline(), "2021-11-18 09:30");
  EXPECT_EQ(b.date(), "2021-11-18");
  EXPECT_EQ(b.lead(), "连日来,各地学习。");
  ASSERT_EQ(b.items_size(), 1);
  EXPECT_THAT(Reporters(b), ElementsAre("鲜明", "吕静"));
  ASSERT_EQ(b.warnings_size(), 2);
  EXPECT_EQ(b.warnings(0).kind(), "metadata_line");
  EXPECT_EQ(b.warnings(0).line(), 2);
  EXPECT_EQ(b.warnings(1).text(), "责任编辑:张三");
}

// --- Dateline and date ---------------------------------------------------

TEST(DatelineRule, BenbaoxunWithReporterAndDate) {
  const v1::Bulletin b =
      MustParse("主题\n本报讯(记者 张三)11月18日,会议在渝召开。");
  EXPECT_EQ(b.dateline(), "本报讯(记者 张三)11月18日");
  EXPECT_EQ(b.date(), "");  // no year: keep the text, leave the date empty
  EXPECT_EQ(b.lead(), "会议在渝召开。");
  EXPECT_THAT(Reporters(b), ElementsAre("记者/张三"));
}

TEST(DatelineRule, FullDateFillsDateUnlessTheSubmitterGaveOne) {
  const std::string text = "主题\n本报重庆讯 2021年11月18日,会议召开。";
  EXPECT_EQ(MustParse(text).date(), "2021-11-18");
  EXPECT_EQ(MustParse(text).dateline(), "本报重庆讯 2021年11月18日");
  EXPECT_EQ(MustParse(text, "2021-11-20").date(), "2021-11-20");
}

TEST(DatelineRule, UnbracketedReporterClause) {
  const v1::Bulletin b =
      MustParse("主题\n本报讯 记者 张 强 报道:连日来,各地学习。");
  EXPECT_EQ(b.dateline(), "本报讯 记者 张 强 报道");
  EXPECT_EQ(b.lead(), "连日来,各地学习。");
  EXPECT_THAT(Reporters(b), ElementsAre("记者/张强"));
  const v1::Bulletin sentence =
      MustParse("主题\n本报讯 记者从区政协获悉,会议召开。");
  EXPECT_EQ(sentence.dateline(), "本报讯");
  EXPECT_EQ(sentence.reporters_size(), 0);
}

TEST(SeriesRule, MarkedFirstLineOverATitleIsTheKicker) {
  const v1::Bulletin b =
      MustParse("学习贯彻全会精神·区县行(五)\n大渡口:学习热潮涌山城\n正文。");
  EXPECT_EQ(b.kicker(), "学习贯彻全会精神·区县行");
  EXPECT_EQ(b.headline(), "大渡口:学习热潮涌山城");
  EXPECT_EQ(b.series().part(), 5);
}

TEST(DatelineRule, DatelineOnItsOwnLine) {
  const v1::Bulletin b = MustParse("主题\n本报讯\n连日来,各地学习。");
  EXPECT_EQ(b.dateline(), "本报讯");
  EXPECT_EQ(b.lead(), "连日来,各地学习。");
}

TEST(DatelineRule, PositionsAreInCodePoints) {
  std::optional<parser::Dateline> d =
      parser::FindDateline(U"本报讯(记者 张三)11月18日,会议召开。");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->length, 16u);
  EXPECT_EQ(d->body_start, 17u);
  EXPECT_EQ(d->reporters_start, 4u);
  EXPECT_EQ(d->reporters_length, 5u);
}

TEST(DatelineRule, CompanyNamesAreNotDatelines) {
  EXPECT_FALSE(parser::FindDateline(U"国网重庆电力公司召开会议。"));
  EXPECT_FALSE(parser::FindDateline(U"11月18日,会议召开。"));
}

// --- Bylines -------------------------------------------------------------

TEST(BylineRule, PaddedNamesPairUp) {
  const v1::Bulletin b = MustParse("主题\n正文。\n(鲜 明 吕 静 殷艳妮)");
  EXPECT_THAT(Reporters(b), ElementsAre("鲜明", "吕静", "殷艳妮"));
}

TEST(BylineRule, FullWidthSpacesAndRoles) {
  const v1::Bulletin b = MustParse(
      "主题\n正文。\n本报记者　张晓东　通讯员　李　静　实习生　何佳怡");
  EXPECT_THAT(Reporters(b),
              ElementsAre("本报记者/张晓东", "通讯员/李静", "实习生/何佳怡"));
}

TEST(BylineRule, BylineUnderTheHeadline) {
  const v1::Bulletin b = MustParse("主题\n本报记者 王 刚\n正文。");
  EXPECT_EQ(b.headline(), "主题");
  EXPECT_THAT(Reporters(b), ElementsAre("本报记者/王刚"));
  EXPECT_EQ(b.lead(), "正文。");
}

TEST(BylineRule, CompoundSurnamesAndSetApartSurnames) {
  const v1::Bulletin b = MustParse("主题\n正文。\n(欧阳 娜 鲜 明 杨 铌紫)");
  EXPECT_THAT(Reporters(b), ElementsAre("欧阳娜", "鲜明", "杨铌紫"));
}

TEST(BylineRule, RolesThatNameThePaper) {
  const v1::Bulletin b =
      MustParse("主题\n正文。\n(重庆日报记者 鲜 明 华龙网通讯员 吕 静)");
  EXPECT_THAT(Reporters(b),
              ElementsAre("重庆日报记者/鲜明", "华龙网通讯员/吕静"));
}

TEST(BylineRule, ExtraWordsInABylineAreWarnings) {
  const v1::Bulletin b = MustParse("主题\n正文。\n(本报记者 张三 摄)");
  EXPECT_THAT(Reporters(b), ElementsAre("本报记者/张三"));
  ASSERT_EQ(b.warnings_size(), 1);
  EXPECT_EQ(b.warnings(0).kind(), "unplaced_byline_text");
  EXPECT_EQ(b.warnings(0).text(), "摄");
}

TEST(BylineRule, TrailingReportedAndPhotoWordsAreWarnings) {
  const v1::Bulletin b =
      MustParse("主题\n记者 张三 报道\n正文。\n(本报记者 李四摄)");
  EXPECT_EQ(b.headline(), "主题");
  EXPECT_EQ(b.lead(), "正文。");
  EXPECT_THAT(Reporters(b), ElementsAre("记者/张三", "本报记者/李四"));
  ASSERT_EQ(b.warnings_size(), 2);
  EXPECT_EQ(b.warnings(0).text(), "报道");
  EXPECT_EQ(b.warnings(1).text(), "摄");
}

TEST(BylineRule, BylineBetweenParagraphs) {
  const v1::Bulletin b =
      MustParse("主题\n导语。\n本报记者 王 刚\n大渡口区政协召开会议。");
  EXPECT_THAT(Reporters(b), ElementsAre("本报记者/王刚"));
  ASSERT_EQ(b.items_size(), 1);
}

TEST(BylineRule, BylineClosingTheLastParagraph) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n大渡口区政协召开会议,学习全会精神。(鲜 明 吕 静)");
  EXPECT_THAT(Reporters(b), ElementsAre("鲜明", "吕静"));
  ASSERT_EQ(b.items_size(), 1);
  EXPECT_EQ(b.items(0).text(), "大渡口区政协召开会议,学习全会精神。");
}

TEST(BylineRule, ParenthesizedSentencesAreNotBylines) {
  const v1::Bulletin b = MustParse("主题\n正文。\n(完)");
  EXPECT_EQ(b.reporters_size(), 0);
  ASSERT_EQ(b.items_size(), 1);
  EXPECT_EQ(b.items(0).text(), "(完)");
}

// --- Officials -----------------------------------------------------------

TEST(OfficialRule, OnePersonWithTwoTitles) {
  const v1::Bulletin b =
      MustParse("主题\n区政协党组书记、主席王君成主持会议并讲话。");
  EXPECT_THAT(People(b), ElementsAre("王君成:区政协党组书记、主席"));
}

TEST(OfficialRule, OfficialsInARow) {
  const v1::Bulletin b = MustParse(
      "主题\n区委书记李明,区委副书记、区长张强,区人大常委会主任赵 刚出席。");
  // A name padded like a byline's (赵 刚) is the name without its padding.
  EXPECT_THAT(People(b), ElementsAre("李明:区委书记", "张强:区委副书记、区长",
                                     "赵刚:区人大常委会主任"));
}

TEST(OfficialRule, NamesListedAfterATitleShareIt) {
  const v1::Bulletin b = MustParse(
      "主题\n区政协主席张三,"
      "副主席李四、王五、欧阳修文出席。区委书记李明、区长张强讲话。");
  EXPECT_THAT(People(b),
              ElementsAre("张三:区政协主席", "李四:副主席", "王五:副主席",
                          "欧阳修文:副主席", "李明:区委书记", "张强:区长"));
}

TEST(OfficialRule, ASpaceBetweenTitleAndName) {
  const v1::Bulletin b =
      MustParse("主题\n区委书记 李明出席,区政协一级调研员王五参加。");
  EXPECT_THAT(People(b), ElementsAre("李明:区委书记", "王五:区政协一级调研员"));
}

TEST(OfficialRule, TitlesJoinedByJianAndFormerTitles) {
  const v1::Bulletin b = MustParse(
      "主题\n区委常委、统战部部长兼区总工会主席张三出席,"
      "区政协原主席李四参加。");
  EXPECT_THAT(People(b), ElementsAre("张三:区委常委、统战部部长、区总工会主席",
                                     "李四:区政协原主席"));
}

TEST(OfficialRule, RegionIsStrippedFromTitles) {
  const v1::Bulletin b =
      MustParse("主题\n合川区委常委、区政协党组书记叶华主持召开学习会议。");
  EXPECT_THAT(People(b), ElementsAre("叶华:区委常委、区政协党组书记"));
  ASSERT_EQ(b.items_size(), 0);  // the only paragraph is the lead
}

TEST(OfficialRule, TitlesInsidePlaceNamesAreNotTitles) {
  const v1::Bulletin b =
      MustParse("主题\n石家庄市长安区政协召开会议。区政协主席马红梅主持。");
  EXPECT_THAT(People(b), ElementsAre("马红梅:区政协主席"));
}

TEST(OfficialRule, TitleRunsAreNotNames) {
  const v1::Bulletin b = MustParse("主题\n区政协主席和副主席出席会议。");
  EXPECT_EQ(b.people_size(), 0);
}

TEST(OfficialRule, ANameIsTakenOnlyWhereSomethingEndsIt) {
  const v1::Bulletin b = MustParse(
      "主题\n区委书记高度重视。区委书记李明在会上强调,副区长王为民主持。"
      "区长张强在讲话中指出,副区长李向东出席。");
  EXPECT_THAT(People(b), ElementsAre("李明:区委书记", "王为民:副区长",
                                     "张强:区长", "李向东:副区长"));
}

TEST(OfficialRule, EnclosingDivisionsAreStrippedFromTitles) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n无锡市梁溪区妇联党组书记、主席孙敏带领干部学习。");
  EXPECT_THAT(People(b), ElementsAre("孙敏:区妇联党组书记、主席"));
  ASSERT_EQ(b.items_size(), 1);
  EXPECT_EQ(b.items(0).organization().name(), "无锡市梁溪区妇联党组");
  EXPECT_EQ(b.items(0).organization().region(), "梁溪区");
}

TEST(OfficialRule, AnOfficialWhoAttendsOrHeadsAListMakesNoOrganization) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n区委书记李明,区长张强出席会议。\n"
      "区政协副主席王五参加会议。");
  ASSERT_EQ(b.items_size(), 2);
  EXPECT_FALSE(b.items(0).has_organization());
  EXPECT_FALSE(b.items(1).has_organization());
  EXPECT_EQ(b.people_size(), 3);
}

TEST(OfficialRule, SameOfficialTwiceIsOnePerson) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n彭水县政协主席谢胜主持召开会议。谢胜强调,要带头学。\n"
      "县政协党组书记、主席谢胜讲话。");
  EXPECT_THAT(People(b), ElementsAre("谢胜:县政协主席、县政协党组书记、主席"));
}

// --- Items ---------------------------------------------------------------

TEST(ItemRule, OrganizationRegionKindAndEvent) {
  const v1::Bulletin b = MustParse(
      "主题\n连日来,我市各地学习全会精神。\n"
      "九三学社忠县支社召开全体社员会议,学习贯彻全会精神。\n"
      "彭水县政协主席谢胜主持召开主席(扩大)会议,专题学习。\n"
      "日前,鼓楼区人大常委会召开党组会议。");
  ASSERT_EQ(b.items_size(), 3);
  EXPECT_EQ(b.items(0).organization().name(), "九三学社忠县支社");
  EXPECT_EQ(b.items(0).organization().region(), "忠县");
  EXPECT_EQ(b.items(0).organization().region_code(), "500233");
  EXPECT_EQ(b.items(0).organization().province(), "重庆市");
  EXPECT_EQ(b.items(0).organization().kind(),
            v1::Organization::DEMOCRATIC_PARTY);
  EXPECT_EQ(b.items(0).event(), "全体社员会议");
  EXPECT_EQ(b.items(1).organization().name(), "彭水县政协");
  EXPECT_EQ(b.items(1).organization().region(), "彭水县");
  EXPECT_EQ(b.items(1).organization().region_code(), "500243");
  EXPECT_EQ(b.items(1).event(), "主席(扩大)会议");
  EXPECT_EQ(b.items(2).organization().name(), "鼓楼区人大常委会");
  EXPECT_EQ(b.items(2).organization().kind(),
            v1::Organization::PEOPLES_CONGRESS);
}

// The region is the one written before the body, whether or not the
// gazetteer has it; a division whose name is the tail of another (南县 in
// 潼南县) is not it.
TEST(ItemRule, RegionIsTheNameWrittenBeforeTheBody) {
  const v1::Bulletin b = MustParse(
      "主题\n连日来,贵州省各区县以多种形式学习全会精神,凝聚共识。\n"
      "潼南县妇联召开座谈会,学习全会精神。\n"
      "金大县科协召开专题协商会,学习全会精神。\n"
      "致公党垫阳区总支召开会议,学习全会精神。\n"
      "重庆市渝北区政协召开会议,学习全会精神。\n"
      "重庆市金大县人大常委会召开会议,学习全会精神。");
  EXPECT_EQ(b.lead(), "连日来,贵州省各区县以多种形式学习全会精神,凝聚共识。");
  ASSERT_EQ(b.items_size(), 5);
  EXPECT_EQ(b.items(0).organization().name(), "潼南县妇联");
  EXPECT_EQ(b.items(0).organization().region(), "潼南县");
  EXPECT_EQ(b.items(0).organization().region_code(), "");
  EXPECT_EQ(b.items(1).organization().region(), "金大县");
  EXPECT_EQ(b.items(1).organization().province(), "");
  EXPECT_EQ(b.items(1).organization().kind(), v1::Organization::FEDERATION);
  EXPECT_EQ(b.items(2).organization().name(), "致公党垫阳区总支");
  EXPECT_EQ(b.items(2).organization().region(), "垫阳区");
  EXPECT_EQ(b.items(3).organization().region(), "渝北区");
  EXPECT_EQ(b.items(3).organization().region_code(), "500112");
  EXPECT_EQ(b.items(4).organization().region(), "金大县");
}

TEST(ItemRule, SharedNamesResolveToTheBulletinsProvince) {
  // 江北区 is both 500105 (Chongqing) and 330205 (Ningbo).
  const v1::Bulletin b = MustParse(
      "主题\n渝中区政协召开会议。\n江北区政协召开会议。\n"
      "沙坪坝区政协召开会议。");
  ASSERT_EQ(b.items_size(), 3);
  EXPECT_EQ(b.items(1).organization().region_code(), "500105");
}

TEST(ItemRule, CollectiveOpeningsAreNotOrganizations) {
  const v1::Bulletin b =
      MustParse("主题\n我市区县政协组织学习全会精神。\n各地政协召开会议。");
  EXPECT_EQ(b.lead(), "我市区县政协组织学习全会精神。");
  ASSERT_EQ(b.items_size(), 1);
  EXPECT_EQ(b.items(0).organization().name(), "");
}

TEST(ItemRule, ListMarkersAndTimeWordsAreNotPartOfTheName) {
  const v1::Bulletin b = MustParse(
      "主题\n导语。\n■大渡口区政协近日召开会议。\n一、北碚区政协于11月18日召开"
      "会议。\n"
      "(二)江津区政协在区行政中心召开会议。\n3.忠县政协11月19日召开党组会议。");
  ASSERT_EQ(b.items_size(), 4);
  EXPECT_EQ(b.items(0).organization().name(), "大渡口区政协");
  EXPECT_EQ(b.items(1).organization().name(), "北碚区政协");
  EXPECT_EQ(b.items(2).organization().name(), "江津区政协");
  EXPECT_EQ(b.items(3).organization().name(), "忠县政协");
  EXPECT_EQ(b.items(3).event(), "党组会议");
}

TEST(ItemRule, RegionLabelsLendTheirRegion) {
  const v1::Bulletin b = MustParse(
      "各地动态\n导语。\n【大渡口】区政协党组召开会议。\n"
      "江津区:日前,区政协召开党组会议。\n[忠县]县政协主席陈加义主持召开会议。");
  ASSERT_EQ(b.items_size(), 3);
  EXPECT_EQ(b.items(0).organization().name(), "大渡口区政协党组");
  EXPECT_EQ(b.items(0).organization().region_code(), "500104");
  EXPECT_EQ(b.items(1).organization().name(), "江津区政协");
  EXPECT_EQ(b.items(2).organization().name(), "忠县政协");
}

TEST(ItemRule, ActorAfterAnOpeningPhrase) {
  const v1::Bulletin b = MustParse(
      "各地动态\n导语。\n为深入学习贯彻全会精神,"
      "大渡口区政协党组召开理论学习会。\n"
      "会议指出,区政协要通过集中学习提高认识。");
  ASSERT_EQ(b.items_size(), 2);
  EXPECT_EQ(b.items(0).organization().name(), "大渡口区政协党组");
  EXPECT_EQ(b.items(0).event(), "理论学习会");
  EXPECT_FALSE(b.items(1).has_organization());
}

// --- Gazetteer -----------------------------------------------------------

TEST(GazetteerRule, CoversEveryProvince) {
  const parser::Gazetteer& gaz = parser::DefaultGazetteer();
  const std::pair<std::u32string, std::string> cases[] = {
      {U"东城区", "110101"}, {U"喀什市", "653101"}, {U"拉萨市城关区", "540102"},
      {U"恩施市", "422801"}, {U"石柱县", "500240"}, {U"三沙市", "460300"},
  };
  for (const auto& [name, code] : cases) {
    std::optional<parser::RegionMention> m = gaz.FindMostSpecific(name, "");
    ASSERT_TRUE(m.has_value()) << parser::ToUtf8(name);
    EXPECT_EQ(m->region->code, code) << parser::ToUtf8(name);
  }
}

TEST(GazetteerRule, TraditionalNamesFoldToSimplified) {
  const std::u32string folded = parser::FoldToSimplified(U"沙坪壩區政協");
  EXPECT_EQ(folded, U"沙坪坝区政协");
}

}  // namespace
}  // namespace bulletin
