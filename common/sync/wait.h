// Waiting on a std::condition_variable until an absl::Time deadline: the one
// home of that loop. New code waits through common/sync/mutex.h
// (CondVar::WaitUntil, which calls this and which clang's thread-safety
// analysis checks); this is for code still on the raw std primitives.
//
//   std::unique_lock<std::mutex> lock(mutex_);
//   bool reached = bulletin::WaitUntil(changed_, lock, deadline,
//                                      [&] { return head_ > seq; });
//
// Why std primitives rather than absl::Mutex: see common/sync/mutex.h. This
// helper covers what absl's AwaitWithDeadline gave: an absl::Time deadline,
// including absl::InfiniteFuture(), which condition_variable::wait_until
// cannot take (the clock conversion overflows).
//
// Thread-safety: as std::condition_variable; `lock` must hold the mutex the
// predicate's state is guarded by.

#ifndef BULLETIN_COMMON_SYNC_WAIT_H_
#define BULLETIN_COMMON_SYNC_WAIT_H_

#include <condition_variable>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace bulletin {

// Waits until `ready()` is true or `deadline` passes; returns `ready()`.
// `Condition` is std::condition_variable with a std::unique_lock, or
// std::condition_variable_any with any lock (e.g. a std::shared_lock).
template <typename Condition, typename Lock, typename Predicate>
bool WaitUntil(Condition& condition, Lock& lock, absl::Time deadline,
               Predicate ready) {
  if (deadline == absl::InfiniteFuture()) {
    condition.wait(lock, ready);
    return true;
  }
  while (!ready()) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    condition.wait_for(lock, absl::ToChronoNanoseconds(left));
  }
  return true;
}

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SYNC_WAIT_H_
