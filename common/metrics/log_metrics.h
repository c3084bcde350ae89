// What ingest's log reports about itself, whichever backend holds it:
//
//   bulletin_log_bytes          bytes the log occupies (gauge)
//   bulletin_log_sync_seconds   time each durable write took to be synced
//                               (histogram: the fsync, or JetStream's ack)
//
//   bulletin::LogMetrics log_metrics(&registry,
//                                    [&] { return log->SizeBytes(); });
//   ...
//   // in the backend, around the write it waits on before acknowledging:
//   const absl::Time start = absl::Now();
//   ... write and sync ...
//   log_metrics.ObserveSync(absl::Now() - start);
//
// A backend takes a LogMetrics* (not owned, may be null) in its options and
// calls ObserveSync once per synced write; `log_bytes` is called at each
// scrape and must be cheap and thread-safe.
//
// Ownership: does not own the registry, which must outlive it.
// Thread-safety: ObserveSync may be called from any thread.

#ifndef BULLETIN_COMMON_METRICS_LOG_METRICS_H_
#define BULLETIN_COMMON_METRICS_LOG_METRICS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/time.h"
#include "common/metrics/metrics.h"

namespace bulletin {

class LogMetrics {
 public:
  LogMetrics(MetricsRegistry* registry, std::function<uint64_t()> log_bytes);

  void ObserveSync(absl::Duration took);

 private:
  Histogram* const sync_seconds_;
};

// Bytes of the regular files under `directory`, recursively (0 if it cannot
// be read): the size of a log kept in a directory, such as LevelDB's.
uint64_t DirectoryBytes(const std::string& directory);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_LOG_METRICS_H_
