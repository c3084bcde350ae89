#include "common/http/http_call_bounds.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "httplib.h"

namespace bulletin {
namespace {

// The port of a socket address, and its host as cpp-httplib spells a
// request's remote_addr (numeric, getnameinfo).
bool HostAndPort(const sockaddr_storage& address, socklen_t length,
                 std::string* host, int* port) {
  char text[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&address), length, text,
                  sizeof(text), nullptr, 0, NI_NUMERICHOST) != 0) {
    return false;
  }
  *host = text;
  if (address.ss_family == AF_INET) {
    *port = ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  } else if (address.ss_family == AF_INET6) {
    *port = ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  } else {
    return false;
  }
  return true;
}

// Whether `fd` is the TCP connection from remote_host:remote_port to
// local_port.
bool IsConnection(int fd, int local_port, const std::string& remote_host,
                  int remote_port) {
  sockaddr_storage address = {};
  socklen_t length = sizeof(address);
  std::string host;
  int port = 0;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      !HostAndPort(address, length, &host, &port) || port != local_port) {
    return false;
  }
  length = sizeof(address);
  return getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
         HostAndPort(address, length, &host, &port) && port == remote_port &&
         host == remote_host;
}

// The descriptor of the connection between the two ends, or -1.
int FindConnection(int local_port, const std::string& remote_host,
                   int remote_port) {
  std::unique_ptr<DIR, int (*)(DIR*)> descriptors(opendir("/proc/self/fd"),
                                                  closedir);
  if (descriptors == nullptr) return -1;
  const int own = dirfd(descriptors.get());
  while (const dirent* entry = readdir(descriptors.get())) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == own) continue;
    if (IsConnection(fd, local_port, remote_host, remote_port)) return fd;
  }
  return -1;
}

// Asked by IsCancelled on the handler's thread, at most every
// CallBounds::kCallerLookInterval.
class ClientWatch {
 public:
  explicit ClientWatch(const httplib::Request& request)
      : local_port_(request.local_port),
        remote_host_(request.remote_addr),
        remote_port_(request.remote_port) {}

  bool Gone() {
    if (fd_ == kUnknown) {
      fd_ = FindConnection(local_port_, remote_host_, remote_port_);
    }
    if (fd_ < 0) return false;  // Not found: the call runs to its deadline.
    pollfd look = {fd_, POLLRDHUP, 0};
    return poll(&look, 1, 0) == 1 &&
           (look.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

 private:
  static constexpr int kUnknown = -2;
  const int local_port_;
  const std::string remote_host_;
  const int remote_port_;
  int fd_ = kUnknown;
};

}  // namespace

absl::StatusOr<absl::Duration> ParseGrpcTimeout(absl::string_view value) {
  const auto malformed = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc-timeout '", value,
        "' is not 1 to 8 digits and a unit (H, M, S, m, u or n), e.g. 2S or "
        "500m"));
  };
  if (value.size() < 2 || value.size() > 9) return malformed();
  const absl::string_view digits = value.substr(0, value.size() - 1);
  int64_t amount = 0;
  if (!std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(digits, &amount)) {
    return malformed();
  }
  switch (value.back()) {
    case 'H':
      return absl::Hours(amount);
    case 'M':
      return absl::Minutes(amount);
    case 'S':
      return absl::Seconds(amount);
    case 'm':
      return absl::Milliseconds(amount);
    case 'u':
      return absl::Microseconds(amount);
    case 'n':
      return absl::Nanoseconds(amount);
    default:
      return malformed();
  }
}

absl::StatusOr<CallBounds> HttpCallBounds(const httplib::Request& request,
                                          absl::Duration max_timeout) {
  absl::Duration timeout = max_timeout;
  if (request.has_header("grpc-timeout")) {
    absl::StatusOr<absl::Duration> asked =
        ParseGrpcTimeout(request.get_header_value("grpc-timeout"));
    if (!asked.ok()) return asked.status();
    timeout = std::min(timeout, *asked);
  }
  auto watch = std::make_shared<ClientWatch>(request);
  return CallBounds(absl::Now() + timeout, [watch] { return watch->Gone(); });
}

}  // namespace bulletin
