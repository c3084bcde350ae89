// bulletinctl's exit statuses, so that a script can tell what went wrong
// without reading stderr:
//
//   0  success
//   1  any other failure (a file that cannot be read; INTERNAL, UNKNOWN,
//      DATA_LOSS, UNIMPLEMENTED from a service)
//   2  usage: an unknown command, a missing or extra argument, a bad flag
//   3  not found (NOT_FOUND)
//   4  unavailable, retry later (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED)
//   5  precondition or conflict (FAILED_PRECONDITION, ABORTED,
//      ALREADY_EXISTS): read the current state and decide again
//   6  permission (PERMISSION_DENIED, UNAUTHENTICATED)
//   7  the input was refused (INVALID_ARGUMENT, OUT_OF_RANGE)
//   8  too large or overloaded (RESOURCE_EXHAUSTED)
//
// README.md and `bulletinctl help` print this table; a test checks each
// row against the real services.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_CLI_EXIT_CODES_H_
#define BULLETIN_CLI_EXIT_CODES_H_

#include "grpcpp/support/status.h"

namespace bulletin {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,
  kExitUsage = 2,
  kExitNotFound = 3,
  kExitUnavailable = 4,
  kExitConflict = 5,
  kExitPermission = 6,
  kExitRefused = 7,
  kExitExhausted = 8,
};

// The exit status for a call that ended with `code` (kExitOk for OK).
ExitCode ExitCodeFor(grpc::StatusCode code);

// The table above, for help output.
extern const char kExitCodesHelp[];

}  // namespace bulletin

#endif  // BULLETIN_CLI_EXIT_CODES_H_
