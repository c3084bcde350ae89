// FacetColumns: codes by document, live counts and live bits through
// additions, deaths and a restored index's dead documents.

#include "query-service/index/store/facet_columns.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<uint32_t> CodesOf(const FacetColumns::Column& column,
                              uint32_t doc) {
  const absl::Span<const uint32_t> codes = column.CodesOf(doc);
  return std::vector<uint32_t>(codes.begin(), codes.end());
}

bool Live(const FacetColumns& columns, uint32_t doc) {
  return ((columns.live_bits()[doc >> 6] >> (doc & 63)) & 1) != 0;
}

TEST(FacetColumnsTest, ColumnsOnlyTheFieldsOfFewValues) {
  FacetColumns columns;
  EXPECT_NE(columns.column(FacetField::kRegion), nullptr);
  EXPECT_NE(columns.column(FacetField::kDate), nullptr);
  EXPECT_EQ(columns.column(FacetField::kPerson), nullptr);
  EXPECT_EQ(columns.column(FacetField::kOrganization), nullptr);
}

TEST(FacetColumnsTest, CodesAreEachValuesPlaceInItsField) {
  ValueDictionary dictionary;
  FacetColumns columns;
  const uint32_t zhong =
      dictionary.Intern({FacetField::kRegion, "忠县", "忠县"});
  const uint32_t wang = dictionary.Intern({FacetField::kPerson, "王", "王"});
  const uint32_t jiang =
      dictionary.Intern({FacetField::kRegion, "江北区", "江北区"});
  columns.Add(0, {zhong, wang, jiang}, dictionary);
  columns.Add(1, {wang}, dictionary);
  // A value interned after the first documents gets the next code.
  const uint32_t dadu =
      dictionary.Intern({FacetField::kRegion, "大渡口区", "大渡口区"});
  const uint32_t date =
      dictionary.Intern({FacetField::kDate, "2021-11-18", "2021-11-18"});
  columns.Add(2, {jiang, dadu, date}, dictionary);

  const FacetColumns::Column& region = *columns.column(FacetField::kRegion);
  EXPECT_THAT(CodesOf(region, 0), ElementsAre(0, 1));
  EXPECT_THAT(CodesOf(region, 1), IsEmpty());
  EXPECT_THAT(CodesOf(region, 2), ElementsAre(1, 2));
  EXPECT_EQ(dictionary.ids_of(FacetField::kRegion)[2], dadu);
  EXPECT_THAT(region.live, ElementsAre(1, 2, 1));
  EXPECT_THAT(CodesOf(*columns.column(FacetField::kDate), 2), ElementsAre(0));
  EXPECT_EQ(columns.documents(), 3u);
  EXPECT_TRUE(Live(columns, 0) && Live(columns, 1) && Live(columns, 2));
}

TEST(FacetColumnsTest, ADeadDocumentKeepsItsCodesButNotItsCounts) {
  ValueDictionary dictionary;
  FacetColumns columns;
  const uint32_t zhong =
      dictionary.Intern({FacetField::kRegion, "忠县", "忠县"});
  columns.Add(0, {zhong}, dictionary);
  // A restored index's dead document: no values, never live.
  columns.AddDead(1);
  columns.Add(2, {zhong}, dictionary);
  for (uint32_t doc = 3; doc < 70; ++doc) columns.Add(doc, {}, dictionary);
  columns.Remove(0);

  const FacetColumns::Column& region = *columns.column(FacetField::kRegion);
  EXPECT_THAT(region.live, ElementsAre(1));
  EXPECT_THAT(CodesOf(region, 0), ElementsAre(0));
  EXPECT_THAT(CodesOf(region, 1), IsEmpty());
  EXPECT_FALSE(Live(columns, 0));
  EXPECT_FALSE(Live(columns, 1));
  EXPECT_TRUE(Live(columns, 2));
  EXPECT_TRUE(Live(columns, 69));
  EXPECT_EQ(columns.live_bits().size(), 2u);
  EXPECT_GT(columns.MemoryBytes(), 0u);
}

TEST(FacetColumnsTest, ShrinkingGivesBackSlackAndKeepsEveryCode) {
  ValueDictionary dictionary;
  FacetColumns columns;
  const uint32_t zhong =
      dictionary.Intern({FacetField::kRegion, "忠县", "忠县"});
  const uint32_t jiang =
      dictionary.Intern({FacetField::kRegion, "江北区", "江北区"});
  // 1,025 documents: every table has just doubled past its contents.
  for (uint32_t doc = 0; doc < 1025; ++doc) {
    columns.Add(doc, {doc % 2 == 0 ? zhong : jiang}, dictionary);
  }
  columns.Remove(3);
  const size_t before = columns.MemoryBytes();
  columns.ShrinkToFit();
  EXPECT_LT(columns.MemoryBytes(), before);

  const FacetColumns::Column& region = *columns.column(FacetField::kRegion);
  EXPECT_EQ(region.offsets.capacity(), region.offsets.size());
  EXPECT_EQ(region.codes.capacity(), region.codes.size());
  EXPECT_THAT(region.live, ElementsAre(513, 511));
  EXPECT_THAT(CodesOf(region, 1024), ElementsAre(0));
  EXPECT_THAT(CodesOf(region, 3), ElementsAre(1));
  EXPECT_FALSE(Live(columns, 3));
  EXPECT_TRUE(Live(columns, 1024));
  // And grows again after it.
  columns.Add(1025, {jiang}, dictionary);
  EXPECT_THAT(CodesOf(region, 1025), ElementsAre(1));
  EXPECT_THAT(region.live, ElementsAre(513, 512));
}

}  // namespace
}  // namespace bulletin
