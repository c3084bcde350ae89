#include "cli/exit_codes.h"

namespace bulletin {

ExitCode ExitCodeFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      return kExitUnavailable;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::ALREADY_EXISTS:
      return kExitConflict;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return kExitPermission;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return kExitRefused;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return kExitExhausted;
    default:
      return kExitFailed;
  }
}

const char kExitCodesHelp[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  any other failure (an unreadable file, an internal error)\n"
    "  2  usage: unknown command, missing or extra argument, bad flag\n"
    "  3  not found\n"
    "  4  unavailable or timed out: retry later\n"
    "  5  precondition failed or conflict: read the current state again\n"
    "  6  permission denied or not authenticated\n"
    "  7  the input was refused (invalid argument)\n"
    "  8  too large or overloaded\n";

}  // namespace bulletin
