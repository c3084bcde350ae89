// One throughput measurement of the write benchmark: bench/load's
// bulletin_load run closed-loop against an ingest replica, durable Submits
// (--mode=submit) or the Echo floor of the same server (--mode=echo), its
// key=value line read back.
//
//   bulletin::bench::LoadRun run;
//   run.load_binary = ".../bench/load/bulletin_load";
//   run.target = stack->ingest_addresses()[0];
//   run.concurrency = 32;
//   absl::StatusOr<bulletin::bench::LoadFigures> rate =
//       bulletin::bench::MeasureLoad(run, scratch_dir);
//
// Thread-safety: a free function, safe from any thread.

#ifndef BULLETIN_BENCH_LOG_LOAD_RUN_H_
#define BULLETIN_BENCH_LOG_LOAD_RUN_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace bulletin::bench {

struct LoadRun {
  std::string load_binary;
  // "submit" or "echo" (the server must run with --enable_echo).
  std::string mode = "submit";
  // host:port of the ingest replica.
  std::string target;
  int concurrency = 1;
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration duration = absl::Seconds(10);
  // Submit: submissions first_bulletin .. + bulletins - 1 (bench/load's
  // corpus_texts.h), a range the log has not seen, so each is new.
  int64_t first_bulletin = 0;
  int64_t bulletins = 60000;
  // For the CPU columns: the ingest process and what it writes to (the
  // NATS servers; none for LevelDB).
  pid_t server_pid = 0;
  std::vector<pid_t> peer_pids;
};

struct LoadFigures {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  // CPU time per call in the recorded window: the load generator's,
  // ingest's and its peers' together.
  double client_cpu_us = 0;
  double server_cpu_us = 0;
  double peer_cpu_us = 0;
  // bulletin_load's line as printed.
  std::string line;
};

// Runs bulletin_load; fails when it does, when any call failed, or when its
// line lacks a figure.
absl::StatusOr<LoadFigures> MeasureLoad(const LoadRun& run,
                                        const std::string& scratch_dir);

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_LOG_LOAD_RUN_H_
