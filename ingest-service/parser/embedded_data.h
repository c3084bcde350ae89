// The data files under data/ (gazetteer, surnames, titles, organization
// patterns), compiled into the library by cmake/embed_files.cmake so that
// binaries need no data path at run time.
//
//   std::optional<std::string_view> titles =
//       bulletin::parser::EmbeddedDataFile("titles.txt");
//
// The returned views point at static storage and live for the whole program;
// thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_EMBEDDED_DATA_H_
#define BULLETIN_INGEST_SERVICE_PARSER_EMBEDDED_DATA_H_

#include <optional>
#include <string_view>

namespace bulletin::parser {

// The contents of data/<name>, or nullopt when no such file was embedded.
std::optional<std::string_view> EmbeddedDataFile(std::string_view name);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_EMBEDDED_DATA_H_
