#include "common/server/termination_signal.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>

#include "absl/time/clock.h"

namespace bulletin {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int received = 0;
  while (sigwait(&set, &received) != 0) {
  }
  return received;
}

int WaitForTerminationSignalFor(absl::Duration timeout) {
  const sigset_t set = TerminationSignals();
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return 0;
    const timespec wait = absl::ToTimespec(left);
    const int received = sigtimedwait(&set, nullptr, &wait);
    if (received > 0) return received;
    if (errno == EAGAIN) return 0;
    // EINTR: another signal interrupted the wait; wait for what is left.
  }
}

}  // namespace bulletin
