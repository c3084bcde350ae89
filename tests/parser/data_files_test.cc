// Loading the parser's data fails, with the file and line, on a missing
// file or a malformed entry, instead of yielding an empty or default value.

#include "ingest-service/parser/data_files.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/parser/embedded_data.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
#include "ingest-service/parser/parse_submission.h"

namespace bulletin::parser {
namespace {

using ::testing::HasSubstr;

// The embedded files with some replaced or removed.
class FakeFiles {
 public:
  FakeFiles& Replace(std::string name, std::string contents) {
    replaced_[std::move(name)] = std::move(contents);
    return *this;
  }
  FakeFiles& Remove(std::string name) {
    removed_.push_back(std::move(name));
    return *this;
  }
  DataFiles Files() const {
    return [this](std::string_view name) -> std::optional<std::string_view> {
      for (const std::string& r : removed_) {
        if (r == name) return std::nullopt;
      }
      auto it = replaced_.find(std::string(name));
      if (it != replaced_.end()) return std::string_view(it->second);
      return EmbeddedDataFile(name);
    };
  }

 private:
  std::map<std::string, std::string> replaced_;
  std::vector<std::string> removed_;
};

TEST(DataFilesTest, TheEmbeddedDataLoads) {
  EXPECT_TRUE(LoadParserData().ok());
  EXPECT_TRUE(LoadLexicon(EmbeddedDataFiles()).ok());
  EXPECT_TRUE(Gazetteer::Load(EmbeddedDataFiles()).ok());
}

TEST(DataFilesTest, LinesAreNumberedAsInTheFile) {
  FakeFiles fake;
  fake.Replace("x.txt", "# comment\n\n甲\n乙  \n");
  absl::StatusOr<std::vector<DataLine>> lines =
      ReadDataLines(fake.Files(), "x.txt");
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].number, 3);
  EXPECT_EQ((*lines)[1].number, 4);
  EXPECT_EQ((*lines)[1].text, "乙");
}

TEST(DataFilesTest, AMissingFileIsNamed) {
  for (const char* file :
       {"titles.txt", "event_verbs.tsv", "verbs.txt", "zone_types.tsv"}) {
    FakeFiles fake;
    fake.Remove(file);
    absl::Status s = LoadLexicon(fake.Files()).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << file;
    EXPECT_THAT(s.message(), HasSubstr(std::string("data/") + file));
  }
  FakeFiles no_regions;
  no_regions.Remove("regions.tsv");
  absl::Status s = Gazetteer::Load(no_regions.Files()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("data/regions.tsv is missing"));
}

TEST(DataFilesTest, AnUnknownKindIsReportedWithFileAndLine) {
  FakeFiles verbs;
  verbs.Replace("event_verbs.tsv", "# kinds\n召开\tevent\n学习\tlearn\n");
  absl::Status s = LoadLexicon(verbs.Files()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("data/event_verbs.tsv:3: unknown kind \"learn\""));

  FakeFiles kinds;
  kinds.Replace("organization_kinds.tsv", "政协\tCPPCC\n人大\tCONGRESS\n");
  s = LoadLexicon(kinds.Files()).status();
  EXPECT_THAT(s.message(),
              HasSubstr("data/organization_kinds.tsv:2: unknown kind "
                        "\"CONGRESS\""));

  FakeFiles missing_field;
  missing_field.Replace("event_verbs.tsv", "召开\n");
  EXPECT_THAT(LoadLexicon(missing_field.Files()).status().message(),
              HasSubstr("data/event_verbs.tsv:1: want a verb and its kind"));
}

TEST(DataFilesTest, AMalformedRegionIsReportedWithFileAndLine) {
  FakeFiles level;
  level.Replace("regions.tsv",
                "110000\tP\t北京市\t北京市\n110101\tX\t东城区\t北京市\n");
  absl::Status s = Gazetteer::Load(level.Files()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr("data/regions.tsv:2: unknown level \"X\""));
  FakeFiles code;
  code.Replace("regions.tsv", "11000\tP\t北京市\t北京市\n");
  EXPECT_THAT(Gazetteer::Load(code.Files()).status().message(),
              HasSubstr("data/regions.tsv:1: the code is not six digits"));
}

}  // namespace
}  // namespace bulletin::parser
