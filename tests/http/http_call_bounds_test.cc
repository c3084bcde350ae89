// The grpc-timeout header an HTTP/JSON call's deadline comes from
// (common/http/http_call_bounds.h).

#include "common/http/http_call_bounds.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(ParseGrpcTimeoutTest, ReadsEachUnit) {
  EXPECT_EQ(*ParseGrpcTimeout("2H"), absl::Hours(2));
  EXPECT_EQ(*ParseGrpcTimeout("3M"), absl::Minutes(3));
  EXPECT_EQ(*ParseGrpcTimeout("10S"), absl::Seconds(10));
  EXPECT_EQ(*ParseGrpcTimeout("500m"), absl::Milliseconds(500));
  EXPECT_EQ(*ParseGrpcTimeout("7u"), absl::Microseconds(7));
  EXPECT_EQ(*ParseGrpcTimeout("99999999n"), absl::Nanoseconds(99999999));
}

TEST(ParseGrpcTimeoutTest, RefusesWhatIsNotTheWireFormat) {
  for (const char* bad :
       {"", "S", "10", "10s", "1.5S", "-1S", "123456789S", " 1S", "1 S"}) {
    absl::StatusOr<absl::Duration> parsed = ParseGrpcTimeout(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace bulletin
