// Reading the parser's test data (testdata/), shared by its tests.
//
//   std::string seed = bulletin::parser_testing::ReadTestData("seed_000.txt");
//
// Thread-safe: pure functions over files that do not change.

#ifndef BULLETIN_TESTS_PARSER_TEST_FILES_H_
#define BULLETIN_TESTS_PARSER_TEST_FILES_H_

#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace bulletin::parser_testing

#endif  // BULLETIN_TESTS_PARSER_TEST_FILES_H_
