#include "common/metrics/certificate_metrics.h"

#include <algorithm>
#include <utility>

#include "absl/time/time.h"
#include "common/server/tls.h"

namespace bulletin {

void AddCertificateExpiryMetric(MetricsRegistry* registry,
                                std::vector<std::string> files) {
  // One series per file, however many flags name it.
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  files.erase(std::remove(files.begin(), files.end(), std::string()),
              files.end());
  registry->AddGauge(
      "bulletin_tls_certificate_expiry_timestamp_seconds",
      "When the first certificate in each TLS file expires (notAfter), in "
      "seconds since the epoch.",
      {"file"}, [files = std::move(files)] {
        std::vector<GaugeSample> samples;
        for (const std::string& file : files) {
          absl::StatusOr<absl::Time> not_after = CertificateNotAfter(file);
          if (!not_after.ok()) continue;
          samples.push_back(
              {{file}, absl::ToDoubleSeconds(*not_after - absl::UnixEpoch())});
        }
        return samples;
      });
}

}  // namespace bulletin
