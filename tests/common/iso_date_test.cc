#include "common/time/iso_date.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

TEST(IsIsoDateTest, AcceptsCalendarDays) {
  EXPECT_TRUE(IsIsoDate("2021-11-18"));
  EXPECT_TRUE(IsIsoDate("2020-02-29"));
  EXPECT_TRUE(IsIsoDate("2000-02-29"));
  EXPECT_TRUE(IsIsoDate("2021-12-31"));
}

TEST(IsIsoDateTest, RefusesDaysTheMonthDoesNotHave) {
  EXPECT_FALSE(IsIsoDate("2021-02-30"));
  EXPECT_FALSE(IsIsoDate("2021-02-29"));
  EXPECT_FALSE(IsIsoDate("1900-02-29"));
  EXPECT_FALSE(IsIsoDate("2021-04-31"));
  EXPECT_FALSE(IsIsoDate("2021-13-01"));
  EXPECT_FALSE(IsIsoDate("2021-00-10"));
  EXPECT_FALSE(IsIsoDate("2021-01-00"));
  EXPECT_FALSE(IsIsoDate("0000-01-01"));
}

TEST(IsIsoDateTest, RefusesOtherShapes) {
  EXPECT_FALSE(IsIsoDate(""));
  EXPECT_FALSE(IsIsoDate("2021-1-18"));
  EXPECT_FALSE(IsIsoDate("18/11/2021"));
  EXPECT_FALSE(IsIsoDate("2021/11/18"));
  EXPECT_FALSE(IsIsoDate("2021-11-18 "));
  EXPECT_FALSE(IsIsoDate("２０２１-11-18"));
}

TEST(CheckIsoDateTest, EmptyIsNoDateAndFine) {
  EXPECT_TRUE(CheckIsoDate("date", "").ok());
  EXPECT_TRUE(CheckIsoDate("date", "2021-11-18").ok());
}

TEST(CheckIsoDateTest, SaysWhatAndWhy) {
  absl::Status s = CheckIsoDate("date bound", "2021-02-30");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("date bound \"2021-02-30\" is not a calendar date in "
                        "the form YYYY-MM-DD"));
}

}  // namespace
}  // namespace bulletin
