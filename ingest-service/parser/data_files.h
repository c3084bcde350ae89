// Reading the parser's data files (data/, see data/README.md): where they
// come from and their lines, numbered, so that a bad entry is reported with
// its file and line when the data is loaded (at start: LoadParserData in
// parse_submission.h), never turned into an empty or default value.
//
//   DataFiles files = EmbeddedDataFiles();
//   absl::StatusOr<std::vector<DataLine>> lines =
//       ReadDataLines(files, "titles.txt");
//   if (!lines.ok()) return lines.status();  // NOT_FOUND: data file ...
//   for (const DataLine& line : *lines) Use(line.text);
//   // on a bad entry: return DataError(line, "unknown kind \"x\"");
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_DATA_FILES_H_
#define BULLETIN_INGEST_SERVICE_PARSER_DATA_FILES_H_

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulletin::parser {

// The contents of a data file by name ("titles.txt"), or nullopt when there
// is no such file. The views must outlive what is loaded from them.
using DataFiles =
    std::function<std::optional<std::string_view>(std::string_view name)>;

// The files compiled into the library (embed_data.cmake): static storage.
DataFiles EmbeddedDataFiles();

struct DataLine {
  std::string_view file;
  int number = 0;  // 1-based line in the file
  std::string_view text;
};

// The entries of a data file: '#' starts a comment line, blank lines are
// skipped, trailing spaces are trimmed. NOT_FOUND naming the file when
// `files` has no such file.
absl::StatusOr<std::vector<DataLine>> ReadDataLines(const DataFiles& files,
                                                    std::string_view name);

// INVALID_ARGUMENT "data/<file>:<line>: <message>: <text>".
absl::Status DataError(const DataLine& line, std::string_view message);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_DATA_FILES_H_
