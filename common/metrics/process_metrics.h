// The metrics every service process exports about itself, under the names
// Prometheus client libraries use, so standard dashboards and alerts fit:
//
//   process_cpu_seconds_total        user + system CPU time
//   process_resident_memory_bytes    resident set size
//   process_open_fds                 open file descriptors
//   process_max_fds                  the descriptor limit (RLIMIT_NOFILE)
//   process_start_time_seconds       start time, seconds since the epoch
//   bulletin_build_info{service,version}   1; which build is running
//
//   bulletin::MetricsRegistry registry;
//   bulletin::AddProcessMetrics(&registry, "ingest");
//
// Values are read from /proc/self and getrusage at each scrape.
// Thread-safety: the callbacks added may run on any thread.

#ifndef BULLETIN_COMMON_METRICS_PROCESS_METRICS_H_
#define BULLETIN_COMMON_METRICS_PROCESS_METRICS_H_

#include <string>

#include "common/metrics/metrics.h"

namespace bulletin {

// `service` labels bulletin_build_info ("ingest", "query").
void AddProcessMetrics(MetricsRegistry* registry, const std::string& service);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_PROCESS_METRICS_H_
