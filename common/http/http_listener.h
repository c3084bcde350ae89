// Serves an httplib::Server (or SSLServer) on a port of its own, on threads
// of its own: the one place the HTTP/JSON gateway (http_gateway.h) and the
// metrics endpoint (common/metrics/metrics_server.h) parse their address,
// set up cpp-httplib's sockets and threads, start and stop.
//
//   auto server = std::make_unique<httplib::Server>();
//   server->Get("/metrics", ...);            // routes first
//   bulletin::HttpListenerOptions options;
//   options.address = "127.0.0.1:0";
//   options.name = "metrics";
//   absl::StatusOr<std::unique_ptr<bulletin::HttpListener>> listener =
//       bulletin::HttpListener::Start(std::move(server), options);
//   if (!listener.ok()) ...;
//   ... (*listener)->port() ...
//   (*listener)->Stop();                     // or let it go out of scope
//
// What it sets on the server, and why:
// - SO_REUSEADDR, not cpp-httplib's SO_REUSEPORT, which would let a second
//   process bind the same port and silently split the traffic.
// - TCP_NODELAY: cpp-httplib writes headers and body separately, and
//   Nagle's algorithm would hold the body back for the client's delayed
//   ACK, some 40 ms an answer.
// - A listen backlog of SOMAXCONN instead of cpp-httplib's 5. With 5, 64
//   clients connecting at once overflowed the accept queue; the kernel fell
//   back to SYN cookies, and connections whose cookie it then refused were
//   reset under their first request (the "read errors" bench/load saw from
//   32 clients up).
// - A thread per open connection, up to max_connections
//   (connection_threads.h); more connections wait for one to close.
// - Kept-alive connections carry up to 100,000 requests, so a client's
//   pooled connections are not torn down every few calls; one idle for
//   keep_alive_timeout is closed.
//
// Ownership: owns the server and its threads.
// Thread-safety: Start and Stop from one thread; requests run on the
// listener's threads.

#ifndef BULLETIN_COMMON_HTTP_HTTP_LISTENER_H_
#define BULLETIN_COMMON_HTTP_HTTP_LISTENER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace bulletin {

struct HttpListenerOptions {
  // host:port; port 0 picks a free one; [::1]:port for IPv6.
  std::string address;
  // What the port serves ("HTTP", "metrics"), for error messages.
  std::string name = "HTTP";
  // Connections served at once, each on a thread of its own.
  int max_connections = 32;
  // How long a kept-alive connection may stay idle.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
};

class HttpListener {
 public:
  // Binds `options.address` and serves `server`, whose routes are set.
  // INVALID_ARGUMENT when the address is not host:port, UNAVAILABLE when it
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpListener>> Start(
      std::unique_ptr<httplib::Server> server,
      const HttpListenerOptions& options);

  ~HttpListener();  // Calls Stop().
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Stops accepting, lets the requests in progress finish, closes the
  // connections and joins. Idempotent.
  void Stop();

  int port() const { return port_; }

 private:
  HttpListener(std::unique_ptr<httplib::Server> server, int port);

  std::unique_ptr<httplib::Server> server_;
  const int port_;
  // Set by the serving thread when listen_after_bind has returned.
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

// The host (without IPv6 brackets) and port of "host:port", or
// INVALID_ARGUMENT naming `name` ("HTTP address 'x' is not host:port").
absl::StatusOr<std::pair<std::string, int>> ParseHostPort(
    const std::string& address, const std::string& name);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_LISTENER_H_
