// ReadWholeFile tells a missing file from one this process may not read, so
// that a Secret mounted without the pod's fsGroup is reported as the
// permission problem it is.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "common/server/tls.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

class ReadWholeFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/read_file_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // Others may enter the directory, so an unprivileged reader reaches
    // the file and meets its own mode.
    chmod(dir_.c_str(), 0755);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

TEST_F(ReadWholeFileTest, AMissingFileIsNotFound) {
  absl::StatusOr<std::string> read = ReadWholeFile(dir_ + "/absent");
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr("/absent"));
}

TEST_F(ReadWholeFileTest, AnUnreadableFileIsPermissionDenied) {
  const std::string path = dir_ + "/ca.crt";
  std::ofstream(path) << "secret";
  ASSERT_EQ(chmod(path.c_str(), 0000), 0);
  // Root reads anything: read as an unprivileged user in a child, which
  // reports the code it got as its exit status.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
      _exit(100);
    }
    absl::StatusOr<std::string> read = ReadWholeFile(path);
    const bool names_the_fix =
        read.status().message().find("fsGroup") != absl::string_view::npos;
    _exit(names_the_fix ? static_cast<int>(read.status().code()) : 101);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status),
            static_cast<int>(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace bulletin
