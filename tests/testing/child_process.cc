#include "tests/testing/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace bulletin::testing {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path,
    const std::string& stderr_path, uint64_t file_size_limit) {
  if (argv.empty()) return absl::InvalidArgumentError("empty argv");
  const int log_fd =
      open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", log_path));
  }
  const int err_fd =
      stderr_path.empty()
          ? log_fd
          : open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                 0644);
  if (err_fd < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("cannot open ", stderr_path));
  }
  std::vector<char*> args;
  for (const std::string& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    if (err_fd != log_fd) close(err_fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // The parent died already.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (file_size_limit != 0) {
      signal(SIGXFSZ, SIG_IGN);
      rlimit limit{file_size_limit, file_size_limit};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    dup2(log_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(log_fd);
  if (err_fd != log_fd) close(err_fd);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_path));
}

ChildProcess::~ChildProcess() { Kill(); }

bool ChildProcess::WaitFor(absl::Duration timeout) {
  if (reaped_) return true;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const pid_t done = waitpid(pid_, &wait_status_, WNOHANG);
    if (done == pid_ || done < 0) {
      reaped_ = true;
      return true;
    }
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

void ChildProcess::Kill() {
  if (reaped_) return;
  kill(pid_, SIGKILL);
  WaitFor(absl::InfiniteDuration());
}

absl::StatusOr<int> ChildProcess::Terminate(absl::Duration grace) {
  if (!reaped_) kill(pid_, SIGTERM);
  if (!WaitFor(grace)) {
    Kill();
    return absl::DeadlineExceededError(
        absl::StrCat("pid ", pid_, " ignored SIGTERM for ",
                     absl::FormatDuration(grace), "; killed"));
  }
  if (WIFEXITED(wait_status_)) return WEXITSTATUS(wait_status_);
  return 128 + WTERMSIG(wait_status_);
}

bool ChildProcess::Running() { return !WaitFor(absl::ZeroDuration()); }

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout) {
  if (!WaitFor(timeout)) {
    Kill();
    return absl::DeadlineExceededError(absl::StrCat(
        "pid ", pid_, " still running after ", absl::FormatDuration(timeout)));
  }
  if (WIFEXITED(wait_status_)) return WEXITSTATUS(wait_status_);
  return 128 + WTERMSIG(wait_status_);
}

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                         const std::string& scratch_dir,
                                         absl::Duration timeout) {
  static int counter = 0;
  const std::string stem = absl::StrCat(scratch_dir, "/command-", ++counter);
  const std::string out_path = stem + ".out";
  const std::string err_path = stem + ".err";
  auto child = ChildProcess::Start(argv, out_path, err_path);
  if (!child.ok()) return child.status();
  absl::StatusOr<int> exit_code = (*child)->Wait(timeout);
  if (!exit_code.ok()) return exit_code.status();
  CommandResult result;
  result.exit_code = *exit_code;
  result.out = FileTail(out_path, SIZE_MAX);
  result.err = FileTail(err_path, SIZE_MAX);
  return result;
}

std::string FileTail(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string all = buffer.str();
  return all.size() <= bytes ? all : all.substr(all.size() - bytes);
}

absl::StatusOr<int> WaitForPortFile(const std::string& path,
                                    ChildProcess& child,
                                    absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::ifstream in(path);
    std::string text;
    int port = 0;
    if (in && std::getline(in, text) &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port) && port > 0) {
      return port;
    }
    if (!child.Running()) {
      return absl::FailedPreconditionError(
          absl::StrCat("process exited before listening; its log:\n",
                       FileTail(child.log_path())));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "no port in ", path, " after ", absl::FormatDuration(timeout), "; log:\n",
      FileTail(child.log_path())));
}

int LoggedPort(const ChildProcess& child, const std::string& field,
               absl::Duration timeout) {
  const std::string key = absl::StrCat("\"", field, "\":");
  const absl::Time deadline = absl::Now() + timeout;
  do {
    const std::string log = FileTail(child.log_path(), 1 << 20);
    const size_t at = log.find(key);
    if (at != std::string::npos) {
      const size_t start = at + key.size();
      const size_t end = log.find_first_not_of("0123456789", start);
      int port = 0;
      return absl::SimpleAtoi(absl::string_view(log).substr(start, end - start),
                              &port)
                 ? port
                 : 0;
    }
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  return 0;
}

}  // namespace bulletin::testing
