// Reading the parser's test data (testdata/), shared by its tests.
//
//   std::string seed = bulletin::parser_testing::ReadTestData("seed_000.txt");
//   for (const std::string& name : TestDataFiles("variants")) ...
//
// Thread-safe: pure functions over files that do not change.

#ifndef BULLETIN_TESTS_PARSER_TEST_FILES_H_
#define BULLETIN_TESTS_PARSER_TEST_FILES_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace bulletin::parser_testing {

// The bytes of testdata/<name>; empty when the file is missing, which the
// tests then report as a mismatch.
inline std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(BULLETIN_PARSER_TESTDATA) + "/" + name,
                   std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The names of the files in testdata/<dir>, sorted, each as "<dir>/<name>"
// for ReadTestData: every bulletin there, so a new one is checked without
// listing it anywhere.
inline std::vector<std::string> TestDataFiles(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(BULLETIN_PARSER_TESTDATA) + "/" + dir)) {
    if (entry.is_regular_file()) {
      names.push_back(dir + "/" + entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace bulletin::parser_testing

#endif  // BULLETIN_TESTS_PARSER_TEST_FILES_H_
