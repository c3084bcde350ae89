#include "common/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

#ifndef BULLETIN_VERSION
#error "BULLETIN_VERSION must be defined by the build (common/CMakeLists.txt)"
#endif

namespace bulletin {
namespace {

std::vector<GaugeSample> One(double value) { return {{{}, value}}; }

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) +
           static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double ResidentBytes() {
  // statm's second field is the resident set in pages.
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return static_cast<double>(resident_pages) *
         static_cast<double>(sysconf(_SC_PAGESIZE));
}

double OpenFds() {
  DIR* directory = opendir("/proc/self/fd");
  if (directory == nullptr) return 0;
  int count = 0;
  while (const dirent* entry = readdir(directory)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(directory);
  return count - 1;  // Not the descriptor this count had open.
}

double MaxFds() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

void AddProcessMetrics(MetricsRegistry* registry, const std::string& service) {
  registry->AddCounterFunction("process_cpu_seconds_total",
                               "User and system CPU time spent, in seconds.",
                               {}, [] { return One(CpuSeconds()); });
  registry->AddGauge("process_resident_memory_bytes",
                     "Resident memory of this process.", {},
                     [] { return One(ResidentBytes()); });
  registry->AddGauge("process_open_fds", "Open file descriptors.", {},
                     [] { return One(OpenFds()); });
  registry->AddGauge("process_max_fds",
                     "The open file descriptor limit (RLIMIT_NOFILE).", {},
                     [] { return One(MaxFds()); });
  const double start = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  registry->AddGauge("process_start_time_seconds",
                     "When the process started, in seconds since the epoch "
                     "(when it built its metrics, to be exact).",
                     {}, [start] { return One(start); });
  registry->AddGauge(
      "bulletin_build_info",
      "1, labelled with the service and the version built.",
      {"service", "version"}, [service] {
        return std::vector<GaugeSample>{{{service, BULLETIN_VERSION}, 1}};
      });
}

}  // namespace bulletin
