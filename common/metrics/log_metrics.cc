#include "common/metrics/log_metrics.h"

#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

namespace bulletin {

LogMetrics::LogMetrics(MetricsRegistry* registry,
                       std::function<uint64_t()> log_bytes)
    : sync_seconds_(registry->AddHistogram(
          "bulletin_log_sync_seconds",
          "Time a durable log write took to be synced (fsync, or the "
          "stream's acknowledgement).",
          {}, LatencyBuckets())) {
  registry->AddGauge(
      "bulletin_log_bytes", "Bytes the log occupies.", {},
      [log_bytes = std::move(log_bytes)] {
        return std::vector<GaugeSample>{{{}, static_cast<double>(log_bytes())}};
      });
}

void LogMetrics::ObserveSync(absl::Duration took) {
  sync_seconds_->Observe({}, absl::ToDoubleSeconds(took));
}

uint64_t DirectoryBytes(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code error;
  uint64_t total = 0;
  // Files come and go under a live log (compaction): skip what vanished.
  for (fs::recursive_directory_iterator it(directory, error), end;
       !error && it != end; it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const uintmax_t size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

}  // namespace bulletin
