#include "bench/load/process_cpu.h"

#include <time.h>

#include <cerrno>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace bulletin::load {

absl::StatusOr<absl::Duration> ProcessCpuTime(pid_t pid) {
  clockid_t clock;
  // clock_getcpuclockid returns the error instead of setting errno.
  if (const int error = clock_getcpuclockid(pid, &clock); error != 0) {
    if (error == ESRCH) {
      return absl::NotFoundError(absl::StrCat("no process ", pid));
    }
    return absl::ErrnoToStatus(error,
                               absl::StrCat("CPU clock of process ", pid));
  }
  timespec spent;
  if (clock_gettime(clock, &spent) != 0) {
    // A process that exited since has no clock left to read.
    if (errno == EINVAL || errno == ESRCH) {
      return absl::NotFoundError(absl::StrCat("no process ", pid));
    }
    return absl::ErrnoToStatus(errno,
                               absl::StrCat("CPU time of process ", pid));
  }
  return absl::DurationFromTimespec(spent);
}

CpuWindowSampler::CpuWindowSampler(std::vector<pid_t> pids,
                                   absl::Duration warmup,
                                   absl::Duration duration)
    : pids_(std::move(pids)),
      window_start_(absl::Now() + warmup),
      window_end_(window_start_ + duration),
      thread_([this] { Run(); }) {}

CpuWindowSampler::~CpuWindowSampler() {
  if (thread_.joinable()) {
    {
      MutexLock lock(&mu_);
      finishing_ = true;
    }
    finishing_changed_.SignalAll();
    thread_.join();
  }
}

absl::Status CpuWindowSampler::Sample(absl::Time* at,
                                      std::vector<absl::Duration>* cpu) const {
  cpu->clear();
  for (const pid_t pid : pids_) {
    absl::StatusOr<absl::Duration> spent = ProcessCpuTime(pid);
    if (!spent.ok()) return spent.status();
    cpu->push_back(*spent);
  }
  *at = absl::Now();
  return absl::OkStatus();
}

void CpuWindowSampler::Run() {
  const auto finishing = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return finishing_;
  };
  {
    MutexLock lock(&mu_);
    finishing_changed_.WaitUntil(&mu_, window_start_, finishing);
  }
  // Finish() came before the window started: there is no window.
  if (absl::Now() < window_start_) return;
  status_ = Sample(&start_at_, &start_cpu_);
  if (!status_.ok()) return;
  started_ = true;
  {
    MutexLock lock(&mu_);
    finishing_changed_.WaitUntil(&mu_, window_end_, finishing);
  }
  status_ = Sample(&end_at_, &end_cpu_);
}

absl::StatusOr<CpuWindow> CpuWindowSampler::Finish() {
  {
    MutexLock lock(&mu_);
    finishing_ = true;
  }
  finishing_changed_.SignalAll();
  thread_.join();
  if (!status_.ok()) return status_;
  if (!started_) {
    return absl::FailedPreconditionError(
        "the load ended before the CPU window started");
  }
  CpuWindow window;
  window.wall = end_at_ - start_at_;
  for (size_t i = 0; i < pids_.size(); ++i) {
    window.cpu.push_back(end_cpu_[i] - start_cpu_[i]);
  }
  return window;
}

}  // namespace bulletin::load
