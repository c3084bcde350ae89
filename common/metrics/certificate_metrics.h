// Certificate expiry as a metric, so that a renewal that stopped happening
// (cert-manager down, a Secret not updated) alerts days before handshakes
// start failing:
//
//   bulletin_tls_certificate_expiry_timestamp_seconds{file}
//
// the notAfter of the first certificate in each PEM file, read at each
// scrape (the files are re-read by the servers when they change, so the
// metric follows what is served). A file that cannot be read or parsed is
// left out of the scrape, which the alert on absent series catches.
//
//   bulletin::AddCertificateExpiryMetric(&registry,
//                                        {"/tls/tls.crt", "/tls/ca.crt"});
//
// Thread-safety: the callback added may run on any thread.

#ifndef BULLETIN_COMMON_METRICS_CERTIFICATE_METRICS_H_
#define BULLETIN_COMMON_METRICS_CERTIFICATE_METRICS_H_

#include <string>
#include <vector>

#include "common/metrics/metrics.h"

namespace bulletin {

// Empty names in `files` are skipped (a flag left unset), and a file named
// twice is reported once. Without TLS files the metric has no series, but
// is still declared, so dashboards and rules can be checked against it.
void AddCertificateExpiryMetric(MetricsRegistry* registry,
                                std::vector<std::string> files);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_CERTIFICATE_METRICS_H_
