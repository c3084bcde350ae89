// Variant bulletins written in the styles real papers use, one file each
// under testdata/variants/, checked field by field the way the unseen set is
// scored: kicker, headline, series part, reporters, officials and their
// titles, each item's organization and region.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/parse_submission.h"
#include "tests/parser/test_files.h"

namespace bulletin {
namespace {

using ::bulletin::parser_testing::ReadTestData;
using ::testing::ElementsAreArray;

struct ExpectedItem {
  std::string organization;
  std::string region;
  v1::Organization::Kind kind;
  std::string region_code;
};

struct Variant {
  std::string file;
  std::string encoding;
  std::string kicker;
  std::string headline;
  std::string subtitle;
  int series_part;
  std::string dateline;
  std::string date;
  std::string lead;
  std::vector<ExpectedItem> items;
  // "name: title、title" per person, in order of first mention.
  std::vector<std::string> people;
  // "role/name" per reporter, in byline order.
  std::vector<std::string> reporters;
  // Metadata lines of a web page (来源:…, 责任编辑:…) are warnings.
  int warnings = 0;
};

std::string PersonLine(const v1::Person& p) {
  return p.name() + ": " + absl::StrJoin(p.titles(), "、");
}

std::string ReporterLine(const v1::Reporter& r) {
  return r.role() + "/" + r.name();
}

constexpr auto kCppcc = v1::Organization::CPPCC;
constexpr auto kParty = v1::Organization::PARTY_COMMITTEE;
constexpr auto kCongress = v1::Organization::PEOPLES_CONGRESS;
constexpr auto kGovernment = v1::Organization::GOVERNMENT;
constexpr auto kDemocratic = v1::Organization::DEMOCRATIC_PARTY;
constexpr auto kFederation = v1::Organization::FEDERATION;

const std::vector<Variant>& Variants() {
  static const auto* const variants = new std::vector<Variant>{
      {"sichuan_roundup.txt",
       "UTF-8",
       "学思践悟 奋楫笃行",
       "全省各地人大传达学习贯彻全会精神",
       "",
       2,
       "",
       "",
       "连日来,全省各地人大常委会通过多种形式,认真传达学习党的十九届六中全会"
       "精神。",
       {{"成都市武侯区人大常委会", "武侯区", kCongress, "510107"},
        {"绵阳市涪城区委", "涪城区", kParty, "510703"},
        {"都江堰市妇联", "都江堰市", kFederation, "510181"},
        {"郫都区工商联", "郫都区", kFederation, "510117"},
        {"民盟宜宾市翠屏区支部", "翠屏区", kDemocratic, "511502"}},
       {"刘建国: 区人大常委会党组书记、主任", "李明: 区委书记",
        "张强: 区委副书记、区长", "王晓红: 区委常委、组织部部长",
        "赵丽华: 市妇联党组书记、主席", "孙伟: 区工商联主席、总商会会长"},
       {"本报记者/张晓东", "通讯员/李静", "通讯员/杨帆"}},
      {"single_article.txt",
       "UTF-8",
       "坚持人民至上 守护一方平安",
       "区(市)县政法工作会议相继召开",
       "——各地部署明年重点工作",
       0,
       "本报讯(记者 王小川)11月18日",
       "",
       "九龙坡区召开政法工作会议,总结今年工作,部署明年任务。区委副书记、"
       "政法委书记周涛出席会议并讲话。",
       {{"", "", v1::Organization::KIND_UNSPECIFIED, ""},
        {"", "", v1::Organization::KIND_UNSPECIFIED, ""}},
       {"周涛: 区委副书记、政法委书记"},
       {"记者/王小川"}},
      {"xinhua_dateline.txt",
       "UTF-8",
       "",
       "长江经济带生态保护取得新进展",
       "",
       3,
       "新华社武汉2021年11月18日电(记者 陈 刚 刘 洋)",
       "2021-11-18",
       "记者18日从湖北省生态环境厅获悉,今年以来长江干流水质持续保持II类。",
       {{"宜昌市夷陵区人民政府", "夷陵区", kGovernment, "420506"}},
       {"黄志强: 副区长"},
       {"记者/陈刚", "记者/刘洋"}},
      {"traditional.txt",
       "UTF-8",
       "為新時代新征程匯聚力量",
       "區縣政協組織學習貫徹全會精神",
       "",
       3,
       "",
       "",
       "連日來,我市區縣政協組織以多種形式認真學習全會精神。",
       {{"江津區政協", "江津區", kCppcc, "500116"},
        {"民進銅梁區總支", "銅梁區", kDemocratic, "500151"}},
       {"王君成: 區政協黨組書記、主席"},
       {"/鮮明", "/呂靜"}},
      {"zhi_san_crlf.txt",
       "UTF-8",
       "",
       "凝心聚力谋发展",
       "",
       3,
       "",
       "",
       "日前,河北省石家庄市长安区政协召开主席会议,协商讨论年度重点提案。"
       "区政协主席马红梅主持。",
       {{"", "", v1::Organization::KIND_UNSPECIFIED, ""}},
       {"马红梅: 区政协主席", "郭志伟: 区政协副主席、九三学社长安区支社主委",
        "冯建军: 区政协副主席"},
       {"本报记者/刘畅", "实习生/何佳怡"}},
      {"federations.txt",
       "UTF-8",
       "",
       "群团组织学习全会精神",
       "",
       0,
       "",
       "",
       "",
       {{"广州市天河区总工会", "天河区", kFederation, "440106"},
        {"共青团广州市天河区委员会", "天河区", kFederation, "440106"},
        {"天河区科协", "天河区", kFederation, "440106"}},
       {"林志远: 区总工会主席", "邓伟民: 区科协党组书记、主席"},
       {"记者/邓丽", "记者/黄河"}},
      {"guangdong.gb18030.txt",
       "GB18030",
       "",
       "广东各地政协 人大深入学习贯彻全会精神",
       "",
       0,
       "",
       "",
       "近日,广东各地政协、人大通过多种形式深入学习贯彻党的十九届六中全会"
       "精神。",
       {{"广州市越秀区人大常委会", "越秀区", kCongress, "440104"},
        {"深圳市南山区人民政府", "南山区", kGovernment, "440305"},
        {"佛山市顺德区政协", "顺德区", kCppcc, "440606"}},
       {"陈志坚: 区人大常委会主任", "黄海涛: 区委副书记、区长",
        "林晓东: 副区长", "梁伟文: 区政协党组书记、主席"},
       {"本报记者/陈明", "通讯员/梁欣"}},
      {"hunan.utf16le.txt",
       "UTF-16LE",
       "",
       "湖南:民主党派学习贯彻全会精神",
       "",
       3,
       "",
       "",
       "",
       {{"长沙市芙蓉区民革支部", "芙蓉区", kDemocratic, "430102"},
        {"致公党岳阳市岳阳楼区支部", "岳阳楼区", kDemocratic, "430602"},
        {"九三学社湘潭市雨湖区支社", "雨湖区", kDemocratic, "430302"}},
       {"刘晓军: 支部主委"},
       {"记者/周文", "记者/彭雪"}},
      {"fullwidth_byline.txt",
       "UTF-8",
       "奋进新征程 建功新时代",
       "区(市)县工会学习贯彻全会精神",
       "",
       3,
       "本报讯",
       "",
       "连日来,我市各区(市)县总工会认真学习贯彻党的十九届六中全会精神。",
       {{"万州区总工会", "万州区", kFederation, "500101"},
        {"黔江区总工会", "黔江区", kFederation, "500114"}},
       {"向东: 区总工会党组书记、常务副主席"},
       {"/鲜明", "/吕静", "/殷艳妮"}},
      {"chongqing_congress.txt",
       "UTF-8",
       "凝心聚力 共谋发展",
       "区县人大常委会学习贯彻全会精神",
       "",
       2,
       "",
       "",
       "连日来,我市各区县人大常委会采取多种形式学习全会精神。",
       {{"渝中区人大常委会党组", "渝中区", kCongress, "500103"},
        {"万州区人大常委会", "万州区", kCongress, "500101"},
        {"石柱县人大常委会", "石柱县", kCongress, "500240"},
        {"酉阳县人大常委会", "酉阳县", kCongress, "500242"}},
       {"黄玉林: 区人大常委会党组书记、主任",
        "郭明远: 区委副书记、区人大常委会主任",
        "谭德华: 县人大常委会党组书记、主任", "冉光明: 县人大常委会副主任"},
       {"/刘娟", "/张宇", "/李小龙", "/欧阳娜"}},
      {"jiangsu_womens_federations.txt",
       "UTF-8",
       "",
       "各地妇联学习贯彻全会精神",
       "",
       0,
       "",
       "",
       "",
       {{"江苏省南京市玄武区妇联", "玄武区", kFederation, "320102"},
        {"苏州市姑苏区妇联", "姑苏区", kFederation, "320508"},
        {"无锡市梁溪区妇联党组", "梁溪区", kFederation, "320213"},
        {"徐州市鼓楼区妇联", "鼓楼区", kFederation, "320106"}},
       {"张丽: 区妇联主席", "孙敏: 区妇联党组书记、主席"},
       {"记者/钱程"}},
      {"democratic_parties.txt",
       "UTF-8",
       "",
       "民主党派市委会学习全会精神",
       "",
       0,
       "",
       "",
       "",
       {{"民革重庆市委会", "重庆市", kDemocratic, "500000"},
        {"民盟市委会", "", kDemocratic, ""},
        {"农工党重庆市委会机关党支部", "重庆市", kDemocratic, "500000"},
        {"台盟重庆市委会", "重庆市", kDemocratic, "500000"}},
       {"李殿勋: 民革市委会主委", "屈谦: 民盟市委会主委"},
       {"本报记者/杨铌紫", "通讯员/欧阳娜"}},
      {"zhejiang_cms.html",
       "UTF-8",
       "凝心聚力 共谋发展",
       "各地政协学习贯彻全会精神",
       "",
       2,
       "",
       "",
       "连日来,全省各地政协通过多种形式,认真学习贯彻党的十九届六中全会精神。",
       {{"杭州市西湖区政协", "西湖区", kCppcc, "330106"},
        {"宁波市鄞州区政协党组", "鄞州区", kCppcc, "330212"},
        {"民进绍兴市越城区基层委员会", "越城区", kDemocratic, "330602"},
        {"温州市鹿城区人大常委会", "鹿城区", kCongress, "330302"}},
       {"陈伟明: 区政协党组书记、主席", "叶建华: 区人大常委会主任"},
       {"记者/王平", "通讯员/李娜"}},
      {"guangxi_cms.xml",
       "UTF-8",
       "深入学习贯彻党的十九届六中全会精神",
       "各地工会组织掀起学习热潮",
       "——基层工会干部职工畅谈学习体会",
       0,
       "本报讯(记者 黄 华 通讯员 韦丽萍)11月19日",
       "",
       "全区各级工会组织以多种形式深入学习全会精神。",
       {{"南宁市青秀区总工会", "青秀区", kFederation, "450103"},
        {"柳州市柳北区总工会", "柳北区", kFederation, "450205"},
        {"桂林市秀峰区妇联", "秀峰区", kFederation, "450302"}},
       {"覃志刚: 区总工会党组书记、常务副主席", "蒙丽华: 区妇联主席"},
       {"记者/黄华", "通讯员/韦丽萍"}},
      {"xinjiang_roundup.txt",
       "UTF-8",
       "喜迎盛会 团结奋进",
       "各族群众学习贯彻全会精神",
       "",
       4,
       "",
       "",
       "连日来,全疆各地各部门采取多种形式,"
       "迅速掀起学习宣传贯彻党的十九届六中全会"
       "精神热潮。",
       {{"乌鲁木齐市天山区政协", "天山区", kCppcc, "650102"},
        {"喀什市人大常委会", "喀什市", kCongress, "653101"},
        {"伊宁市委理论学习中心组", "伊宁市", kParty, "654002"},
        {"察布查尔县妇联", "察布查尔县", kFederation, "654022"}},
       {"艾尔肯·吐尼亚孜: 区政协党组书记、主席",
        "古丽娜尔·买买提: 区政协副主席", "王建新: 区政协副主席",
        "买买提江·吐尔逊: 市人大常委会主任", "阿不都热合曼·阿不力孜: 市委书记",
        "阿依努尔·吐尔逊: 县妇联主席"},
       {"记者/阿依古丽·买买提", "记者/李健", "记者/努尔兰·哈布力"}},
      {"tibet_roundup.txt",
       "UTF-8",
       "雪域高原学习热",
       "西藏各地干部群众学习贯彻全会精神",
       "",
       0,
       "",
       "",
       "连日来,全区各地干部群众认真学习党的十九届六中全会精神。",
       {{"拉萨市城关区政协", "城关区", kCppcc, "540102"},
        {"日喀则市桑珠孜区人大常委会", "桑珠孜区", kCongress, "540202"},
        {"昌都市卡若区委统战部", "卡若区", kParty, "540302"},
        {"城关区政协", "城关区", kCppcc, "540102"},
        {"山南市乃东区政协", "乃东区", kCppcc, "540502"}},
       {"次仁卓嘎: 区政协党组书记、主席", "扎西: 区政协副主席",
        "洛桑江村: 区政协副主席", "白玛多吉: 区人大常委会主任",
        "格桑曲珍: 区委常委、统战部部长",
        "尼玛次仁: 区政协委员、拉萨市某某农牧民专业合作社理事长",
        "达瓦卓玛: 区政协委员"},
       {"记者/索朗", "记者/次仁", "记者/格桑德吉"}},
      {"hebei_zones.txt",
       "UTF-8",
       "",
       "河北各开发区新区学习贯彻全会精神",
       "",
       0,
       "本报讯",
       "",
       "连日来,全省各开发区、新区迅速掀起学习贯彻党的十九届六中全会精神热潮。",
       {{"石家庄高新区党工委", "石家庄高新区", kParty, "130171"},
        {"芦台经开区管委会", "芦台经开区", kGovernment, "130271"},
        {"唐山市汉沽管理区党工委", "唐山市汉沽管理区", kParty, "130272"},
        {"秦皇岛经济技术开发区工会", "秦皇岛经济技术开发区", kFederation,
         "130371"},
        {"北戴河新区党工委", "北戴河新区", kParty, "130372"},
        {"沧州渤海新区人大工委", "沧州渤海新区", kCongress, "130973"},
        {"邯郸冀南新区管委会", "邯郸冀南新区", kGovernment, "130473"}},
       {"刘志强: 高新区党工委书记、管委会主任", "陈明辉: 新区党工委书记"},
       {"记者/赵刚", "通讯员/孟凡华"}},
      {"neimenggu_roundup.txt",
       "UTF-8",
       "北疆亮丽风景线 凝心聚力谱新篇",
       "内蒙古各地政协学习贯彻全会精神",
       "",
       0,
       "本报讯(记者 其其格 通讯员 孟和巴雅尔)",
       "",
       "连日来,自治区各级政协组织以多种形式认真学习全会精神。",
       {{"呼和浩特市赛罕区政协", "赛罕区", kCppcc, "150105"},
        {"鄂尔多斯市伊金霍洛旗政协", "伊金霍洛旗", kCppcc, "150627"},
        {"通辽市科尔沁区人大常委会党组", "科尔沁区", kCongress, "150502"},
        {"呼伦贝尔市鄂温克族自治旗政协", "鄂温克族自治旗", kCppcc, "150724"},
        {"锡林郭勒盟乌拉盖管理区管委会", "乌拉盖管理区", kGovernment,
         "152571"}},
       {"乌兰: 区政协党组书记、主席", "额尔敦毕力格: 旗政协主席",
        "宝音德力格尔: 区人大常委会主任", "娜仁图雅: 旗政协副主席",
        "张文军: 旗政协副主席"},
       {"记者/其其格", "通讯员/孟和巴雅尔"}},
      {"qinghai_cms.html",
       "UTF-8",
       "高原儿女心向党",
       "青海各地干部群众热议全会精神",
       "",
       0,
       "本报西宁11月20日讯(记者 才让卓玛 马 明)",
       "",
       "连日来,全省各地干部群众认真学习党的十九届六中全会精神。",
       {{"西宁市城中区委理论学习中心组", "城中区", kParty, "630103"},
        {"海北州刚察县政协", "刚察县", kCppcc, "632224"},
        {"玉树州称多县人大常委会", "称多县", kCongress, "632723"},
        {"海东市互助县政协", "互助县", kCppcc, "630223"},
        {"西宁经济技术开发区党工委", "西宁经济技术开发区", kParty, ""}},
       {"马志强: 区委书记", "才让东: 县政协主席", "多杰加: 县政协副主席",
        "李卫东: 县政协副主席", "尕玛多杰: 县人大常委会主任",
        "李春梅: 县政协委员、县某某青稞酒业有限公司董事长"},
       {"记者/才让卓玛", "记者/马明"}},
      {"xinjiang_word.html",
       "UTF-8",
       "天山南北学习热",
       "新疆各地政协学习贯彻全会精神",
       "",
       5,
       "",
       "",
       "",
       {{"昌吉回族自治州昌吉市政协", "昌吉市", kCppcc, "652301"},
        {"阿克苏地区库车市人大常委会", "库车市", kCongress, "652902"},
        {"和田地区和田县委统战部", "和田县", kParty, "653221"}},
       {"吐尔洪·艾买提: 市政协党组书记、主席", "马卫东: 市政协副主席",
        "阿依夏木·热合曼: 市政协副主席", "努尔买买提·吐尔地: 市人大常委会主任",
        "阿卜杜拉·买买提: 县委常委、统战部部长"},
       {"记者/古丽米拉·艾力", "记者/周涛"}},
      {"chongqing_profiles.txt",
       "UTF-8",
       "",
       "履职尽责显担当",
       "——我市政协委员风采录",
       0,
       "",
       "",
       "",
       {{"渝中区政协", "渝中区", kCppcc, "500103"},
        {"江北区政协", "江北区", kCppcc, "500105"},
        {"大渡口区政协", "大渡口区", kCppcc, "500104"},
        {"北碚区政协", "北碚区", kCppcc, "500109"}},
       {"陈静: 区政协委员、重庆某某律师事务所主任律师",
        "周建华: 区政协常委、区工商联副主席、重庆某某集团董事长",
        "冉启芳: 区政协委员", "谢德体: 区政协委员、西南大学教授"},
       {"记者/刘洋"}},
      {"traditional_cms.gb18030.html",
       "GB18030",
       "為新時代新征程匯聚力量",
       "各地政協學習貫徹全會精神",
       "",
       4,
       "",
       "",
       "連日來,各地政協以多種形式認真學習全會精神。",
       {{"伊犁州伊寧市政協", "伊寧市", kCppcc, "654002"},
        {"石家莊高新區黨工委", "石家莊高新區", kParty, "130171"}},
       {"阿力木·沙吾提: 市政協黨組書記、主席", "古麗娜·艾山: 市政協副主席"},
       {"記者/熱依拉·買買提", "記者/張偉"}},
      {"henan_roundup.txt",
       "UTF-8",
       "中原大地学习热",
       "河南各地人大政协学习贯彻全会精神",
       "",
       0,
       "",
       "",
       "",
       {{"郑州市金水区人大常委会", "金水区", kCongress, "410105"},
        {"洛阳市老城区政协", "老城区", kCppcc, "410302"},
        {"郑州航空港经济综合实验区党工委", "郑州航空港经济综合实验区", kParty,
         "410173"},
        {"开封市龙亭区委", "龙亭区", kParty, "410202"},
        {"新乡市卫滨区政协", "卫滨区", kCppcc, "410703"},
        {"民革南阳市宛城区总支", "宛城区", kDemocratic, "411302"}},
       {"李卫国: 区人大常委会党组书记、主任", "王芳: 区人大常委会副主任",
        "刘德华: 区人大常委会副主任", "陈晓东: 区政协主席",
        "马军: 区政协秘书长", "张建设: 区党工委书记", "赵志刚: 区委书记",
        "孙立新: 区委副书记、区长", "周敏: 区委常委、组织部部长",
        "郭丽: 区政协委员、区人民医院院长", "何平: 总支主委", "马金凤: 副主委"},
       {"本报记者/杨光", "通讯员/李晓燕"}},
      {"sichuan_cms.xml",
       "UTF-8",
       "学思践悟 笃行不怠",
       "阿坝甘孜凉山三州政协学习贯彻全会精神",
       "",
       2,
       "2021-11-20",
       "2021-11-20",
       "",
       {{"阿坝州马尔康市政协", "马尔康市", kCppcc, "513201"},
        {"甘孜州康定市人大常委会", "康定市", kCongress, "513301"},
        {"凉山州西昌市政协", "西昌市", kCppcc, "513401"}},
       {"泽郎多吉: 市政协党组书记、主席", "降央卓玛: 市人大常委会主任",
        "吉克阿依: 市政协委员、市某某农业专业合作社理事长"},
       {"本报记者/泽仁卓玛", "本报记者/吉克曲布"}},
      {"xinjiang_page.html",
       "UTF-8",
       "团结奋进新征程",
       "各地各部门学习贯彻全会精神",
       "——基层干部群众畅谈学习体会",
       3,
       "",
       "",
       "连日来,全区各地各部门掀起学习热潮。",
       {{"乌鲁木齐市沙依巴克区政协", "沙依巴克区", kCppcc, "650103"},
        {"昌吉州玛纳斯县人大常委会", "玛纳斯县", kCongress, "652324"}},
       {"热合曼·买买提: 区政协主席", "努尔兰·别克: 县人大常委会主任"},
       {"本报记者/艾尔肯·吐尼亚孜", "通讯员/王刚"},
       2},
  };
  return *variants;
}

class VariantTest : public ::testing::TestWithParam<Variant> {};

TEST_P(VariantTest, ParsesFieldByField) {
  const Variant& v = GetParam();
  const std::string bytes = ReadTestData("variants/" + v.file);
  ASSERT_FALSE(bytes.empty()) << v.file;
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(bytes, {});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const v1::Bulletin& b = parsed->bulletin;
  EXPECT_EQ(b.source_encoding(), v.encoding);
  EXPECT_EQ(b.kicker(), v.kicker);
  EXPECT_EQ(b.headline(), v.headline);
  EXPECT_EQ(b.subtitle(), v.subtitle);
  EXPECT_EQ(b.series().part(), v.series_part);
  if (v.series_part > 0) {
    EXPECT_EQ(b.series().name(), v.headline);
  }
  EXPECT_EQ(b.dateline(), v.dateline);
  EXPECT_EQ(b.date(), v.date);
  EXPECT_EQ(b.lead(), v.lead);
  ASSERT_EQ(b.items_size(), static_cast<int>(v.items.size()));
  for (int i = 0; i < b.items_size(); ++i) {
    SCOPED_TRACE("item " + std::to_string(i));
    const v1::Organization& org = b.items(i).organization();
    EXPECT_EQ(org.name(), v.items[i].organization);
    EXPECT_EQ(org.region(), v.items[i].region);
    EXPECT_EQ(org.kind(), v.items[i].kind);
    EXPECT_EQ(org.region_code(), v.items[i].region_code);
  }
  std::vector<std::string> people;
  for (const v1::Person& p : b.people()) people.push_back(PersonLine(p));
  EXPECT_THAT(people, ElementsAreArray(v.people));
  std::vector<std::string> reporters;
  for (const v1::Reporter& r : b.reporters()) {
    reporters.push_back(ReporterLine(r));
  }
  EXPECT_THAT(reporters, ElementsAreArray(v.reporters));
  EXPECT_EQ(b.warnings_size(), v.warnings);
}

// Every bulletin under testdata/variants/ has its expected record here, so
// none is only fuzzed and never checked.
TEST(VariantFilesTest, EveryFileHasAnExpectedRecord) {
  std::vector<std::string> expected;
  for (const Variant& v : Variants()) expected.push_back("variants/" + v.file);
  std::sort(expected.begin(), expected.end());
  EXPECT_THAT(parser_testing::TestDataFiles("variants"),
              ElementsAreArray(expected));
}

INSTANTIATE_TEST_SUITE_P(Bulletins, VariantTest,
                         ::testing::ValuesIn(Variants()),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           std::string name = info.param.file.substr(
                               0, info.param.file.find('.'));
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace bulletin
