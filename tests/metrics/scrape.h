// HTTP helpers for tests of a service's metrics port: find the port the
// service logged, and fetch a path from it.
//
//   const int port = bulletin::testing::MetricsPort(*pair.ingest());
//   std::string page = bulletin::testing::Scrape(port);          // /metrics
//   HttpAnswer ready = bulletin::testing::Get(port, "/readyz");  // 503, ...
//
// Thread-safety: plain functions, safe from any thread.

#ifndef BULLETIN_TESTS_METRICS_SCRAPE_H_
#define BULLETIN_TESTS_METRICS_SCRAPE_H_

#include <string>

#include "tests/testing/child_process.h"

namespace bulletin::testing {

// The metrics port from the child's "serving" log line, which comes after
// the gRPC port is reported, so it is waited for; 0 if it never comes.
int MetricsPort(const ChildProcess& child);

struct HttpAnswer {
  int status = 0;  // 0: no answer.
  std::string body;
};

// GET http://127.0.0.1:port/path.
HttpAnswer Get(int port, const std::string& path);

// The body of GET `path` when it answers 200, else "error: ...".
std::string Scrape(int port, const std::string& path = "/metrics");

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_METRICS_SCRAPE_H_
