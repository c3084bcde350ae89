#include "bench/index/corpus_generator.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <cmath>
#include <memory>
#include <string>
#include <utility>

namespace bulletin::bench {
namespace {

// SplitMix64: tiny, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(int percent) { return Below(100) < static_cast<size_t>(percent); }

 private:
  uint64_t state_;
};

// Picks index i of a list with probability proportional to 1/(i+1)^s.
class Zipf {
 public:
  Zipf(size_t n, double s) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      sum += 1.0 / std::pow(static_cast<double>(i + 1), s);
      cumulative_.push_back(sum);
    }
  }
  size_t Pick(Rng& rng) const {
    const double x = static_cast<double>(rng.Next() >> 11) /
                     static_cast<double>(1ull << 53) * cumulative_.back();
    size_t lo = 0;
    size_t hi = cumulative_.size() - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (cumulative_[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

 private:
  std::vector<double> cumulative_;
};

// Splits a string of space-separated words.
std::vector<std::string> Words(const char* text) {
  std::vector<std::string> out;
  std::string word;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p == ' ') {
      if (!word.empty()) out.push_back(std::move(word));
      word.clear();
    } else {
      word.push_back(*p);
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

// Code points of a UTF-8 string, each as its own string.
std::vector<std::string> Chars(const char* text) {
  std::vector<std::string> out;
  for (const char* p = text; *p != '\0';) {
    const unsigned char c = static_cast<unsigned char>(*p);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.emplace_back(p, n);
    p += n;
  }
  return out;
}

const char* const kProvinces =
    "重庆市 四川省 贵州省 云南省 湖北省 湖南省 河南省 河北省 山东省 山西省 "
    "陕西省 甘肃省 广东省 广西壮族自治区 福建省 浙江省 江苏省 安徽省 江西省 "
    "辽宁省 吉林省 黑龙江省 内蒙古自治区 宁夏回族自治区 新疆维吾尔自治区 "
    "青海省 海南省 北京市 天津市 上海市";
// Characters county names are built from.
const char* const kPlaceChars =
    "大渡口沙坪坝北碚江津合川南荣昌忠彭水铜梁綦璧山永潼开州云阳奉节巫溪石柱"
    "秀酉黔武隆丰都垫城口万州涪陵长寿江北渝中九龙巴南双桥安岳宁乡平阳泉林"
    "河东西新华兴宝德清远丰泰和顺富康化兰溪金华义乌临海仙居青田丽松阳庆元";
const char* const kSurnames =
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 "
    "唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 "
    "任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 "
    "邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 "
    "莫 孔 向 汤 殷 鲜";
const char* const kGivenChars =
    "明静林婷红丽源农琴伟君成华立友震天智加义胜建国军平志强文辉勇涛斌杰"
    "磊超鹏浩宇轩博睿晨阳雪梅芳燕霞玲秀英兰凤娟敏艳萍丹琳倩颖洁瑶欣怡"
    "朦濛珂璇琦瑾瑜珺珏玥钰锋铭锐钧键桦楠槿榕梓桐柏松岩峰嵘崇岚巍峻"
    "海波涛洋泽润淼渊澜瀚沛涵清湘沅汐瀛霖雯霏露霄雨震雷电";
const char* const kTitles =
    "区政协党组书记 主席 副主席 秘书长 区委常委 区委书记 区长 副区长 县委书记 "
    "县长 副县长 县政协主席 县政协党组书记 人大常委会主任 副主任 党组成员 "
    "办公室主任 专委会主任 统战部部长 宣传部部长 组织部部长 纪委书记 "
    "监委主任 总支主委 支社主委 工商联主席 妇联主席 科协主席";
const char* const kTopics =
    "党的十九届六中全会精神 习近平新时代中国特色社会主义思想 乡村振兴战略 "
    "疫情防控工作 生态环境保护 优化营商环境 成渝地区双城经济圈建设 "
    "城市更新行动 民营经济高质量发展 养老服务体系建设 教育“双减”政策 "
    "安全生产专项整治 防汛减灾工作 科技创新驱动 全国文明城市创建 "
    "基层社会治理 长江经济带发展 数字经济和5G网络建设 农村人居环境整治 "
    "中央经济工作会议精神 党史学习教育 “我为群众办实事”实践活动 "
    "GDP增长目标 共同富裕示范 碳达峰碳中和 公共卫生应急体系 "
    "新型城镇化 文化旅游融合发展 中小企业纾困 稳就业保民生 "
    "粮食安全 耕地保护 河长制 林长制 智慧城市APP推广 营商环境评价 "
    "民族团结进步 宗教事务管理 政协委员履职能力提升 协商议政质量";
const char* const kPhrases =
    "深刻领会精神实质 准确把握核心要义 切实把思想和行动统一到全会精神上来 "
    "广泛凝聚共识 充分发挥专门协商机构作用 不断推进全会精神入脑入心 "
    "扎实干好当前重点工作 高质量谋划下一阶段目标任务 加强思想政治引领 "
    "强化委员责任担当 聚焦群众急难愁盼 坚持问题导向 创新履职方式 "
    "提升协商议政质量 推动各项工作落地见效 营造良好学习氛围 "
    "做到学有所思学有所悟学有所得 增强四个意识 坚定四个自信 做到两个维护 "
    "围绕中心服务大局 发挥界别优势 加强自身建设 密切联系群众 "
    "认真履行政治协商民主监督参政议政职能 为全区经济社会发展贡献力量 "
    "确保各项任务按期完成 建立健全长效机制 压紧压实工作责任 "
    "统筹发展和安全 守牢安全底线 着力补齐短板弱项 持续深化改革 "
    "推进治理体系和治理能力现代化 以优异成绩迎接党的二十大召开 "
    "全年完成投资30亿元 新增就业岗位1200个 开展调研视察12次 "
    "提交提案56件 走访企业80余家 召开座谈会3场 培训委员200人次";
const char* const kMeetings =
    "党组会议 党组扩大会议 常委会会议 主席会议 理论学习中心组学习会议 "
    "专题学习会议 全体会议 座谈会 专题协商会 读书班 视察调研活动 "
    "界别活动 月度协商会 委员培训会";
const char* const kVerbs =
    "学习贯彻 传达学习 专题学习 深入学习 研究部署 协商讨论";

struct Org {
  std::string suffix;
  v1::Organization::Kind kind;
};

class Generator {
 public:
  explicit Generator(uint64_t seed)
      : rng_(seed),
        provinces_(Words(kProvinces)),
        place_chars_(Chars(kPlaceChars)),
        surnames_(Words(kSurnames)),
        given_(Chars(kGivenChars)),
        titles_(Words(kTitles)),
        topics_(Words(kTopics)),
        phrases_(Words(kPhrases)),
        meetings_(Words(kMeetings)),
        verbs_(Words(kVerbs)),
        surname_zipf_(surnames_.size(), 1.0),
        title_zipf_(titles_.size(), 1.0),
        topic_zipf_(topics_.size(), 1.1),
        phrase_zipf_(phrases_.size(), 0.9),
        meeting_zipf_(meetings_.size(), 1.0) {
    orgs_ = {{"政协", v1::Organization::CPPCC},
             {"政协党组", v1::Organization::CPPCC},
             {"政协常委会", v1::Organization::CPPCC},
             {"委", v1::Organization::PARTY_COMMITTEE},
             {"人大常委会", v1::Organization::PEOPLES_CONGRESS},
             {"政府", v1::Organization::GOVERNMENT},
             {"工商联", v1::Organization::FEDERATION},
             {"妇联", v1::Organization::FEDERATION},
             {"科协", v1::Organization::FEDERATION}};
    const char* const parties[] = {"民革",   "民盟",   "民建",     "民进",
                                   "农工党", "致公党", "九三学社", "台盟"};
    for (const char* party : parties) party_names_.push_back(party);
    // Regions: a few hundred county-level names across the provinces.
    const char* const suffixes[] = {"区", "县", "市"};
    for (size_t p = 0; p < provinces_.size(); ++p) {
      for (int k = 0; k < 20; ++k) {
        std::string name = place_chars_[rng_.Below(place_chars_.size())] +
                           place_chars_[rng_.Below(place_chars_.size())] +
                           suffixes[rng_.Below(3)];
        regions_.push_back({name, p});
      }
    }
    region_zipf_ = std::make_unique<Zipf>(regions_.size(), 0.8);
    // Officials: a large pool, so that most names are rare.
    for (int i = 0; i < 30000; ++i) {
      std::string name = surnames_[surname_zipf_.Pick(rng_)] +
                         given_[rng_.Below(given_.size())];
      if (rng_.Chance(70)) name += given_[rng_.Below(given_.size())];
      officials_.push_back(std::move(name));
    }
    official_zipf_ = std::make_unique<Zipf>(officials_.size(), 0.6);
    UErrorCode status = U_ZERO_ERROR;
    to_traditional_.reset(icu::Transliterator::createInstance(
        "Simplified-Traditional", UTRANS_FORWARD, status));
    if (U_FAILURE(status)) to_traditional_.reset();
  }

  v1::Bulletin Next(int64_t number) {
    v1::Bulletin b;
    char id[32];
    std::snprintf(id, sizeof id, "b%06lld", static_cast<long long>(number));
    b.set_id(id);
    b.set_seq(static_cast<uint64_t>(number + 1));
    const size_t province = rng_.Below(provinces_.size());
    const std::string& topic = topics_[topic_zipf_.Pick(rng_)];
    const std::string& verb = verbs_[rng_.Below(verbs_.size())];
    if (rng_.Chance(40)) b.set_kicker("为新时代新征程汇聚力量");
    b.set_headline(provinces_[province] + "各地" + verb + topic);
    if (rng_.Chance(30)) {
      const int part = 1 + static_cast<int>(rng_.Below(9));
      b.mutable_series()->set_name(b.headline());
      b.mutable_series()->set_part(part);
      b.mutable_series()->set_marker("(" + std::to_string(part) + ")");
    }
    b.set_lead("连日来," + provinces_[province] + "各区县以多种形式" + verb +
               topic + "," + Phrase() + "。");
    b.set_date(std::to_string(2020 + rng_.Below(4)) + "-" +
               TwoDigits(1 + rng_.Below(12)) + "-" +
               TwoDigits(1 + rng_.Below(28)));
    const int items = 3 + static_cast<int>(rng_.Below(13));
    for (int i = 0; i < items; ++i) AddItem(province, topic, &b);
    for (int r = 1 + static_cast<int>(rng_.Below(6)); r > 0; --r) {
      v1::Reporter* reporter = b.add_reporters();
      reporter->set_name(officials_[rng_.Below(officials_.size())]);
      reporter->set_role(rng_.Chance(70) ? "记者" : "通讯员");
    }
    if (to_traditional_ != nullptr && rng_.Chance(5)) ToTraditional(&b);
    return b;
  }

 private:
  static std::string TwoDigits(size_t n) {
    return (n < 10 ? "0" : "") + std::to_string(n);
  }

  std::string Phrase() { return phrases_[phrase_zipf_.Pick(rng_)]; }

  void AddItem(size_t province, const std::string& topic, v1::Bulletin* b) {
    // Mostly regions of the bulletin's province, sometimes anywhere.
    size_t r = region_zipf_->Pick(rng_);
    if (rng_.Chance(80)) r = province * 20 + r % 20;
    const std::string& region = regions_[r].first;
    std::string org_name;
    v1::Organization::Kind kind;
    if (rng_.Chance(15)) {
      org_name = party_names_[rng_.Below(party_names_.size())] + region +
                 (rng_.Chance(50) ? "总支" : "支社");
      kind = v1::Organization::DEMOCRATIC_PARTY;
    } else {
      const Org& org = orgs_[rng_.Below(orgs_.size())];
      org_name = region + org.suffix;
      kind = org.kind;
    }
    v1::Item* item = b->add_items();
    item->mutable_organization()->set_name(org_name);
    item->mutable_organization()->set_region(region);
    item->mutable_organization()->set_kind(kind);
    item->mutable_organization()->set_province(provinces_[regions_[r].second]);
    const std::string& meeting = meetings_[meeting_zipf_.Pick(rng_)];
    item->set_event(meeting);
    std::string text = org_name + "召开" + meeting + "," +
                       verbs_[rng_.Below(verbs_.size())] + topic + "。";
    for (int k = static_cast<int>(rng_.Below(3)); k > 0; --k) {
      const std::string& name = officials_[official_zipf_->Pick(rng_)];
      const std::string& title = titles_[title_zipf_.Pick(rng_)];
      text +=
          title + name + (rng_.Chance(50) ? "主持会议并讲话。" : "出席会议。");
      v1::Person* official = item->add_officials();
      official->set_name(name);
      official->add_titles(title);
      AddPerson(name, title, b);
    }
    text += rng_.Chance(50) ? "会议强调," : "会议要求,";
    for (int k = 2 + static_cast<int>(rng_.Below(4)); k > 0; --k) {
      text += "要" + Phrase() + (k > 1 ? "," : "。");
    }
    item->set_text(std::move(text));
  }

  static void AddPerson(const std::string& name, const std::string& title,
                        v1::Bulletin* b) {
    for (v1::Person& person : *b->mutable_people()) {
      if (person.name() != name) continue;
      for (const std::string& t : person.titles()) {
        if (t == title) return;
      }
      person.add_titles(title);
      return;
    }
    v1::Person* person = b->add_people();
    person->set_name(name);
    person->add_titles(title);
  }

  std::string Traditional(const std::string& text) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
    to_traditional_->transliterate(u);
    std::string out;
    u.toUTF8String(out);
    return out;
  }

  // Traditional text, as submitted by a Hong Kong or Taiwan office; names
  // of regions and people stay as the records of the other bulletins have
  // them only where the script agrees.
  void ToTraditional(v1::Bulletin* b) {
    b->set_kicker(Traditional(b->kicker()));
    b->set_headline(Traditional(b->headline()));
    b->set_lead(Traditional(b->lead()));
    for (v1::Item& item : *b->mutable_items()) {
      item.set_text(Traditional(item.text()));
    }
  }

  Rng rng_;
  std::vector<std::string> provinces_;
  std::vector<std::string> place_chars_;
  std::vector<std::string> surnames_;
  std::vector<std::string> given_;
  std::vector<std::string> titles_;
  std::vector<std::string> topics_;
  std::vector<std::string> phrases_;
  std::vector<std::string> meetings_;
  std::vector<std::string> verbs_;
  std::vector<std::string> party_names_;
  std::vector<Org> orgs_;
  std::vector<std::pair<std::string, size_t>> regions_;
  std::vector<std::string> officials_;
  Zipf surname_zipf_;
  Zipf title_zipf_;
  Zipf topic_zipf_;
  Zipf phrase_zipf_;
  Zipf meeting_zipf_;
  std::unique_ptr<Zipf> region_zipf_;
  std::unique_ptr<Zipf> official_zipf_;
  std::unique_ptr<icu::Transliterator> to_traditional_;
};

}  // namespace

std::vector<v1::Bulletin> GenerateCorpus(const CorpusOptions& options) {
  Generator generator(options.seed);
  std::vector<v1::Bulletin> corpus;
  int64_t items = 0;
  while (items < options.min_items &&
         (options.max_bulletins <= 0 ||
          static_cast<int64_t>(corpus.size()) < options.max_bulletins)) {
    corpus.push_back(generator.Next(static_cast<int64_t>(corpus.size())));
    items += corpus.back().items_size();
  }
  return corpus;
}

}  // namespace bulletin::bench
