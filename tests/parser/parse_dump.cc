// Prints the record ParseSubmission makes of a file as pretty proto3 JSON:
// how the golden files in testdata/ are made and reviewed.
//
//   parse_dump testdata/seed_000.txt > testdata/seed_000.golden.json

#include <fstream>
#include <iostream>
#include <sstream>

#include "common/record/json.h"
#include "ingest-service/parser/parse_submission.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: parse_dump FILE\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::cerr << "parse_dump: cannot open " << argv[1] << "\n";
    return 1;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  absl::StatusOr<bulletin::ParsedSubmission> parsed =
      bulletin::ParseSubmission(bytes.str(), bulletin::ParseOptions());
  if (!parsed.ok()) {
    std::cerr << "parse_dump: " << parsed.status() << "\n";
    return 1;
  }
  std::cout << bulletin::ToJson(parsed->bulletin, {.pretty = true}) << "\n";
  return 0;
}
