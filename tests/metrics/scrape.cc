#include "tests/metrics/scrape.h"

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace bulletin::testing {

int MetricsPort(const ChildProcess& child) {
  return LoggedPort(child, "metrics_port", absl::Seconds(30));
}

HttpAnswer Get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result result = client.Get(path.c_str());
  if (!result) return {};
  return {result->status, result->body};
}

std::string Scrape(int port, const std::string& path) {
  const HttpAnswer answer = Get(port, path);
  if (answer.status == 0) return "error: no response";
  return answer.status == 200
             ? answer.body
             : "error: status " + std::to_string(answer.status);
}

}  // namespace bulletin::testing
