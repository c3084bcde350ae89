#include "common/log/json_log.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(JsonQuoteTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
  EXPECT_EQ(JsonQuote("政协"), "\"政协\"");
}

TEST(LogValueTest, RendersNumbersAndBooleansUnquoted) {
  EXPECT_EQ(LogValue(uint64_t{42}).json(), "42");
  EXPECT_EQ(LogValue(-3).json(), "-3");
  EXPECT_EQ(LogValue(true).json(), "true");
  EXPECT_EQ(LogValue("x").json(), "\"x\"");
}

TEST(JsonLogTest, WritesOneJsonObjectPerLine) {
  testing::internal::CaptureStderr();
  LogInfo("submit_acked", {{"id", "abc"}, {"seq", uint64_t{7}}});
  const std::string line = testing::internal::GetCapturedStderr();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find("\"level\":\"info\",\"event\":\"submit_acked\","
                      "\"id\":\"abc\",\"seq\":7}"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0u) << line;
}

}  // namespace
}  // namespace bulletin
