// Which files under a directory hold some bytes: how the takedown tests check
// that a removed text has left every file of a log.
//
//   std::vector<std::string> holding =
//       bulletin::testing::FilesHolding(dir.path(), "removed text");
//   EXPECT_THAT(holding, ::testing::IsEmpty());
//
// Thread-safety: a pure function of the files as it reads them.

#ifndef BULLETIN_TESTS_TESTING_FILE_CONTENTS_H_
#define BULLETIN_TESTS_TESTING_FILE_CONTENTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace bulletin::testing {

// The paths of the regular files under `dir` (recursively) whose bytes
// contain `text`. Files that vanish while it reads are skipped.
std::vector<std::string> FilesHolding(const std::string& dir,
                                      absl::string_view text);

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_FILE_CONTENTS_H_
