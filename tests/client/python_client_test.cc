// The Python client (tests/client/python_client.py) against the real
// services: Debian's python3 with python3-grpcio, stubs generated from the
// protos at test time.

#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"
#include "tests/testing/child_process.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

TEST(PythonClientTest, SubmitsRetriesGetsAndSearches) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  absl::StatusOr<CommandResult> result =
      RunCommand({DEBIAN_PYTHON, PYTHON_CLIENT, pair.ingest_address(),
                  pair.query_address(), PROTOC, GRPC_PYTHON_PLUGIN,
                  BULLETIN_PROTO_DIR, GOOGLE_PROTOS_DIR},
                 pair.scratch_dir(), absl::Minutes(2));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->exit_code, 0) << result->out << result->err;
  EXPECT_THAT(result->out, HasSubstr("result=WRITE_RESULT_CREATED"));
  EXPECT_THAT(result->out, HasSubstr("retry answered with the first outcome"));
  EXPECT_THAT(result->out, HasSubstr("got headline=万州区人大常委会召开会议 "
                                     "source=python-client"));
  EXPECT_THAT(result->out, HasSubstr("search total_hits=1"));
  EXPECT_THAT(result->out, HasSubstr("unknown id: NOT_FOUND"));
}

}  // namespace
}  // namespace bulletin::testing
