// A temporary directory for one test, removed with everything in it when the
// object goes out of scope.
//
//   bulletin::testing::TempDir dir;
//   std::string log_dir = dir.path() + "/log";
//
// Thread-safety: not shared between threads.

#ifndef BULLETIN_TESTS_TESTING_TEMP_DIR_H_
#define BULLETIN_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace bulletin::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_TEMP_DIR_H_
