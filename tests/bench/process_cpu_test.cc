// ProcessCpuTime and CpuWindowSampler: what bulletin_load's CPU-per-call
// figures are made of.

#include "bench/load/process_cpu.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin::load {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

// Keeps this thread on the CPU for `wall` of wall-clock time.
void Spin(absl::Duration wall) {
  const absl::Time until = absl::Now() + wall;
  volatile uint64_t sink = 0;
  while (absl::Now() < until) sink = sink + 1;
}

// A child process that sleeps until it is killed; reaped on destruction.
class SleepingChild {
 public:
  SleepingChild() : pid_(fork()) {
    if (pid_ == 0) {
      for (;;) pause();
    }
  }
  ~SleepingChild() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  const pid_t pid_;
};

// The pid of a process that has exited and been reaped.
pid_t ReapedPid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(ProcessCpuTimeTest, GrowsWhileTheProcessRuns) {
  absl::StatusOr<absl::Duration> before = ProcessCpuTime(getpid());
  ASSERT_TRUE(before.ok()) << before.status();
  Spin(absl::Milliseconds(30));
  absl::StatusOr<absl::Duration> after = ProcessCpuTime(getpid());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_GT(*after, *before);
}

TEST(ProcessCpuTimeTest, NoSuchProcessIsNotFound) {
  const pid_t pid = ReapedPid();
  absl::StatusOr<absl::Duration> spent = ProcessCpuTime(pid);
  EXPECT_EQ(spent.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(spent.status().message(), HasSubstr(std::to_string(pid)));
}

TEST(CpuWindowSamplerTest, GivesEachProcessItsOwnTimeInTheWindow) {
  SleepingChild child;
  CpuWindowSampler sampler({getpid(), child.pid()}, absl::ZeroDuration(),
                           absl::InfiniteDuration());
  Spin(absl::Milliseconds(50));
  absl::StatusOr<CpuWindow> window = sampler.Finish();
  ASSERT_TRUE(window.ok()) << window.status();
  ASSERT_THAT(window->cpu, SizeIs(2));
  EXPECT_GT(window->wall, absl::ZeroDuration());
  // This process spun through the window; the child slept through it.
  EXPECT_GT(window->cpu[0], window->cpu[1]);
  EXPECT_GE(window->cpu[1], absl::ZeroDuration());
}

TEST(CpuWindowSamplerTest, WindowEndsAfterItsDuration) {
  CpuWindowSampler sampler({getpid()}, absl::ZeroDuration(),
                           absl::Milliseconds(20));
  // Spinning well past the window's end: the second sample was taken at
  // the end, so the window is shorter than the time spun.
  const absl::Time started = absl::Now();
  Spin(absl::Milliseconds(400));
  absl::StatusOr<CpuWindow> window = sampler.Finish();
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_LT(window->wall, absl::Now() - started);
}

TEST(CpuWindowSamplerTest, FinishBeforeTheWindowIsFailedPrecondition) {
  CpuWindowSampler sampler({getpid()}, absl::Hours(1), absl::Seconds(1));
  absl::StatusOr<CpuWindow> window = sampler.Finish();
  EXPECT_EQ(window.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CpuWindowSamplerTest, AProcessThatIsGoneIsNotFound) {
  CpuWindowSampler sampler({getpid(), ReapedPid()}, absl::ZeroDuration(),
                           absl::InfiniteDuration());
  absl::StatusOr<CpuWindow> window = sampler.Finish();
  EXPECT_EQ(window.status().code(), absl::StatusCode::kNotFound);
}

TEST(CpuWindowSamplerTest, DestroyedWithoutFinishStopsItsThread) {
  // Would hang (or leak the thread, which TSan and ASan report) if the
  // destructor did not end the wait.
  CpuWindowSampler sampler({getpid()}, absl::Hours(1), absl::Hours(1));
}

}  // namespace
}  // namespace bulletin::load
