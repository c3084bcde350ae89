// Lets a long search stop early, when its caller has gone or its deadline
// has passed, without asking on every posting: the loops that walk
// candidates call Tick() for each one, and only every kStride ticks does
// the cancellation ask its poll function (which may read a clock or the
// gRPC call's state); between phases, Check() asks at once.
//
//   bulletin::Cancellation cancellation([&]() -> absl::Status {
//     if (context->IsCancelled()) return absl::CancelledError("gone");
//     return absl::OkStatus();
//   });
//   for (uint32_t doc : candidates) {
//     if (cancellation.Tick()) return cancellation.status();
//     ...
//   }
//
// A cancellation made with no poll function never stops anything and costs
// one branch a tick. Once the poll has returned an error the cancellation
// stays stopped with that status: the poll is not asked again.
//
// Thread-safety: belongs to one search on one thread; the poll function is
// called on that thread.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_CANCELLATION_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_CANCELLATION_H_

#include <cstdint>
#include <functional>
#include <utility>

#include "absl/status/status.h"

namespace bulletin {

class Cancellation {
 public:
  // Ticks between two polls: about a few hundred microseconds of candidate
  // work, so a stopped search stops within a millisecond or so, while the
  // poll's cost (a clock read, a look at the call) stays out of the profile.
  static constexpr int32_t kStride = 1024;

  // Never stops.
  Cancellation() = default;
  // `poll` returns OK while the work should go on, else the status the work
  // should end with (CANCELLED, DEADLINE_EXCEEDED, ...).
  explicit Cancellation(std::function<absl::Status()> poll)
      : poll_(std::move(poll)) {}

  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;

  // Counts `units` of work; polls once kStride have accumulated since the
  // last poll. True when the work must stop (status() says why).
  bool Tick(int32_t units = 1) {
    countdown_ -= units;
    if (countdown_ > 0) return false;
    return Check();
  }

  // Polls now (unless already stopped); true when the work must stop.
  bool Check() {
    countdown_ = kStride;
    if (!status_.ok()) return true;
    if (!poll_) return false;
    ++polls_;
    status_ = poll_();
    return !status_.ok();
  }

  // OK, or why the work must stop.
  const absl::Status& status() const { return status_; }

  // How often the poll function was asked, for tests.
  int64_t polls() const { return polls_; }

 private:
  std::function<absl::Status()> poll_;
  int32_t countdown_ = kStride;
  absl::Status status_;
  int64_t polls_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_CANCELLATION_H_
