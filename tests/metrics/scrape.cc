#include "tests/metrics/scrape.h"

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace bulletin::testing {

int MetricsPort(const ChildProcess& child) {
  const std::string key = "\"metrics_port\":";
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    const std::string log = FileTail(child.log_path(), 1 << 20);
    const size_t at = log.find(key);
    if (at != std::string::npos) {
      const size_t start = at + key.size();
      const size_t end = log.find_first_not_of("0123456789", start);
      int port = 0;
      return absl::SimpleAtoi(absl::string_view(log).substr(start, end - start),
                              &port)
                 ? port
                 : 0;
    }
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  return 0;
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
