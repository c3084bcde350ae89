#include "tests/testing/submit_storm.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace bulletin::testing {

std::vector<std::string> NumberedTexts(int count, const std::string& batch) {
  std::vector<std::string> texts;
  for (int i = 0; i < count; ++i) {
    texts.push_back(absl::StrCat("第", batch, "-", i, "号快讯\n",
                                 "江津区政协召开会议,学习第", batch, "-", i,
                                 "期材料。\n(记者 张三)\n"));
  }
  return texts;
}

SubmitStorm::SubmitStorm(std::vector<std::string> addresses,
                         std::vector<std::string> texts, int threads,
                         absl::Duration pace)
    : addresses_(std::move(addresses)),
      texts_(std::move(texts)),
      thread_count_(threads),
      pace_(pace),
      acked_(texts_.size()) {}

SubmitStorm::~SubmitStorm() { Join(); }

void SubmitStorm::Start() {
  for (int t = 0; t < thread_count_; ++t) {
    threads_.emplace_back([this, t] { Submitter(t, thread_count_); });
  }
}

void SubmitStorm::Join() {
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

absl::Status SubmitStorm::AwaitDone(int count, absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (done() < count) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "only ", done(), " of ", count, " texts acknowledged (", retries(),
          " retries) after ", absl::FormatDuration(timeout)));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::OkStatus();
}

void SubmitStorm::Submitter(int first, int step) {
  // Each submitter has its own channels, as separate clients would.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  std::vector<std::unique_ptr<v1::IngestService::Stub>> stubs;
  for (const std::string& address : addresses_) {
    stubs.push_back(v1::IngestService::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), arguments)));
  }
  size_t next_stub = static_cast<size_t>(first) % stubs.size();
  absl::Time next_start = absl::Now();
  for (size_t i = first; i < texts_.size() && !stopping_; i += step) {
    absl::SleepFor(next_start - absl::Now());
    next_start = std::max(next_start + pace_, absl::Now());
    v1::SubmitRequest request;
    request.set_content(texts_[i]);
    for (;;) {
      if (failed_) return;
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
      context.set_wait_for_ready(true);
      v1::SubmitResponse response;
      grpc::Status status =
          stubs[next_stub]->Submit(&context, request, &response);
      if (status.ok()) {
        acked_[i] = Acked{response.id(), response.seq(), absl::Now()};
        ++done_;
        break;
      }
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        if (!failed_.exchange(true)) {
          fatal_ = absl::StrCat("text ", i, ": ", status.error_message());
        }
        return;
      }
      ++retries_;
      next_stub = (next_stub + 1) % stubs.size();
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

}  // namespace bulletin::testing
