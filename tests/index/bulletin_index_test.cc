#include "query-service/index/bulletin_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/index/test_records.h"

namespace bulletin {
namespace {

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

}  // namespace
}  // namespace bulletin
