// Graceful shutdown on SIGTERM and SIGINT without async-signal-safety traps:
// the signals are blocked in every thread and one thread waits for them.
//
//   int main(int argc, char** argv) {
//     bulletin::BlockTerminationSignals();   // before any thread starts
//     ... start servers and threads ...
//     int signal = bulletin::WaitForTerminationSignal();
//     ... drain and stop ...
//   }
//
// Thread-safety: BlockTerminationSignals must run in main before any thread
// is created, so that every thread inherits the mask; WaitForTerminationSignal
// may then be called from any one thread.

#ifndef BULLETIN_COMMON_SERVER_TERMINATION_SIGNAL_H_
#define BULLETIN_COMMON_SERVER_TERMINATION_SIGNAL_H_

#include "absl/time/time.h"

namespace bulletin {

// Blocks SIGTERM and SIGINT in the calling thread (and in threads it creates
// afterwards), and ignores SIGPIPE.
void BlockTerminationSignals();

// Blocks until SIGTERM or SIGINT is delivered to the process; returns it.
int WaitForTerminationSignal();

// As WaitForTerminationSignal, for at most `timeout`; 0 when none came.
int WaitForTerminationSignalFor(absl::Duration timeout);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_TERMINATION_SIGNAL_H_
