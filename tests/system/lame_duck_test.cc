// Lame duck on the real binaries: after SIGTERM a service reports
// NOT_SERVING at once, yet answers every call, in flight or new, for
// --lame_duck_period; only then does it drain and exit cleanly. Callers here
// behave like a load balancer that needs a moment to notice NOT_SERVING.

#include <signal.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

// Long enough that the callers below, which stop a second after they see
// NOT_SERVING, never reach the drain; the test takes about this long.
constexpr char kLameDuck[] = "--lame_duck_period=4s";

// Calls `call` in a loop on its own thread until Stop, counting failures.
class Caller {
 public:
  explicit Caller(std::function<grpc::Status()> call)
      : thread_([this, call = std::move(call)] {
          while (!stop_) {
            const grpc::Status status = call();
            ++calls_;
            if (!status.ok()) {
              ++failures_;
              last_error_ = status.error_message();
            }
          }
        }) {}
  ~Caller() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int calls() const { return calls_; }
  int failures() const { return failures_; }
  // Read after Stop.
  const std::string& last_error() const { return last_error_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> failures_{0};
  std::string last_error_;
  std::thread thread_;
};

// SIGTERMs `child`, waits until `address` reports NOT_SERVING, and lets the
// callers go on for one more second, as a balancer would.
void TerminateAndKeepCalling(ServicePair& pair, ChildProcess& child,
                             const std::string& address) {
  ASSERT_EQ(kill(child.pid(), SIGTERM), 0);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (pair.HealthOf(address) != "NOT_SERVING") {
    ASSERT_LT(absl::Now(), deadline) << "never reported NOT_SERVING";
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Seconds(1));
}

TEST(LameDuckTest, QueryAnswersEveryCallThroughSigterm) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery({kLameDuck}).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  auto channel = grpc::CreateChannel(pair.query_address(),
                                     grpc::InsecureChannelCredentials());
  auto query = v1::QueryService::NewStub(channel);
  auto ingest = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));

  // In flight across the signal: waits for a seq not yet written.
  v1::SearchResponse waited;
  grpc::Status waited_status;
  std::thread in_flight([&] {
    v1::SearchRequest request;
    request.set_query("快讯");
    request.set_min_seq(1);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    waited_status = query->Search(&context, request, &waited);
  });
  Caller caller([&] {
    v1::SearchRequest request;
    request.set_query("政协");
    v1::SearchResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return query->Search(&context, request, &response);
  });

  TerminateAndKeepCalling(pair, *pair.query(), pair.query_address());
  caller.Stop();
  // Written during the lame duck (or, on a slow machine, the drain, which
  // still finishes calls in flight): the waiting call sees it and completes.
  v1::SubmitRequest submit;
  submit.set_content("第1号快讯\n江津区政协召开会议。\n");
  v1::SubmitResponse submitted;
  grpc::ClientContext submit_context;
  ASSERT_TRUE(ingest->Submit(&submit_context, submit, &submitted).ok());
  in_flight.join();

  EXPECT_TRUE(waited_status.ok()) << waited_status.error_message();
  EXPECT_EQ(waited.total_hits(), 1);
  EXPECT_GT(caller.calls(), 0);
  EXPECT_EQ(caller.failures(), 0) << caller.last_error();
  absl::StatusOr<int> exit_code = pair.query()->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  EXPECT_THAT(FileTail(pair.query()->log_path()),
              ::testing::HasSubstr("\"event\":\"lame_duck\""));
}

TEST(LameDuckTest, IngestAcceptsEverySubmitThroughSigterm) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest(0, {kLameDuck}).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.ingest_address()).ok());
  auto ingest = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));
  std::atomic<int> next{0};
  Caller caller([&] {
    const int n = next++;
    v1::SubmitRequest request;
    request.set_content(absl::StrCat(
        "第", n, "号快讯\n江津区政协召开会议,学习第", n, "期。\n"));
    v1::SubmitResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return ingest->Submit(&context, request, &response);
  });

  TerminateAndKeepCalling(pair, *pair.ingest(), pair.ingest_address());
  caller.Stop();

  EXPECT_GT(caller.calls(), 0);
  EXPECT_EQ(caller.failures(), 0) << caller.last_error();
  absl::StatusOr<int> exit_code = pair.ingest()->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
}

}  // namespace
}  // namespace bulletin::testing
