// One durable-submit throughput measurement: bench/load's bulletin_load
// (--mode=submit, closed loop) run against an ingest replica, its key=value
// line read back. Each figure of the write benchmark is one such run.
//
//   bulletin::bench::SubmitRun run;
//   run.load_binary = ".../bench/load/bulletin_load";
//   run.target = stack->ingest_addresses()[0];
//   run.concurrency = 32;
//   absl::StatusOr<bulletin::bench::SubmitRate> rate =
//       bulletin::bench::MeasureSubmitRate(run, scratch_dir);
//
// Thread-safety: a free function, safe from any thread.

#ifndef BULLETIN_BENCH_LOG_SUBMIT_RATE_H_
#define BULLETIN_BENCH_LOG_SUBMIT_RATE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulletin::bench {

struct SubmitRun {
  std::string load_binary;
  // host:port of the ingest replica.
  std::string target;
  int concurrency = 1;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);
  // Submissions first_bulletin .. + bulletins - 1 (bench/load's
  // corpus_texts.h): a range the log has not seen, so each is new.
  int64_t first_bulletin = 0;
  int64_t bulletins = 60000;
  // For the CPU columns: the ingest process and what it writes to (the
  // NATS servers; none for LevelDB).
  pid_t server_pid = 0;
  std::vector<pid_t> peer_pids;
};

struct SubmitRate {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  // CPU time per acknowledged submit in the recorded window: the load
  // generator's, ingest's and its peers' together.
  double client_cpu_us = 0;
  double server_cpu_us = 0;
  double peer_cpu_us = 0;
  // bulletin_load's line as printed.
  std::string line;
};

// Runs bulletin_load; fails when it does, when any submit failed, or when
// its line lacks a figure.
absl::StatusOr<SubmitRate> MeasureSubmitRate(const SubmitRun& run,
                                             const std::string& scratch_dir);

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_LOG_SUBMIT_RATE_H_
