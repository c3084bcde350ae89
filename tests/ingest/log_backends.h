// The log backends that the shared contract suite (log_contract_test.cc)
// runs against: each opens a fresh, empty log and can reopen it.
//
//   std::unique_ptr<bulletin::testing::LogBackend> backend = ...;
//   absl::StatusOr<std::unique_ptr<bulletin::BulletinLog>> log =
//       backend->Open();
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_TESTS_INGEST_LOG_BACKENDS_H_
#define BULLETIN_TESTS_INGEST_LOG_BACKENDS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics/log_metrics.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin::testing {

class LogBackend {
 public:
  virtual ~LogBackend() = default;
  // Opens this backend's log: empty the first time, then with everything
  // written before. Only one opened log at a time may be alive.
  virtual absl::StatusOr<std::unique_ptr<BulletinLog>> Open() = 0;
  // A second writer of the same log at the same time, where the backend
  // allows one (JetStream); nullptr where it does not (LevelDB, whose
  // directory one process owns).
  virtual absl::StatusOr<std::unique_ptr<BulletinLog>> OpenSecondWriter() = 0;
  // Logs opened from now on report their synced writes to `metrics` (not
  // owned; null: nowhere).
  void set_metrics(LogMetrics* metrics) { metrics_ = metrics; }

 protected:
  LogMetrics* metrics_ = nullptr;
};

// How to make one backend, named for the test's name.
struct LogBackendFactory {
  std::string name;
  std::function<std::unique_ptr<LogBackend>(absl::Duration dedup_window)> make;
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INGEST_LOG_BACKENDS_H_
