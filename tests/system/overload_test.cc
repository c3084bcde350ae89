// Load beyond capacity on the real binaries is refused early with
// RESOURCE_EXHAUSTED and a message saying which limit and when to retry,
// while the calls admitted succeed: Submit and Parse past
// --max_concurrent_writes, Watch streams past --max_watch_streams.

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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

using ::testing::HasSubstr;

// The number of threads of process `pid` (from /proc), or -1.
int ThreadsOf(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    int threads = 0;
    if (absl::StartsWith(line, "Threads:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)),
                         &threads)) {
      return threads;
    }
  }
  return -1;
}

TEST(OverloadTest, WritesPastTheConcurrencyLimitAreRefusedWithAdvice) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest(0, {"--max_concurrent_writes=1"}).ok());
  auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));
  std::string content;
  for (int i = 0; i < 20; ++i) {
    absl::StrAppend(&content, ReadExample("chongqing-cppcc-roundup.txt"));
  }
  // Sixteen callers at once against room for one: most overlap.
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::string refusal;
  std::vector<std::thread> callers;
  const absl::Time start = absl::Now();
  for (int caller = 0; caller < 16; ++caller) {
    callers.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        v1::ParseRequest request;
        request.set_content(content);
        v1::ParseResponse response;
        grpc::ClientContext context;
        context.set_deadline(
            absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
        const grpc::Status status = stub->Parse(&context, request, &response);
        if (status.ok()) {
          ++admitted;
        } else if (status.error_code() ==
                   grpc::StatusCode::RESOURCE_EXHAUSTED) {
          if (refused++ == 0) refusal = status.error_message();
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  const int64_t seconds = absl::ToInt64Seconds(absl::Now() - start) + 1;
  EXPECT_EQ(other, 0);
  EXPECT_GT(admitted, 0);
  ASSERT_GT(refused, 0) << "sixteen callers never overlapped";
  EXPECT_THAT(refusal,
              HasSubstr("limit of 1 Submit and Parse calls running at once"));
  EXPECT_THAT(refusal, HasSubstr("retry after"));
  // Refusals are logged at most once a second, not once a call.
  const std::string log = FileTail(pair.ingest()->log_path(), 1 << 20);
  int logged = 0;
  for (size_t at = log.find("\"code\":\"RESOURCE_EXHAUSTED\"");
       at != std::string::npos;
       at = log.find("\"code\":\"RESOURCE_EXHAUSTED\"", at + 1)) {
    ++logged;
  }
  EXPECT_GE(logged, 1);
  EXPECT_LE(logged, seconds + 1);
}

TEST(OverloadTest, WatchStreamsPastTheLimitAreRefused) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery({"--max_watch_streams=2"}).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  auto stub = v1::QueryService::NewStub(grpc::CreateChannel(
      pair.query_address(), grpc::InsecureChannelCredentials()));
  v1::WatchRequest request;
  request.set_query("政协");

  // A stream is registered once its initial metadata arrives.
  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader;
  };
  auto open = [&] {
    auto stream = std::make_unique<Stream>();
    stream->context.set_deadline(
        absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    stream->reader = stub->Watch(&stream->context, request);
    stream->reader->WaitForInitialMetadata();
    return stream;
  };
  std::unique_ptr<Stream> first = open();
  std::unique_ptr<Stream> second = open();
  std::unique_ptr<Stream> third = open();
  const grpc::Status refused = third->reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("limit of 2 Watch streams"));

  // Ending one makes room for another.
  first->context.TryCancel();
  first->reader->Finish().IgnoreError();
  absl::Status admitted = absl::DeadlineExceededError("never admitted");
  for (int attempt = 0; attempt < 100 && !admitted.ok(); ++attempt) {
    std::unique_ptr<Stream> next = open();
    // An admitted stream stays open: cancel it and look at how it ended.
    next->context.TryCancel();
    const grpc::Status ended = next->reader->Finish();
    admitted = ended.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED
                   ? absl::ResourceExhaustedError(ended.error_message())
                   : absl::OkStatus();
    if (!admitted.ok()) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(admitted.ok()) << admitted;
  second->context.TryCancel();
  second->reader->Finish().IgnoreError();
}

// Open Watch streams hold no thread each (the synchronous API held one per
// stream: 2,000 streams, 2,022 threads), and every one of them still gets
// its matches.
TEST(OverloadTest, WatchStreamsDoNotEachHoldAThread) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery({"--max_watch_streams=1000"}).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  auto channel = grpc::CreateChannel(pair.query_address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::QueryService::NewStub(channel);
  v1::WatchRequest request;
  request.set_query("政协");
  struct Stream {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader;
  };
  constexpr int kStreams = 300;
  std::vector<std::unique_ptr<Stream>> streams;
  for (int i = 0; i < kStreams; ++i) {
    auto stream = std::make_unique<Stream>();
    stream->context.set_deadline(
        absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    stream->reader = stub->Watch(&stream->context, request);
    // Registered once its initial metadata arrives.
    stream->reader->WaitForInitialMetadata();
    streams.push_back(std::move(stream));
  }
  const int threads = ThreadsOf(pair.query()->pid());
  EXPECT_GT(threads, 0);
  EXPECT_LT(threads, kStreams / 2) << "threads of query-service";

  // A matching bulletin reaches every stream.
  auto ingest = v1::IngestService::NewStub(grpc::CreateChannel(
      pair.ingest_address(), grpc::InsecureChannelCredentials()));
  v1::SubmitRequest submit;
  submit.set_content("第9号快讯\n江津区政协召开会议。\n");
  v1::SubmitResponse submitted;
  grpc::ClientContext submit_context;
  ASSERT_TRUE(ingest->Submit(&submit_context, submit, &submitted).ok());
  for (auto& stream : streams) {
    v1::WatchEvent event;
    ASSERT_TRUE(stream->reader->Read(&event));
    EXPECT_EQ(event.hit().bulletin_id(), submitted.id());
  }
  for (auto& stream : streams) {
    stream->context.TryCancel();
    stream->reader->Finish().IgnoreError();
  }
}

}  // namespace
}  // namespace bulletin::testing
