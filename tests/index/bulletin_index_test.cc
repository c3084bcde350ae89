#include "query-service/index/bulletin_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "common/sync/mutex.h"
#include "google/protobuf/util/message_differencer.h"
#include "query-service/index/store/record_compressor.h"
#include "tests/index/random_corpus.h"
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::MakeBulletin;
using testing::Retract;
using ::testing::UnorderedElementsAre;
using testing::Upsert;

class BulletinIndexTest : public ::testing::Test {
 protected:
  void Add(const v1::Bulletin& b) { index_.Apply(Upsert(++seq_, b)); }

  v1::SearchResponse Search(const v1::SearchRequest& request) {
    absl::StatusOr<v1::SearchResponse> response = index_.Search(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : v1::SearchResponse();
  }

  std::vector<std::string> Ids(const std::string& query) {
    v1::SearchRequest request;
    request.set_query(query);
    request.set_limit(1000);
    return Ids(request);
  }

  std::vector<std::string> Ids(const v1::SearchRequest& request) {
    std::vector<std::string> ids;
    const v1::SearchResponse response = Search(request);
    for (const v1::Hit& hit : response.hits()) {
      ids.push_back(hit.bulletin_id());
    }
    return ids;
  }

  BulletinIndex index_;
  uint64_t seq_ = 0;
};

TEST_F(BulletinIndexTest, OneCharacterTermsMatch) {
  Add(MakeBulletin("a", "标题", "忠县政协召开会议"));
  Add(MakeBulletin("b", "标题", "没有"));
  EXPECT_THAT(Ids("忠"), ElementsAre("a"));
  EXPECT_THAT(Ids("标"), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Ids("鬼"), IsEmpty());
}

TEST_F(BulletinIndexTest, ScatteredCharactersDoNotMatch) {
  Add(MakeBulletin("apart", "政协委员会", "会议召开", {"委员会开了会议"}));
  Add(MakeBulletin("together", "标题", "导语", {"参加委员会议"}));
  EXPECT_THAT(Ids("委员会议"), ElementsAre("together"));
}

TEST_F(BulletinIndexTest, TraditionalAndSimplifiedFindEachOther) {
  Add(MakeBulletin("trad", "區縣政協", "召開會議"));
  Add(MakeBulletin("simp", "区县政协", "召开会议"));
  EXPECT_THAT(Ids("會議"), UnorderedElementsAre("trad", "simp"));
  EXPECT_THAT(Ids("会议"), UnorderedElementsAre("trad", "simp"));
}

TEST_F(BulletinIndexTest, NewNamesAreFound) {
  Add(MakeBulletin("a", "标题", "刘朦濛主持会议"));
  EXPECT_THAT(Ids("刘朦濛"), ElementsAre("a"));
  EXPECT_THAT(Ids("朦濛主"), ElementsAre("a"));
}

TEST_F(BulletinIndexTest, CorrectionReplacesAndRetractionRemoves) {
  Add(MakeBulletin("a", "标题", "旧的文字"));
  EXPECT_THAT(Ids("旧"), ElementsAre("a"));
  Add(MakeBulletin("a", "标题", "新的文字"));
  EXPECT_THAT(Ids("旧"), IsEmpty());
  EXPECT_THAT(Ids("新"), ElementsAre("a"));
  index_.Apply(Retract(++seq_, "a"));
  EXPECT_THAT(Ids("新"), IsEmpty());
  EXPECT_EQ(index_.Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(index_.applied_seq(), seq_);
}

// A corrected or retracted version's text leaves the hit text cache when
// the change is applied (a takedown), not when it ages out: once applied,
// nothing of the index holds the old record but the caller's reference.
TEST_F(BulletinIndexTest, ReplacedVersionsLeaveTheHitTextCache) {
  Add(MakeBulletin("a", "标题", "旧的文字"));
  ASSERT_THAT(Ids("旧"), ElementsAre("a"));  // Its text is now cached.
  std::shared_ptr<const StoredRecord> replaced;
  index_.Apply(Upsert(++seq_, MakeBulletin("a", "标题", "新的文字")),
               &replaced);
  ASSERT_NE(replaced, nullptr);
  EXPECT_EQ(replaced.use_count(), 1);
  ASSERT_THAT(Ids("新"), ElementsAre("a"));
  index_.Apply(Retract(++seq_, "a"), &replaced);
  ASSERT_NE(replaced, nullptr);
  EXPECT_EQ(replaced.use_count(), 1);
}

// The index keeps a record's text apart from the rest of it
// (stored_record.h); Get and include_bulletins must give it back whole.
TEST_F(BulletinIndexTest, GetAndIncludeBulletinsReturnTheRecordAsApplied) {
  v1::Bulletin b = MakeBulletin("a", "全市会议召开", "本报讯 会议召开。",
                                {"市科协部署工作。", "", "县妇联开展活动。"});
  b.set_kicker("本报专讯");
  b.set_subtitle("部署冬春工作");
  b.set_dateline("本报12月2日电");
  b.set_date("2026-12-02");
  b.mutable_items(0)->mutable_organization()->set_name("市科协");
  Add(b);
  v1::Bulletin expected = b;
  expected.set_seq(seq_);
  absl::StatusOr<v1::Bulletin> got = index_.Get("a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*got, expected)) << got->DebugString();
  v1::SearchRequest r;
  r.set_query("妇联");
  r.set_include_bulletins(true);
  const v1::SearchResponse response = Search(r);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_TRUE(MessageDifferencer::Equals(response.hits(0).bulletin(), expected))
      << response.hits(0).bulletin().DebugString();
}

// The bytes of `index`'s image (docs/index-format.md, "Snapshots").
std::string ImageOf(const BulletinIndex& index) {
  std::string image;
  const absl::Status written =
      index.TakeCheckpoint().WriteImage([&](absl::string_view bytes) {
        image.append(bytes.data(), bytes.size());
        return absl::OkStatus();
      });
  EXPECT_TRUE(written.ok()) << written;
  return image;
}

absl::Status LoadImageInto(const std::string& image, uint64_t applied_seq,
                           BulletinIndex* index) {
  size_t at = 0;
  return index->LoadImage(
      [&](char* into, size_t size) {
        if (image.size() - at < size) return absl::DataLossError("short");
        // A read of nothing may come with no buffer (memcpy's arguments
        // must not be null even then).
        if (size > 0) std::memcpy(into, image.data() + at, size);
        at += size;
        return absl::OkStatus();
      },
      applied_seq);
}

// Applies `changes` random upserts (most of them corrections: 300 ids) and
// retractions to `index`, each bulletin with a source text, and keeps in
// `applied` what Get must give back for each id (absent: NOT_FOUND).
void ApplyRecordsWithSource(std::mt19937& rng, int changes, uint64_t* seq,
                            std::map<std::string, v1::Bulletin>* applied,
                            std::vector<BulletinIndex*> indexes) {
  for (int i = 0; i < changes; ++i) {
    const std::string id = "doc" + std::to_string(rng() % 300);
    ++*seq;
    if (rng() % 8 == 0) {
      for (BulletinIndex* index : indexes) index->Apply(Retract(*seq, id));
      applied->erase(id);
      continue;
    }
    std::vector<std::string> items;
    for (int n = 1 + rng() % 6; n > 0; --n) {
      items.push_back(testing::RandomText(rng, 200));
    }
    v1::Bulletin b = MakeBulletin(id, testing::RandomText(rng, 20),
                                  testing::RandomText(rng, 300), items);
    b.set_date("2026-12-0" + std::to_string(1 + rng() % 9));
    b.mutable_items(0)->mutable_organization()->set_name("县妇联");
    b.set_source_text(b.headline() + "\n" + b.lead() + "\n" + items[0]);
    for (BulletinIndex* index : indexes) index->Apply(Upsert(*seq, b));
    b.set_seq(*seq);
    b.clear_source_text();  // The index keeps none (stored_record.h).
    (*applied)[id] = b;
  }
}

void ExpectGetGivesBack(const BulletinIndex& index,
                        const std::map<std::string, v1::Bulletin>& applied) {
  for (int n = 0; n < 300; ++n) {
    const std::string id = "doc" + std::to_string(n);
    SCOPED_TRACE(id);
    absl::StatusOr<v1::Bulletin> got = index.Get(id);
    auto it = applied.find(id);
    if (it == applied.end()) {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*got, it->second));
  }
}

// The store compresses records with dictionaries it trains as the corpus
// grows (stored_record.h); through corrections, retractions, several
// trainings, a snapshot image and the trainings after it, Get gives back
// exactly the version last applied, but for its source text, which the
// index does not keep.
TEST(BulletinIndexStoreTest, GetGivesBackWhatWasAppliedThroughEverything) {
  std::mt19937 rng(5);
  uint64_t seq = 0;
  std::map<std::string, v1::Bulletin> applied;
  BulletinIndex index;
  // Past the first training (1,000 records stored).
  ApplyRecordsWithSource(rng, 1300, &seq, &applied, {&index});
  ExpectGetGivesBack(index, applied);

  BulletinIndex loaded;
  const absl::Status status = LoadImageInto(ImageOf(index), seq, &loaded);
  ASSERT_TRUE(status.ok()) << status;
  ExpectGetGivesBack(loaded, applied);

  // Both go on, past their next training (the loaded index counts its
  // live records as stored), and still agree with what was applied.
  ApplyRecordsWithSource(rng, 1200, &seq, &applied, {&index, &loaded});
  ExpectGetGivesBack(index, applied);
  ExpectGetGivesBack(loaded, applied);
}

// An image's record that names a dictionary the image does not hold, or
// whose frame is not the size it says, is refused before any search
// trusts it.
TEST(BulletinIndexStoreTest, ImageWithAMisfitRecordIsRefused) {
  v1::Bulletin b = MakeBulletin("a", "全市会议召开", "本报讯 会议召开。",
                                {"市科协部署工作。"});
  b.set_source_text("全市会议召开\n本报讯 会议召开。");
  BulletinIndex index;
  index.Apply(Upsert(7, b));
  const std::string image = ImageOf(index);
  // The same bulletin stored alone compresses to the same bytes (no
  // dictionary before the first training): find them in the image, after
  // their size (u64) and their dictionary number (u32).
  b.set_seq(7);
  std::string record;
  RecordCompressor().Store(b)->AppendEncoded(&record);
  const size_t at = image.find(record);
  ASSERT_NE(at, std::string::npos);
  ASSERT_GE(at, 12u);
  {
    BulletinIndex loaded;
    ASSERT_TRUE(LoadImageInto(image, 7, &loaded).ok());
    EXPECT_TRUE(loaded.Get("a").ok());
  }
  std::string foreign = image;
  foreign[at - 12] = 0;  // dictionary 0 of none (was 0xFFFFFFFF)
  BulletinIndex loaded;
  absl::Status status = LoadImageInto(foreign, 7, &loaded);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_NE(status.message().find("record dictionary"), std::string::npos)
      << status;
  std::string short_frame = image;
  short_frame[at + 8 + 4] += 1;  // the text size, low byte
  status = LoadImageInto(short_frame, 7, &loaded);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_EQ(loaded.applied_seq(), 0u);
}

TEST_F(BulletinIndexTest, LatinMatchesAcrossWidthAndCase) {
  Add(MakeBulletin("a", "ＧＤＰ增长", "Covid-19 防控"));
  Add(MakeBulletin("b", "标题", "gdp 与 APP"));
  EXPECT_THAT(Ids("gdp"), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Ids("ＧＤＰ"), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Ids("COVID-19"), ElementsAre("a"));
  EXPECT_THAT(Ids("19"), ElementsAre("a"));
  EXPECT_THAT(Ids("pp"), ElementsAre("b"));
}

TEST_F(BulletinIndexTest, PhrasesWithSpacesAndAnd) {
  Add(MakeBulletin("a", "Li Ming visited", "政协会议"));
  Add(MakeBulletin("b", "Ming Li", "政协 会议"));
  EXPECT_THAT(Ids("\"li ming\""), ElementsAre("a"));
  EXPECT_THAT(Ids("li ming"), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Ids("\"政协 会议\""), ElementsAre("b"));
  EXPECT_THAT(Ids("政协会议"), ElementsAre("a"));
}

TEST_F(BulletinIndexTest, ExclusionsRemoveHits) {
  Add(MakeBulletin("a", "政协会议", "常委"));
  Add(MakeBulletin("b", "政协会议", "主席"));
  EXPECT_THAT(Ids("政协 -常委"), ElementsAre("b"));
  EXPECT_THAT(Ids("政协 -\"主 席\""), UnorderedElementsAre("a", "b"));
  EXPECT_THAT(Ids("政协 -常委 -主席"), IsEmpty());
}

TEST_F(BulletinIndexTest, TermsMatchWithinOneFieldOnly) {
  Add(MakeBulletin("a", "委员", "会议", {"委员", "会议"}));
  EXPECT_THAT(Ids("员会"), IsEmpty());
  EXPECT_THAT(Ids("委员 会议"), ElementsAre("a"));
}

v1::Bulletin Structured(const std::string& id, const std::string& region,
                        v1::Organization::Kind kind, const std::string& person,
                        const std::string& date) {
  v1::Bulletin b = MakeBulletin(id, "标题" + id, "导语", {region + "政协开会"});
  v1::Organization* org = b.mutable_items(0)->mutable_organization();
  org->set_region(region);
  org->set_name(region + "政协");
  org->set_kind(kind);
  org->set_province("重庆市");
  v1::Person* p = b.add_people();
  p->set_name(person);
  p->add_titles("主席");
  b.add_reporters()->set_name("鲜明");
  b.mutable_series()->set_name("学习贯彻");
  b.mutable_series()->set_part(3);
  b.set_date(date);
  return b;
}

TEST_F(BulletinIndexTest, FiltersMatchWholeFoldedValues) {
  Add(Structured("a", "忠县", v1::Organization::CPPCC, "王君成", "2021-11-18"));
  Add(Structured("b", "忠縣", v1::Organization::GOVERNMENT, "陈加义",
                 "2021-12-01"));
  Add(Structured("c", "江北区", v1::Organization::CPPCC, "王君成",
                 "2022-01-05"));
  v1::SearchRequest r;
  r.set_limit(100);
  r.mutable_filters()->add_regions("忠县");
  EXPECT_THAT(Ids(r), UnorderedElementsAre("a", "b"));
  r.mutable_filters()->add_organization_kinds(v1::Organization::CPPCC);
  EXPECT_THAT(Ids(r), ElementsAre("a"));

  v1::SearchRequest partial;
  partial.mutable_filters()->add_regions("忠");
  EXPECT_THAT(Ids(partial), IsEmpty());

  v1::SearchRequest people;
  people.mutable_filters()->add_people("王君成");
  people.mutable_filters()->add_people("陈加义");
  EXPECT_THAT(Ids(people), UnorderedElementsAre("a", "b", "c"));

  v1::SearchRequest dates;
  dates.mutable_filters()->set_date_from("2021-12-01");
  dates.mutable_filters()->set_date_to("2021-12-31");
  EXPECT_THAT(Ids(dates), ElementsAre("b"));
  // Candidates come from one field's values; the others, and the date, are
  // still checked.
  dates.mutable_filters()->add_regions("江北区");
  EXPECT_THAT(Ids(dates), IsEmpty());
  dates.mutable_filters()->add_regions("忠县");
  EXPECT_THAT(Ids(dates), ElementsAre("b"));
  dates.mutable_filters()->add_people("王君成");
  EXPECT_THAT(Ids(dates), IsEmpty());

  v1::SearchRequest more;
  more.set_query("政协");
  more.mutable_filters()->add_titles("主席");
  more.mutable_filters()->add_reporters("鲜明");
  more.mutable_filters()->add_series("學習貫徹");
  more.mutable_filters()->add_provinces("重庆市");
  more.mutable_filters()->add_organizations("江北区政协");
  EXPECT_THAT(Ids(more), ElementsAre("c"));
}

// Three bulletins of two regions (one written in either script), two
// kinds of bodies and two people, for facet counts.
std::vector<v1::Bulletin> FacetedTrio() {
  return {
      Structured("a", "忠县", v1::Organization::CPPCC, "王君成", "2021-11-18"),
      Structured("b", "忠縣", v1::Organization::GOVERNMENT, "陈加义",
                 "2021-11-18"),
      Structured("c", "江北区", v1::Organization::CPPCC, "王君成",
                 "2022-01-05")};
}

TEST_F(BulletinIndexTest, FacetsCountMatchingBulletins) {
  for (const v1::Bulletin& b : FacetedTrio()) Add(b);
  v1::SearchRequest r;
  r.set_query("政协");
  r.add_facets("region");
  r.add_facets("organization_kind");
  r.add_facets("date");
  const v1::SearchResponse response = Search(r);
  ASSERT_EQ(response.facets_size(), 3);
  const v1::Facet& region = response.facets(0);
  EXPECT_EQ(region.field(), "region");
  ASSERT_EQ(region.values_size(), 2);
  EXPECT_EQ(region.values(0).value(), "忠县");  // first form seen
  EXPECT_EQ(region.values(0).count(), 2);
  EXPECT_EQ(region.values(1).value(), "江北区");
  const v1::Facet& kind = response.facets(1);
  ASSERT_EQ(kind.values_size(), 2);
  EXPECT_EQ(kind.values(0).value(), "CPPCC");
  EXPECT_EQ(kind.values(0).count(), 2);
  EXPECT_EQ(response.facets(2).values(0).value(), "2021-11-18");

  v1::SearchRequest bad;
  bad.add_facets("colour");
  EXPECT_EQ(index_.Search(bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Facets are counted by the complement when nearly everything matches, by
// bulletin for a few matches, by value in between (facets.h): the counts
// are the same.
TEST_F(BulletinIndexTest, FacetsCountTheSameWhateverTheShareOfMatches) {
  for (const v1::Bulletin& b : FacetedTrio()) Add(b);
  v1::SearchRequest r;
  r.set_query("政协");
  r.add_facets("region");
  r.add_facets("person");
  const v1::SearchResponse everything = Search(r);
  for (int i = 0; i < 60; ++i) {
    Add(MakeBulletin("other" + std::to_string(i), "其他", "导语", {"无关"}));
  }
  const v1::SearchResponse few = Search(r);
  EXPECT_EQ(few.total_hits(), 3);
  ASSERT_EQ(few.facets_size(), 2);
  for (int f = 0; f < 2; ++f) {
    EXPECT_TRUE(MessageDifferencer::Equals(few.facets(f), everything.facets(f)))
        << few.facets(f).ShortDebugString() << " vs "
        << everything.facets(f).ShortDebugString();
  }
  for (int i = 0; i < 30; ++i) {
    Add(Structured("x" + std::to_string(i), "江北区", v1::Organization::CPPCC,
                   "王君成", "2022-01-05"));
  }
  Add(MakeBulletin("gone", "政协", "导语", {}));
  index_.Apply(Retract(++seq_, "x0"));  // no longer counted
  const v1::SearchResponse half = Search(r);
  EXPECT_EQ(half.total_hits(), 33);
  ASSERT_EQ(half.facets_size(), 2);
  auto counts = [](const v1::Facet& facet) {
    std::vector<std::string> out;
    for (const v1::FacetValue& v : facet.values()) {
      out.push_back(v.value() + "=" + std::to_string(v.count()));
    }
    return out;
  };
  EXPECT_THAT(counts(half.facets(0)), ElementsAre("江北区=30", "忠县=2"));
  EXPECT_THAT(counts(half.facets(1)), ElementsAre("王君成=31", "陈加义=1"));
}

// Counting by value reads no list of a value that cannot be shown (its
// live bulletins fewer than the facet_size largest counts made), yet shows
// what counting every value would: a value whose bound equals the smallest
// shown count is still counted, as it may win the tie on its name.
TEST_F(BulletinIndexTest, FacetsShowTheLargestCountsWithoutCountingEveryValue) {
  struct Region {
    std::string name;
    int live;
    int matching;
  };
  const std::vector<Region> regions = {
      {"区5", 12, 2}, {"区6", 10, 6}, {"区7", 8, 6}, {"区0", 6, 6},
      {"区8", 6, 5},  {"区1", 5, 5},  {"区2", 3, 3}, {"区3", 2, 1}};
  std::vector<std::pair<int64_t, std::string>> want;  // (-count, value)
  int n = 0;
  for (const Region& region : regions) {
    for (int i = 0; i < region.live; ++i) {
      v1::Bulletin b = MakeBulletin("d" + std::to_string(n++), "标题", "导语",
                                    {i < region.matching ? "会议" : "其他"});
      b.mutable_items(0)->mutable_organization()->set_region(region.name);
      // Many values a bulletin, as in a real archive, so that counting by
      // value reads least (facets.h).
      for (int p = 0; p < 8; ++p) {
        b.add_people()->set_name("人" + std::to_string(n * 8 + p));
      }
      Add(b);
    }
    want.emplace_back(-region.matching, region.name);
  }
  std::sort(want.begin(), want.end());
  v1::SearchRequest r;
  r.set_query("会议");
  r.add_facets("region");
  for (int size = 1; size <= 5; ++size) {
    r.set_facet_size(size);
    const v1::SearchResponse response = Search(r);
    ASSERT_EQ(response.facets_size(), 1);
    std::vector<std::string> got;
    for (const v1::FacetValue& v : response.facets(0).values()) {
      got.push_back(v.value() + "=" + std::to_string(v.count()));
    }
    std::vector<std::string> expected;
    for (int i = 0; i < size; ++i) {
      expected.push_back(want[static_cast<size_t>(i)].second + "=" +
                         std::to_string(-want[static_cast<size_t>(i)].first));
    }
    EXPECT_EQ(got, expected) << "facet_size " << size;
  }
}

// The same over many values of random sizes: the values are sorted by
// their live bulletins only as far as the count is expected to go, and the
// rest when it goes further (facets.cc, PlanByValue); this fails when the
// rest is read unsorted.
TEST(FacetCountTest, LargestCountsOfManyValuesAreThoseOfCountingEvery) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    BulletinIndex index;
    uint64_t seq = 0;
    std::vector<std::pair<int64_t, std::string>> want;  // (-count, value)
    int n = 0;
    for (int r = 0; r < 40; ++r) {
      const std::string region = "区" + std::to_string(100 + r);
      // A few values with many bulletins and few matches, which the plan
      // expects to read, and many small ones, mostly matching, which the
      // count must go on to in order.
      const bool big = r % 8 == 0;
      const int live = big ? 20 + static_cast<int>(rng() % 10)
                           : 1 + static_cast<int>(rng() % 12);
      const int matching = big ? static_cast<int>(rng() % 4)
                               : live - static_cast<int>(rng() % 2);
      for (int i = 0; i < live; ++i) {
        v1::Bulletin b = MakeBulletin("d" + std::to_string(n++), "标题", "导语",
                                      {i < matching ? "会议" : "其他"});
        b.mutable_items(0)->mutable_organization()->set_region(region);
        for (int p = 0; p < 8; ++p) {
          b.add_people()->set_name("人" + std::to_string(n * 8 + p));
        }
        index.Apply(Upsert(++seq, b));
      }
      if (matching > 0) want.emplace_back(-matching, region);
    }
    std::sort(want.begin(), want.end());
    const int size = 1 + static_cast<int>(rng() % 6);
    v1::SearchRequest r;
    r.set_query("会议");
    r.add_facets("region");
    r.set_facet_size(size);
    absl::StatusOr<v1::SearchResponse> response = index.Search(r);
    ASSERT_TRUE(response.ok()) << response.status();
    ASSERT_EQ(response->facets_size(), 1);
    std::vector<std::string> got;
    for (const v1::FacetValue& v : response->facets(0).values()) {
      got.push_back(v.value() + "=" + std::to_string(v.count()));
    }
    std::vector<std::string> expected;
    for (size_t i = 0; i < want.size() && i < static_cast<size_t>(size); ++i) {
      expected.push_back(want[i].second + "=" + std::to_string(-want[i].first));
    }
    EXPECT_EQ(got, expected) << "seed " << seed << ", facet_size " << size;
  }
}

// A faceted search reads every block of its term's list but scores only
// the candidates of blocks that can make its page (match_finder.h): over
// lists frozen into many blocks, its pages and total are those of the same
// search without facets counting every match, and its counts are exact.
TEST_F(BulletinIndexTest, FacetsLeaveThePagesAsWithoutThem) {
  const std::vector<std::string> regions = {"忠县", "江北区", "万州区"};
  std::map<std::string, int64_t> want_regions;
  for (int i = 0; i < 700; ++i) {
    // A few bulletins hold the term three times (the page's); the rest
    // once, in items of many lengths.
    std::string text = i % 97 == 5 ? "会议会议会议" : "会议";
    text += std::string(static_cast<size_t>(i % 53), 'x');
    v1::Bulletin b =
        MakeBulletin("d" + std::to_string(i), "标题", "导语", {text, "其他"});
    const std::string& region = regions[static_cast<size_t>(i) % 3];
    b.mutable_items(0)->mutable_organization()->set_region(region);
    ++want_regions[region];
    if (i % 5 == 0) {
      b.mutable_items(1)->mutable_organization()->set_region("石柱县");
      ++want_regions["石柱县"];
    }
    Add(b);
  }
  index_.Compact();
  index_.SetTotalHitsThreshold(0);
  v1::SearchRequest plain;
  plain.set_query("会议");
  plain.set_limit(4);
  plain.set_exact_total_hits(true);
  v1::SearchRequest faceted = plain;
  faceted.add_facets("region");
  for (int page = 0; page < 3; ++page) {
    const v1::SearchResponse without = Search(plain);
    const v1::SearchResponse with = Search(faceted);
    EXPECT_EQ(with.total_hits(), 700);
    EXPECT_FALSE(with.total_hits_is_lower_bound());
    EXPECT_EQ(with.total_hits(), without.total_hits());
    ASSERT_EQ(with.hits_size(), 4);
    ASSERT_EQ(with.hits_size(), without.hits_size());
    for (int i = 0; i < with.hits_size(); ++i) {
      EXPECT_EQ(with.hits(i).bulletin_id(), without.hits(i).bulletin_id())
          << "page " << page << " hit " << i;
      EXPECT_EQ(with.hits(i).score(), without.hits(i).score());
    }
    ASSERT_EQ(with.facets_size(), 1);
    std::map<std::string, int64_t> got_regions;
    for (const v1::FacetValue& v : with.facets(0).values()) {
      got_regions[v.value()] = v.count();
    }
    EXPECT_EQ(got_regions, want_regions);
    plain.set_page_token(without.next_page_token());
    faceted.set_page_token(with.next_page_token());
  }
}

// Past the threshold, a phrase's candidates that cannot make the page are
// not checked: the total is then a lower bound, and exact when asked for.
TEST_F(BulletinIndexTest, TotalsPastTheThresholdAreLowerBoundsUnlessExact) {
  // The same phrase once in each, in ever longer items: each bulletin's
  // score (and the bound its bigrams give) is below the one before, so
  // once the page and the one after it are full no later one competes.
  for (int i = 0; i < 6; ++i) {
    Add(MakeBulletin("d" + std::to_string(i), "标题", "导语",
                     {"区县政协会议" + std::string(3 * (i + 1) * 10, 'x')}));
  }
  index_.SetTotalHitsThreshold(0);
  v1::SearchRequest r;
  r.set_query("区县政协会议");
  r.set_limit(1);
  const v1::SearchResponse pruned = Search(r);
  EXPECT_TRUE(pruned.total_hits_is_lower_bound());
  EXPECT_EQ(pruned.total_hits(), 2);  // the page and the one after it
  ASSERT_EQ(pruned.hits_size(), 1);
  EXPECT_EQ(pruned.hits(0).bulletin_id(), "d0");

  r.set_exact_total_hits(true);
  const v1::SearchResponse exact = Search(r);
  EXPECT_FALSE(exact.total_hits_is_lower_bound());
  EXPECT_EQ(exact.total_hits(), 6);
  EXPECT_TRUE(MessageDifferencer::Equals(exact.hits(0), pruned.hits(0)));
  EXPECT_EQ(exact.next_page_token(), pruned.next_page_token());

  // Under the threshold every match is counted.
  index_.SetTotalHitsThreshold(6);
  r.set_exact_total_hits(false);
  const v1::SearchResponse counted = Search(r);
  EXPECT_FALSE(counted.total_hits_is_lower_bound());
  EXPECT_EQ(counted.total_hits(), 6);
  // A two-character term costs nothing to count: always exact.
  index_.SetTotalHitsThreshold(0);
  r.set_query("政协");
  const v1::SearchResponse bigram = Search(r);
  EXPECT_FALSE(bigram.total_hits_is_lower_bound());
  EXPECT_EQ(bigram.total_hits(), 6);
}

TEST_F(BulletinIndexTest, PaginationWalksEveryHitOnce) {
  for (int i = 0; i < 25; ++i) {
    Add(MakeBulletin("d" + std::to_string(i), "标题", "会议"));
  }
  v1::SearchRequest r;
  r.set_query("会议");
  r.set_limit(10);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    const v1::SearchResponse response = Search(r);
    EXPECT_EQ(response.total_hits(), 25);
    for (const v1::Hit& hit : response.hits())
      seen.push_back(hit.bulletin_id());
    if (response.next_page_token().empty()) break;
    r.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(seen.size(), 25u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST_F(BulletinIndexTest, PageTokensAreValidated) {
  Add(MakeBulletin("a", "标题", "会议"));
  Add(MakeBulletin("b", "标题", "会议"));
  v1::SearchRequest r;
  r.set_query("会议");
  r.set_limit(1);
  const std::string token = Search(r).next_page_token();
  ASSERT_FALSE(token.empty());
  v1::SearchRequest garbage = r;
  garbage.set_page_token("not-a-token");
  EXPECT_EQ(index_.Search(garbage).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::SearchRequest tampered = r;
  std::string t = token;
  t[3] = t[3] == 'A' ? 'B' : 'A';
  tampered.set_page_token(t);
  EXPECT_EQ(index_.Search(tampered).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::SearchRequest other = r;
  other.set_query("标题");
  other.set_page_token(token);
  EXPECT_EQ(index_.Search(other).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(BulletinIndexTest, RelevanceWeighsHeadlineAboveLeadAboveItem) {
  Add(MakeBulletin("item", "无关", "无关", {"乡村振兴"}));
  Add(MakeBulletin("head", "乡村振兴", "无关", {"无关"}));
  Add(MakeBulletin("lead", "无关", "乡村振兴", {"无关"}));
  v1::SearchRequest r;
  r.set_query("乡村振兴");
  EXPECT_THAT(Ids(r), ElementsAre("head", "lead", "item"));
  const v1::SearchResponse response = Search(r);
  EXPECT_GT(response.hits(0).score(), response.hits(1).score());
}

TEST_F(BulletinIndexTest, RecencyOrdersNewestFirst) {
  Add(MakeBulletin("old", "乡村振兴", "乡村振兴"));
  Add(MakeBulletin("new", "无关", "乡村振兴"));
  v1::SearchRequest r;
  r.set_query("乡村振兴");
  r.set_order(v1::SearchRequest::RECENCY);
  EXPECT_THAT(Ids(r), ElementsAre("new", "old"));
  EXPECT_EQ(Search(r).hits(0).score(), 0);
}

TEST_F(BulletinIndexTest, SnippetsMarkMatchesAsWritten) {
  Add(MakeBulletin("a", "標題", "连日来，區縣政協組織學習",
                   {"其他", "GDP增長"}));
  v1::SearchRequest r;
  r.set_query("区县政协 增长");
  const v1::SearchResponse response = Search(r);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).snippet(), "连日来，【區縣政協】組織學習");
  EXPECT_THAT(response.hits(0).item_indexes(), ElementsAre(1));
  EXPECT_EQ(response.hits(0).headline(), "標題");
  EXPECT_FALSE(response.hits(0).has_bulletin());
  r.set_include_bulletins(true);
  EXPECT_EQ(Search(r).hits(0).bulletin().lead(), "连日来，區縣政協組織學習");
}

// Text that is its own fold (simplified, no full-width forms) takes the
// snippet path that does not fold; it must mark the same spans.
TEST_F(BulletinIndexTest, SnippetsOfTextThatFoldsToItselfMarkEveryMatch) {
  Add(MakeBulletin("a", "标题", "区县政协组织学习。区县政协委员"));
  v1::SearchRequest r;
  r.set_query("政协");
  const v1::SearchResponse response = Search(r);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).snippet(),
            "区县【政协】组织学习。区县【政协】委员");
}

// Only the paragraphs that are not their own fold are folded for a hit; a
// Traditional or upper-case one among simplified ones must still be matched
// and marked, and the simplified ones as they stand.
TEST_F(BulletinIndexTest, HitsMatchParagraphsThatFoldAndThatDoNot) {
  Add(MakeBulletin(
      "a", "标题", "导语",
      {"区县政协召开会议", "其他", "區縣政協召開會議", "政协委员GDP", "政协"}));
  v1::SearchRequest r;
  r.set_query("政协");
  v1::SearchResponse response = Search(r);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_THAT(response.hits(0).item_indexes(), ElementsAre(0, 2, 3, 4));
  r.set_query("政协委员gdp");
  response = Search(r);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_THAT(response.hits(0).item_indexes(), ElementsAre(3));
  EXPECT_EQ(response.hits(0).snippet(), "【政协委员GDP】");
  r.set_query("召开会议");
  response = Search(r);
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_THAT(response.hits(0).item_indexes(), ElementsAre(0, 2));
}

// A search without terms marks nothing, so its snippet is the lead as
// written, with no fold of it in between.
TEST_F(BulletinIndexTest, SnippetsOfSearchesWithoutTermsShowTheLeadAsWritten) {
  Add(MakeBulletin("a", "標題", "區縣政協ＧＤＰ組織學習", {"其他"}));
  const v1::SearchResponse response = Search(v1::SearchRequest());
  ASSERT_EQ(response.hits_size(), 1);
  EXPECT_EQ(response.hits(0).snippet(), "區縣政協ＧＤＰ組織學習");
  EXPECT_THAT(response.hits(0).item_indexes(), IsEmpty());
}

TEST_F(BulletinIndexTest, RejectsMalformedRequests) {
  for (const char* query : {"\"open", "-only", "\xff"}) {
    v1::SearchRequest r;
    r.set_query(query);
    EXPECT_EQ(index_.Search(r).status().code(),
              absl::StatusCode::kInvalidArgument)
        << query;
  }
  v1::SearchRequest limit;
  limit.set_limit(1001);
  EXPECT_EQ(index_.Search(limit).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::SearchRequest empty_value;
  empty_value.mutable_filters()->add_regions(" ");
  EXPECT_EQ(index_.Search(empty_value).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::SearchRequest kind;
  kind.mutable_filters()->add_organization_kinds(
      v1::Organization::KIND_UNSPECIFIED);
  EXPECT_EQ(index_.Search(kind).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(BulletinIndexTest, EmptyQueryListsEverythingNewestFirst) {
  Add(MakeBulletin("a", "一", "二"));
  Add(MakeBulletin("b", "三", "四"));
  EXPECT_THAT(Ids(""), ElementsAre("b", "a"));
}

TEST_F(BulletinIndexTest, StatsCountLiveBulletinsAndBytes) {
  Add(MakeBulletin("a", "标题", "导语", {"一", "二"}));
  Add(MakeBulletin("b", "标题", "导语", {"三"}));
  index_.Apply(Retract(++seq_, "a"));
  const v1::StatsResponse stats = index_.Stats();
  EXPECT_EQ(stats.bulletin_count(), 1);
  EXPECT_EQ(stats.item_count(), 1);
  EXPECT_EQ(stats.applied_seq(), seq_);
  EXPECT_EQ(stats.text_bytes(), 6 + 6 + 3);
  EXPECT_GT(stats.index_bytes(), 0);
  EXPECT_GT(stats.stored_bytes(), 0);
}

TEST_F(BulletinIndexTest, CompactionKeepsResults) {
  for (int i = 0; i < 50; ++i) {
    Add(MakeBulletin("d" + std::to_string(i % 20), "标题" + std::to_string(i),
                     "会议"));
  }
  const std::vector<std::string> before = Ids("会议");
  index_.Compact();
  EXPECT_EQ(Ids("会议"), before);
  EXPECT_EQ(before.size(), 20u);
  EXPECT_THAT(Ids("标题49"), ElementsAre("d9"));
  EXPECT_THAT(Ids("标题9"), IsEmpty());  // d9 was replaced by 标题29, 标题49
}

// Random Han text: about as many new bigrams per character as text gets,
// so a few hundred bulletins push the recent tier past the size at which
// Apply compacts on its own.
std::string RandomHan(std::mt19937& random, int length) {
  std::string text;
  for (int i = 0; i < length; ++i) {
    const char32_t c = 0x4E00 + random() % 2000;
    text += static_cast<char>(0xE0 | (c >> 12));
    text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    text += static_cast<char>(0x80 | (c & 0x3F));
  }
  return text;
}

// Apply's own freezes keep the postings of replaced and retracted versions
// (dead, so skipped) until a quarter are dead; none of them may come back,
// before or after an explicit Compact drops them.
TEST_F(BulletinIndexTest, AutomaticCompactionsKeepDeadVersionsDead) {
  std::mt19937 random(11);
  std::string old_lead;
  for (int i = 0; i < 100; ++i) {
    const std::string lead = RandomHan(random, 400);
    if (i == 0) old_lead = lead;
    Add(MakeBulletin("d" + std::to_string(i), "旧版本", lead));
  }
  for (int i = 0; i < 50; ++i) {
    Add(MakeBulletin("d" + std::to_string(i), "新版本",
                     RandomHan(random, 400)));
  }
  for (int i = 50; i < 60; ++i) {
    index_.Apply(Retract(++seq_, "d" + std::to_string(i)));
  }
  for (int i = 100; i < 400; ++i) {
    Add(MakeBulletin("d" + std::to_string(i), "其他", RandomHan(random, 400)));
  }
  auto expect_versions = [&] {
    std::vector<std::string> old_ids = Ids("旧版本");
    std::vector<std::string> new_ids = Ids("新版本");
    std::sort(old_ids.begin(), old_ids.end());
    std::sort(new_ids.begin(), new_ids.end());
    std::vector<std::string> want_old;
    std::vector<std::string> want_new;
    for (int i = 60; i < 100; ++i) want_old.push_back("d" + std::to_string(i));
    for (int i = 0; i < 50; ++i) want_new.push_back("d" + std::to_string(i));
    std::sort(want_old.begin(), want_old.end());
    std::sort(want_new.begin(), want_new.end());
    EXPECT_EQ(old_ids, want_old);
    EXPECT_EQ(new_ids, want_new);
    EXPECT_THAT(Ids(old_lead.substr(30, 18)), IsEmpty());
    EXPECT_EQ(Ids("其他").size(), 300u);
    EXPECT_EQ(index_.Stats().bulletin_count(), 390);
    EXPECT_TRUE(index_.Get("d0").ok());
    EXPECT_FALSE(index_.Get("d55").ok());
  };
  expect_versions();
  // A version replaced after the automatic freezes, then all dropped.
  Add(MakeBulletin("d99", "再版本", "导语"));
  EXPECT_THAT(Ids("再版本"), ElementsAre("d99"));
  EXPECT_EQ(Ids("旧版本").size(), 39u);
  Add(MakeBulletin("d99", "旧版本", "导语"));
  expect_versions();
  index_.Compact();
  expect_versions();
  EXPECT_THAT(Ids("再版本"), IsEmpty());
}

// A freeze is built on the freezer thread while the applier goes on: with
// the freezer held between building and installing, records keep being
// applied and found, and replacing or retracting a document whose postings
// are being frozen hides it at once.
TEST_F(BulletinIndexTest, AppliesWhileAFreezeIsBuilt) {
  struct {
    Mutex mu;
    CondVar changed;
    bool reached ABSL_GUARDED_BY(mu) = false;
    bool release ABSL_GUARDED_BY(mu) = false;
    int installs ABSL_GUARDED_BY(mu) = 0;
  } hook;
  index_.SetFreezeHookForTesting([&] {
    MutexLock lock(&hook.mu);
    hook.reached = true;
    hook.changed.SignalAll();
    hook.changed.Wait(&hook.mu, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(hook.mu) {
      return hook.release;
    });
    ++hook.installs;
  });
  std::mt19937 random(5);
  int added = 0;
  auto freeze_reached = [&] {
    MutexLock lock(&hook.mu);
    return hook.reached;
  };
  // Random text has many distinct bigrams, so the recent tier soon asks
  // for a freeze.
  while (!freeze_reached()) {
    ASSERT_LT(added, 5000) << "no freeze started";
    Add(MakeBulletin("d" + std::to_string(added++), "冻结前",
                     RandomHan(random, 400)));
  }
  Add(MakeBulletin("late", "冻结中", "冻结时加入"));
  Add(MakeBulletin("d0", "新版本", "导语"));
  index_.Apply(Retract(++seq_, "d1"));
  auto expect_all = [&] {
    EXPECT_THAT(Ids("冻结中"), ElementsAre("late"));
    EXPECT_THAT(Ids("新版本"), ElementsAre("d0"));
    // How many were added depends on when the freezer got going, so the
    // count is taken from total_hits rather than a page of hits.
    v1::SearchRequest before;
    before.set_query("冻结前");
    EXPECT_EQ(Search(before).total_hits(), added - 2);
    EXPECT_FALSE(index_.Get("d1").ok());
    EXPECT_EQ(index_.Stats().applied_seq(), seq_);
    EXPECT_EQ(index_.Stats().bulletin_count(), added);
  };
  expect_all();
  {
    MutexLock lock(&hook.mu);
    EXPECT_EQ(hook.installs, 0);
    hook.release = true;
    hook.changed.SignalAll();
  }
  // Compact waits for the freeze in progress, then freezes the rest.
  index_.Compact();
  {
    MutexLock lock(&hook.mu);
    EXPECT_EQ(hook.installs, 2);
  }
  expect_all();
}

// Once dead versions are a quarter of the documents with postings, Apply
// starts a freeze that drops theirs; Compact drops the rest. The observer
// sees each freeze with what it dropped.
TEST_F(BulletinIndexTest, AFreezeDropsDeadVersionsOnceAQuarterAreDead) {
  struct {
    Mutex mu;
    std::vector<BulletinIndex::FreezeReport> reports ABSL_GUARDED_BY(mu);
  } observed;
  index_.SetFreezeObserver([&](const BulletinIndex::FreezeReport& report) {
    MutexLock lock(&observed.mu);
    observed.reports.push_back(report);
  });
  constexpr int kDocuments = 1100;
  for (int i = 0; i < kDocuments; ++i) {
    Add(MakeBulletin("d" + std::to_string(i), "旧版本", "导语"));
  }
  for (int i = 0; i < kDocuments; ++i) {
    Add(MakeBulletin("d" + std::to_string(i), "新版本", "导语"));
  }
  index_.Compact();
  MutexLock lock(&observed.mu);
  ASSERT_EQ(observed.reports.size(), 2u);
  // The first replacement past 1,024 dead starts it (1,025 > 2,125 / 4).
  EXPECT_EQ(observed.reports[0].dropped, 1025);
  EXPECT_EQ(observed.reports[0].documents, kDocuments + 1025);
  EXPECT_EQ(observed.reports[1].dropped, kDocuments - 1025);
  EXPECT_EQ(observed.reports[1].documents, 2 * kDocuments);
  EXPECT_GE(observed.reports[0].building, absl::ZeroDuration());
  EXPECT_THAT(Ids("旧版本"), IsEmpty());
  EXPECT_EQ(index_.Stats().bulletin_count(), kDocuments);
  absl::StatusOr<v1::Bulletin> first = index_.Get("d0");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->headline(), "新版本");
}

TEST_F(BulletinIndexTest, WaitForSeqWaitsForTheApplier) {
  EXPECT_FALSE(index_.WaitForSeq(1, absl::Now()));
  std::thread applier([this] {
    absl::SleepFor(absl::Milliseconds(20));
    index_.Apply(Upsert(1, MakeBulletin("a", "标题", "导语")));
  });
  EXPECT_TRUE(index_.WaitForSeq(1, absl::InfiniteFuture()));
  applier.join();
  EXPECT_TRUE(index_.Get("a").ok());
}

TEST_F(BulletinIndexTest, StaleRecordsAreIgnoredAndClearForgets) {
  index_.Apply(Upsert(5, MakeBulletin("a", "标题", "新")));
  index_.Apply(Upsert(4, MakeBulletin("a", "标题", "旧")));
  EXPECT_THAT(Ids("新"), ElementsAre("a"));
  index_.Clear();
  EXPECT_EQ(index_.applied_seq(), 0u);
  EXPECT_THAT(Ids("新"), IsEmpty());
}

}  // namespace
}  // namespace bulletin
