// CPU time of processes over the recorded window of a load run, so a
// throughput can be given with what each call cost the server and the
// client.
//
//   CpuWindowSampler sampler({server_pid, getpid()}, warmup, duration);
//   LoadResult result = RunLoad(...);
//   absl::StatusOr<CpuWindow> window = sampler.Finish();
//   // window->cpu[0] / (result.throughput() * window->wall) = server CPU
//   // per call.
//
// Thread-safety: CpuWindowSampler's methods are called from one thread; it
// runs its own thread between construction and Finish().

#ifndef BULLETIN_BENCH_LOAD_PROCESS_CPU_H_
#define BULLETIN_BENCH_LOAD_PROCESS_CPU_H_

#include <sys/types.h>

#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/sync/mutex.h"

namespace bulletin::load {

// User plus system CPU time the process `pid` has used so far, from its
// process CPU clock (nanosecond resolution). NOT_FOUND when there is no
// such process.
absl::StatusOr<absl::Duration> ProcessCpuTime(pid_t pid);

struct CpuWindow {
  // Wall-clock length of the window between the two samples.
  absl::Duration wall;
  // CPU time each process used in the window, in the order given.
  std::vector<absl::Duration> cpu;
};

// Samples the CPU time of `pids` when `warmup` has passed since
// construction, and again `duration` later, or at Finish() if that comes
// first.
class CpuWindowSampler {
 public:
  CpuWindowSampler(std::vector<pid_t> pids, absl::Duration warmup,
                   absl::Duration duration);
  ~CpuWindowSampler();

  CpuWindowSampler(const CpuWindowSampler&) = delete;
  CpuWindowSampler& operator=(const CpuWindowSampler&) = delete;

  // Waits for the second sample (taking it now if the window has not
  // ended) and returns the window. FAILED_PRECONDITION when Finish() came
  // before the window started; the error of ProcessCpuTime when a process
  // could not be read. Call once.
  absl::StatusOr<CpuWindow> Finish();

 private:
  // Reads every pid's CPU time and the wall clock into `*at`.
  absl::Status Sample(absl::Time* at, std::vector<absl::Duration>* cpu) const;
  void Run();

  const std::vector<pid_t> pids_;
  const absl::Time window_start_;
  const absl::Time window_end_;

  Mutex mu_;
  // Signalled when finishing_ is set, to end the sampling thread's waits.
  CondVar finishing_changed_;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  // Written by the sampling thread, read by Finish() after joining it.
  absl::Status status_;
  bool started_ = false;
  absl::Time start_at_, end_at_;
  std::vector<absl::Duration> start_cpu_, end_cpu_;

  std::thread thread_;
};

}  // namespace bulletin::load

#endif  // BULLETIN_BENCH_LOAD_PROCESS_CPU_H_
