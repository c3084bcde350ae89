// The installed C++ package as another team uses it: `cmake --install`
// of component `client` into a temporary prefix, an out-of-tree CMake
// project (tests/client/consumer) that finds it with
// find_package(bulletin CONFIG) and links bulletin::client, built and run
// against the real services.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"
#include "tests/testing/child_process.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

// Builds are slow on a busy two-core machine; these bound a hung step.
constexpr absl::Duration kStepTimeout = absl::Minutes(5);

// Runs `argv` and fails the test with its output unless it exits 0.
void MustRun(const std::vector<std::string>& argv, const std::string& scratch,
             CommandResult* result = nullptr) {
  absl::StatusOr<CommandResult> run = RunCommand(argv, scratch, kStepTimeout);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0)
      << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << "\n"
      << run->out << run->err;
  if (result != nullptr) *result = *run;
}

TEST(InstalledPackageTest, OutOfTreeProjectBuildsAgainstItAndCallsTheServices) {
  ServicePair pair;
  const std::string prefix = pair.scratch_dir() + "/prefix";
  const std::string consumer_build = pair.scratch_dir() + "/consumer";
  MustRun({CMAKE_COMMAND_PATH, "--install", BULLETIN_BUILD_DIR, "--prefix",
           prefix, "--component", "client"},
          pair.scratch_dir());
  MustRun({CMAKE_COMMAND_PATH, "-S", CONSUMER_SOURCE_DIR, "-B", consumer_build,
           "-G", "Ninja", absl::StrCat("-DCMAKE_PREFIX_PATH=", prefix),
           absl::StrCat("-DCMAKE_CXX_COMPILER=", CXX_COMPILER),
           absl::StrCat("-DCMAKE_CXX_FLAGS=", CONSUMER_CXX_FLAGS)},
          pair.scratch_dir());
  MustRun({CMAKE_COMMAND_PATH, "--build", consumer_build}, pair.scratch_dir());

  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  CommandResult result;
  MustRun({consumer_build + "/consumer", pair.ingest_address(),
           pair.query_address()},
          pair.scratch_dir(), &result);
  EXPECT_THAT(result.out, HasSubstr("result=WRITE_RESULT_CREATED"));
  EXPECT_THAT(result.out, HasSubstr("repeat answered with the first outcome"));
  EXPECT_THAT(result.out, HasSubstr("got headline=区县政协组织学习会议"));
  EXPECT_THAT(result.out, HasSubstr("search total_hits=1"));
}

}  // namespace
}  // namespace bulletin::testing
