// Admission control: bounds how many calls of one kind run at once and how
// many request bytes they hold, and refuses the rest at once with
// RESOURCE_EXHAUSTED, so that load beyond capacity is turned away early
// instead of growing memory until the process is killed.
//
//   bulletin::Admission writes("Submit and Parse", {64, 32 << 20, 16},
//                              &registry);
//   absl::StatusOr<bulletin::Admission::Ticket> ticket = writes.Admit(
//       "Parse", request->content().size(), CallerOf(*context));
//   if (!ticket.ok()) return ToGrpcStatus(ticket.status());
//   ... work; the ticket gives its place back when it goes out of scope.
//
// A call is admitted while fewer than `max_calls` run, fewer than
// `max_calls_per_caller` of them for the same caller (so that one client
// cannot take every place: callers are named by their token or certificate,
// see CallerOf in common/server/call_interceptor.h), and its bytes fit
// under `max_bytes` with those of the calls running; a call alone is always
// admitted (gRPC's message size limit bounds it), so that no single request
// can be refused forever. The refusal says which limit was hit and when to
// retry: RESOURCE_EXHAUSTED is the signal for a client to back off.
//
// Metrics (when a registry is given), labelled by the `method` passed to
// Admit:
//   bulletin_admission_in_flight_calls, bulletin_admission_in_flight_bytes
//   bulletin_admission_rejected_total{grpc_method,
//                                     limit="calls"|"caller"|"bytes"}
//
// Ownership: does not own the registry, which must outlive it; tickets must
// not outlive the Admission that issued them.
// Thread-safety: Admit and the accessors may be called from any thread.

#ifndef BULLETIN_COMMON_SERVER_ADMISSION_H_
#define BULLETIN_COMMON_SERVER_ADMISSION_H_

#include <cstddef>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/metrics/metrics.h"
#include "common/sync/mutex.h"

namespace bulletin {

class Admission {
 public:
  struct Limits {
    size_t max_calls = 64;
    size_t max_bytes = 32 << 20;
    // Zero: no limit per caller.
    size_t max_calls_per_caller = 0;
  };

  // A place among the calls running; released when destroyed.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) = delete;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket();

   private:
    friend class Admission;
    Ticket(Admission* admission, size_t bytes, std::string caller)
        : admission_(admission), bytes_(bytes), caller_(std::move(caller)) {}

    Admission* admission_;
    size_t bytes_;
    std::string caller_;
  };

  // `what` names the calls in refusals ("Submit and Parse"); `registry` may
  // be null.
  Admission(std::string what, Limits limits, MetricsRegistry* registry);
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  absl::StatusOr<Ticket> Admit(absl::string_view method, size_t bytes,
                               absl::string_view caller = "");

  size_t calls_in_flight() const;
  size_t bytes_in_flight() const;

 private:
  void Release(size_t bytes, const std::string& caller);
  size_t CallsOf(absl::string_view caller) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string what_;
  const Limits limits_;
  Counter* const rejected_;
  mutable Mutex mutex_;
  size_t calls_ ABSL_GUARDED_BY(mutex_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mutex_) = 0;
  // Calls running per caller; callers with none are erased.
  absl::flat_hash_map<std::string, size_t> per_caller_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_ADMISSION_H_
