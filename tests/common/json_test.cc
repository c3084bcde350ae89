#include "common/record/json.h"

#include <cmath>
#include <limits>

#include "bulletin/v1/bulletin.pb.h"
#include "bulletin/v1/ingest.pb.h"
#include "bulletin/v1/query.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
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

// ToJson prints straight from reflection; protobuf's own printer, with the
// same options, is the reference it must match byte for byte.
std::string Reference(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(message, &out, options).ok());
  return out;
}

TEST(JsonTest, PrintsAsProtobufsOwnPrinterDoes) {
  v1::Bulletin record;
  record.set_id("5015a53f3f76cdc6");
  record.set_seq(std::numeric_limits<uint64_t>::max());
  record.set_kicker("为新时代新征程汇聚力量");
  record.set_headline("区(市)县 \"引号\" \\ 反斜杠 <b>&'标签'</b>");
  record.set_lead(std::string("tab\there\nnew line\r\b\f\x01\x1f\x7f end"));
  record.set_subtitle("line\u2028sep\u2029para 😀 \u00e9");
  record.mutable_series()->set_part(-3);
  record.set_ingested_at_micros(-1234567890123);
  v1::Item* item = record.add_items();
  item->mutable_organization()->set_name("大渡口区政协党组");
  item->mutable_organization()->set_kind(v1::Organization::CPPCC);
  item->add_officials()->add_titles("主席");
  record.add_items();
  record.add_people()->set_name("王君成");
  record.add_warnings()->set_line(7);
  EXPECT_EQ(ToJson(record), Reference(record));
  EXPECT_EQ(ToJson(v1::Bulletin()), Reference(v1::Bulletin()));

  v1::SearchResponse response;
  response.set_total_hits(-5);
  for (double score : {0.0, 1.5, 2.033857181606129, 1.0 / 3, 1e-7, 1e300, -0.0,
                       123456789012345678.0, 5e-324}) {
    v1::Hit* hit = response.add_hits();
    hit->set_score(score);
    hit->add_item_indexes(-1);
    hit->add_item_indexes(2);
  }
  *response.mutable_hits(0)->mutable_bulletin() = record;
  response.add_facets()->add_values()->set_count(9);
  EXPECT_EQ(ToJson(response), Reference(response));

  v1::SubmitRequest bytes;
  bytes.set_content(std::string("\0\xff\xfe binary", 10));
  EXPECT_EQ(ToJson(bytes), Reference(bytes));
  v1::SearchRequest request;
  request.set_order(v1::SearchRequest::RECENCY);
  request.mutable_filters()->add_organization_kinds(v1::Organization::OTHER);
  request.set_include_bulletins(true);
  EXPECT_EQ(ToJson(request), Reference(request));
}

TEST(JsonTest, PrintsSpecialDoublesAsProtobufDoes) {
  v1::Hit hit;
  hit.set_score(std::numeric_limits<double>::infinity());
  EXPECT_EQ(ToJson(hit), Reference(hit));
  hit.set_score(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(ToJson(hit), Reference(hit));
  hit.set_score(std::nan(""));
  EXPECT_EQ(ToJson(hit), Reference(hit));
}

TEST(JsonTest, RejectsUnknownFields) {
  v1::Bulletin parsed;
  absl::Status status = FromJson("{\"no_such_field\":1}", &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
