#include "common/record/json.h"

#include "bulletin/v1/bulletin.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

TEST(JsonTest, UsesProtoFieldNamesAndPrintsDefaults) {
  v1::Bulletin record;
  record.set_id("5015a53f3f76cdc6");
  record.mutable_series()->set_part(3);
  v1::Item* item = record.add_items();
  item->mutable_organization()->set_name("大渡口区政协党组");
  item->mutable_organization()->set_kind(v1::Organization::CPPCC);
  const std::string json = ToJson(record);
  EXPECT_THAT(json, HasSubstr("\"id\":\"5015a53f3f76cdc6\""));
  EXPECT_THAT(json, HasSubstr("\"series\":{\"name\":\"\",\"part\":3"));
  EXPECT_THAT(json, HasSubstr("\"kind\":\"CPPCC\""));
  EXPECT_THAT(json, HasSubstr("\"source_text\":\"\""));
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

TEST(JsonTest, RoundTrips) {
  v1::Bulletin record;
  record.set_headline("区县政协组织学习贯彻党的十九届六中全会精神");
  record.add_reporters()->set_name("鲜明");
  v1::Bulletin parsed;
  ASSERT_TRUE(FromJson(ToJson(record, {.pretty = true}), &parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), record.SerializeAsString());
}

TEST(JsonTest, RejectsUnknownFields) {
  v1::Bulletin parsed;
  absl::Status status = FromJson("{\"no_such_field\":1}", &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
