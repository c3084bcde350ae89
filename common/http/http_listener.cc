#include "common/http/http_listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/http/connection_threads.h"
#include "httplib.h"

namespace bulletin {
namespace {

// Requests one kept-alive connection may carry before it is closed.
constexpr size_t kKeepAliveRequests = 100000;
// How long a connection's thread outlives the connection, waiting for the
// next one.
constexpr absl::Duration kIdleThread = absl::Seconds(30);

}  // namespace

absl::StatusOr<std::pair<std::string, int>> ParseHostPort(
    const std::string& address, const std::string& name) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " address '", address, "' is not host:port"));
  }
  std::string host = address.substr(0, colon);
  // [::1]:9090 names an IPv6 host; the socket calls want it bare.
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(std::move(host), port);
}

absl::StatusOr<std::unique_ptr<HttpListener>> HttpListener::Start(
    std::unique_ptr<httplib::Server> server,
    const HttpListenerOptions& options) {
  absl::StatusOr<std::pair<std::string, int>> host_port =
      ParseHostPort(options.address, options.name);
  if (!host_port.ok()) return host_port.status();
  const auto& [host, requested_port] = *host_port;

  // cpp-httplib calls this on the listening socket before it binds; the
  // last call is on the socket that bound.
  auto listening_socket = std::make_shared<int>(-1);
  server->set_socket_options([listening_socket](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    // Inherited by the accepted connections.
    setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    *listening_socket = socket;
  });
  const size_t max_connections =
      static_cast<size_t>(std::max(options.max_connections, 1));
  server->new_task_queue = [max_connections] {
    return new ConnectionThreads(max_connections, kIdleThread);
  };
  server->set_keep_alive_max_count(kKeepAliveRequests);
  server->set_keep_alive_timeout(
      std::max<time_t>(1, absl::ToInt64Seconds(options.keep_alive_timeout)));

  int port = requested_port;
  if (requested_port == 0) {
    port = server->bind_to_any_port(host);
  } else if (!server->bind_to_port(host, requested_port)) {
    port = -1;
  }
  if (port <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.address, " for ", options.name));
  }
  // Listening again on a listening socket only changes its backlog.
  if (*listening_socket >= 0 && ::listen(*listening_socket, SOMAXCONN) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot set the listen backlog on ", options.address));
  }
  return std::unique_ptr<HttpListener>(
      new HttpListener(std::move(server), port));
}

HttpListener::HttpListener(std::unique_ptr<httplib::Server> server, int port)
    : server_(std::move(server)), port_(port) {
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    finished_.store(true);
  });
}

HttpListener::~HttpListener() { Stop(); }

void HttpListener::Stop() {
  if (!thread_.joinable()) return;
  // httplib's stop() does nothing until listen_after_bind has marked the
  // server running, so a Stop right after Start must retry until one lands.
  while (!finished_.load()) {
    if (server_->is_running()) server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  thread_.join();
}

}  // namespace bulletin
