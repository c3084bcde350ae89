#include "ingest-service/parser/data_files.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ingest-service/parser/embedded_data.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {

DataFiles EmbeddedDataFiles() { return EmbeddedDataFile; }

absl::StatusOr<std::vector<DataLine>> ReadDataLines(const DataFiles& files,
                                                    std::string_view name) {
  std::optional<std::string_view> contents = files(name);
  if (!contents) {
    return absl::NotFoundError(
        absl::StrCat("parser data file data/", ToAbsl(name),
                     " is missing: list it in BULLETIN_PARSER_DATA "
                     "(ingest-service/parser/CMakeLists.txt)"));
  }
  std::vector<DataLine> lines;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(ToAbsl(*contents), '\n')) {
    ++number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    lines.push_back(DataLine{name, number, ToStd(line)});
  }
  return lines;
}

absl::Status DataError(const DataLine& line, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("data/", ToAbsl(line.file), ":", line.number, ": ",
                   ToAbsl(message), ": ", ToAbsl(line.text)));
}

}  // namespace bulletin::parser
