// SetFieldFromText: query parameters and path variables into request
// fields.

#include "common/http/field_path.h"

#include "bulletin/v1/ingest.pb.h"
#include "bulletin/v1/query.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(FieldPathTest, SetsScalarsNestedAndRepeatedFields) {
  v1::SearchRequest request;
  ASSERT_TRUE(SetFieldFromText("query", "政协", &request).ok());
  ASSERT_TRUE(SetFieldFromText("limit", "20", &request).ok());
  ASSERT_TRUE(
      SetFieldFromText("min_seq", "18446744073709551615", &request).ok());
  ASSERT_TRUE(SetFieldFromText("include_bulletins", "true", &request).ok());
  ASSERT_TRUE(SetFieldFromText("filters.regions", "忠县", &request).ok());
  ASSERT_TRUE(SetFieldFromText("filters.regions", "江津区", &request).ok());
  ASSERT_TRUE(
      SetFieldFromText("filters.date_from", "2021-11-01", &request).ok());
  EXPECT_EQ(request.query(), "政协");
  EXPECT_EQ(request.limit(), 20);
  EXPECT_EQ(request.min_seq(), 18446744073709551615u);
  EXPECT_TRUE(request.include_bulletins());
  EXPECT_THAT(request.filters().regions(), ElementsAre("忠县", "江津区"));
  EXPECT_EQ(request.filters().date_from(), "2021-11-01");
}

// A read_mask parameter is a FieldMask as JSON writes one: comma-separated
// paths, in lowerCamelCase or as the proto names.
TEST(FieldPathTest, SetsAFieldMaskFromCommaSeparatedPaths) {
  v1::GetRequest camel;
  ASSERT_TRUE(
      SetFieldFromText("read_mask", "sourceText,headline", &camel).ok());
  EXPECT_THAT(camel.read_mask().paths(),
              ElementsAre("source_text", "headline"));
  v1::GetRequest snake;
  ASSERT_TRUE(SetFieldFromText("read_mask", "source_text,items", &snake).ok());
  EXPECT_THAT(snake.read_mask().paths(), ElementsAre("source_text", "items"));
}

TEST(FieldPathTest, SetsEnumsByNameOrNumber) {
  v1::SearchRequest request;
  ASSERT_TRUE(SetFieldFromText("order", "RECENCY", &request).ok());
  EXPECT_EQ(request.order(), v1::SearchRequest::RECENCY);
  ASSERT_TRUE(SetFieldFromText("order", "0", &request).ok());
  EXPECT_EQ(request.order(), v1::SearchRequest::RELEVANCE);
  ASSERT_TRUE(
      SetFieldFromText("filters.organization_kinds", "CPPCC", &request).ok());
  EXPECT_THAT(request.filters().organization_kinds(),
              ElementsAre(v1::Organization::CPPCC));
}

TEST(FieldPathTest, DecodesBytesFromBase64) {
  v1::SubmitRequest request;
  ASSERT_TRUE(SetFieldFromText("content", "5pS/5Y2P", &request).ok());
  EXPECT_EQ(request.content(), "政协");
  EXPECT_EQ(SetFieldFromText("content", "%%%", &request).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FieldPathTest, NamesTheParameterThatIsWrong) {
  v1::SearchRequest request;
  absl::Status unknown = SetFieldFromText("nope", "1", &request);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("nope"));
  absl::Status bad_number = SetFieldFromText("limit", "ten", &request);
  EXPECT_EQ(bad_number.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_number.message(), HasSubstr("limit='ten'"));
  EXPECT_EQ(SetFieldFromText("order", "SIDEWAYS", &request).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetFieldFromText("filters", "x", &request).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetFieldFromText("query.deeper", "x", &request).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SetFieldFromText("min_seq", "-1", &request).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin
