// A child process for system tests: the real service binaries, started on
// ephemeral ports and always reaped. A child dies with the test (SIGKILL via
// PR_SET_PDEATHSIG) even when the test itself crashes, so nothing a test
// starts outlives it.
//
//   auto ingest = bulletin::testing::ChildProcess::Start(
//       {binary, "--listen=127.0.0.1:0", "--port_file=" + port_file},
//       log_path);
//   absl::StatusOr<int> port = bulletin::testing::WaitForPortFile(
//       port_file, **ingest, absl::Seconds(20));
//   (*ingest)->Kill();                 // SIGKILL, then reap
//   (*ingest)->Terminate(absl::Seconds(10));   // SIGTERM, wait, exit code
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_TESTS_TESTING_CHILD_PROCESS_H_
#define BULLETIN_TESTS_TESTING_CHILD_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulletin::testing {

class ChildProcess {
 public:
  // Runs argv[0] (a path) with the rest as arguments; its stdout and stderr
  // are appended to `log_path` (stderr to `stderr_path` instead when given).
  // A non-zero `file_size_limit` caps every file the child writes
  // (RLIMIT_FSIZE, with SIGXFSZ ignored so the write fails with EFBIG), the
  // way a full disk fails writes.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path,
      const std::string& stderr_path = "", uint64_t file_size_limit = 0);

  ~ChildProcess();  // Kills and reaps the child if it is still running.
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // SIGKILL, then reap.
  void Kill();
  // SIGTERM, then wait up to `grace` (then SIGKILL). Returns the exit code,
  // or DEADLINE_EXCEEDED if it had to be killed.
  absl::StatusOr<int> Terminate(absl::Duration grace);
  // True while the child has not exited.
  bool Running();
  // Waits up to `timeout` for the child to exit by itself; its exit code, or
  // DEADLINE_EXCEEDED (and the child is killed).
  absl::StatusOr<int> Wait(absl::Duration timeout);
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

 private:
  ChildProcess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}
  // Waits up to `timeout` for exit; true if it exited (and was reaped).
  bool WaitFor(absl::Duration timeout);

  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int wait_status_ = 0;
};

// What a command printed and how it exited.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (killed after `timeout`), capturing stdout and
// stderr separately; temporary files go under `scratch_dir`.
absl::StatusOr<CommandResult> RunCommand(
    const std::vector<std::string>& argv, const std::string& scratch_dir,
    absl::Duration timeout = absl::Seconds(60));

// Waits until `path` holds a port number written by the child; fails if the
// child exits first or `timeout` passes (the message includes the log tail).
absl::StatusOr<int> WaitForPortFile(const std::string& path,
                                    ChildProcess& child,
                                    absl::Duration timeout);

// A port the child logged in a structured log line, as `"field":PORT`
// (e.g. "http_port" in the "serving" line), waiting up to `timeout` for the
// line to appear; 0 if it never does.
int LoggedPort(const ChildProcess& child, const std::string& field,
               absl::Duration timeout = absl::Seconds(30));

// The last `bytes` of a file, for failure messages.
std::string FileTail(const std::string& path, size_t bytes = 2000);

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_CHILD_PROCESS_H_
