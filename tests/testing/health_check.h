// gRPC health of a service under test (grpc.health.v1), for tests and
// benchmarks that start the real binaries.
//
//   std::string now = bulletin::testing::HealthOf("127.0.0.1:50051");
//   absl::Status ready = bulletin::testing::WaitUntilServing(
//       "127.0.0.1:50051", absl::Seconds(30));
//
// Thread-safety: free functions, safe from any thread.

#ifndef BULLETIN_TESTS_TESTING_HEALTH_CHECK_H_
#define BULLETIN_TESTS_TESTING_HEALTH_CHECK_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"

namespace bulletin::testing {

// Health of the server at `address` as a whole (or of `service`) now:
// "SERVING", "NOT_SERVING", or "error: ..." when the call failed.
std::string HealthOf(const std::string& address,
                     const std::string& service = "",
                     const std::shared_ptr<grpc::ChannelCredentials>&
                         credentials = grpc::InsecureChannelCredentials());

// Waits until HealthOf(address) is SERVING; DEADLINE_EXCEEDED (with the
// last answer) after `timeout`.
absl::Status WaitUntilServing(
    const std::string& address, absl::Duration timeout,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials =
        grpc::InsecureChannelCredentials());

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_HEALTH_CHECK_H_
