#include "common/server/admission.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/server/error_details.h"

namespace bulletin {
namespace {

// Calls are short (a parse, a synced write): a second is many of them.
constexpr char kRetryAdvice[] =
    "retry after about 1 s, backing off exponentially";

std::string Mebibytes(size_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

Admission::Ticket::Ticket(Ticket&& other) noexcept
    : admission_(std::exchange(other.admission_, nullptr)),
      bytes_(other.bytes_),
      caller_(std::move(other.caller_)) {}

Admission::Ticket::~Ticket() {
  if (admission_ != nullptr) admission_->Release(bytes_, caller_);
}

Admission::Admission(std::string what, Limits limits, MetricsRegistry* registry)
    : what_(std::move(what)),
      limits_(limits),
      rejected_(registry == nullptr
                    ? nullptr
                    : registry->AddCounter(
                          "bulletin_admission_rejected_total",
                          "Calls refused with RESOURCE_EXHAUSTED because a "
                          "limit on calls or bytes in flight was reached.",
                          {"grpc_method", "limit"})) {
  if (registry == nullptr) return;
  registry->AddGauge("bulletin_admission_in_flight_calls",
                     "Admission-controlled calls running now.", {}, [this] {
                       return std::vector<GaugeSample>{
                           {{}, static_cast<double>(calls_in_flight())}};
                     });
  registry->AddGauge("bulletin_admission_in_flight_bytes",
                     "Request bytes held by admission-controlled calls now.",
                     {}, [this] {
                       return std::vector<GaugeSample>{
                           {{}, static_cast<double>(bytes_in_flight())}};
                     });
}

absl::StatusOr<Admission::Ticket> Admission::Admit(absl::string_view method,
                                                   size_t bytes,
                                                   absl::string_view caller) {
  std::string refusal;
  const char* limit = nullptr;
  {
    MutexLock lock(&mutex_);
    if (calls_ >= limits_.max_calls) {
      limit = "calls";
      refusal =
          absl::StrCat("the server is at its limit of ", limits_.max_calls, " ",
                       what_, " calls running at once; ", kRetryAdvice);
    } else if (limits_.max_calls_per_caller > 0 &&
               CallsOf(caller) >= limits_.max_calls_per_caller) {
      limit = "caller";
      refusal = absl::StrCat("caller ", caller, " is at its limit of ",
                             limits_.max_calls_per_caller, " ", what_,
                             " calls running at once; ", kRetryAdvice);
    } else if (calls_ > 0 && bytes_ + bytes > limits_.max_bytes) {
      limit = "bytes";
      refusal = absl::StrCat(
          "the server is at its limit of ", Mebibytes(limits_.max_bytes),
          " of ", what_, " requests in flight (", Mebibytes(bytes_),
          " held, this one is ", Mebibytes(bytes), "); ", kRetryAdvice);
    } else {
      ++calls_;
      bytes_ += bytes;
      ++per_caller_[caller];
      return Ticket(this, bytes, std::string(caller));
    }
  }
  if (rejected_ != nullptr) rejected_->Increment({std::string(method), limit});
  return Overloaded(refusal);
}

void Admission::Release(size_t bytes, const std::string& caller) {
  MutexLock lock(&mutex_);
  --calls_;
  bytes_ -= bytes;
  auto it = per_caller_.find(caller);
  if (--it->second == 0) per_caller_.erase(it);
}

size_t Admission::CallsOf(absl::string_view caller) const {
  auto it = per_caller_.find(caller);
  return it == per_caller_.end() ? 0 : it->second;
}

size_t Admission::calls_in_flight() const {
  MutexLock lock(&mutex_);
  return calls_;
}

size_t Admission::bytes_in_flight() const {
  MutexLock lock(&mutex_);
  return bytes_;
}

}  // namespace bulletin
