#include "tests/fault/submit_storm.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace bulletin::testing {

SubmitStorm::SubmitStorm(std::string address, std::vector<std::string> texts,
                         int threads)
    : address_(std::move(address)),
      texts_(std::move(texts)),
      thread_count_(threads),
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

void SubmitStorm::Submitter(int first, int step) {
  // Each submitter has its own channel, as separate clients would.
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  auto stub = v1::IngestService::NewStub(grpc::CreateCustomChannel(
      address_, grpc::InsecureChannelCredentials(), arguments));
  for (size_t i = first; i < texts_.size(); i += step) {
    v1::SubmitRequest request;
    request.set_content(texts_[i]);
    for (;;) {
      if (failed_) return;
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
      context.set_wait_for_ready(true);
      v1::SubmitResponse response;
      grpc::Status status = stub->Submit(&context, request, &response);
      if (status.ok()) {
        acked_[i] = Acked{response.id(), response.seq()};
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
      absl::SleepFor(absl::Milliseconds(20));
    }
  }
}

}  // namespace bulletin::testing
