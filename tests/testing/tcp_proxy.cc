#include "tests/testing/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace bulletin::testing {
namespace {

// Closing with SO_LINGER 0 sends RST: both ends see the connection die at
// once, as with a network failure, instead of an orderly FIN.
void Reset(int fd) {
  linger option{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, sizeof(option));
  shutdown(fd, SHUT_RDWR);
}

}  // namespace

TcpProxy::~TcpProxy() {
  stopping_ = true;
  if (listen_fd_ >= 0) shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  CutAll();
  std::vector<std::thread> pumps;
  {
    MutexLock lock(&mutex_);
    pumps.swap(pumps_);
  }
  for (std::thread& pump : pumps) pump.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

absl::Status TcpProxy::Start(const std::string& host, int port) {
  host_ = host;
  target_port_ = port;
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address),
           sizeof(address)) != 0 ||
      listen(listen_fd_, 64) != 0) {
    return absl::InternalError(absl::StrCat("proxy bind: ", strerror(errno)));
  }
  socklen_t length = sizeof(address);
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return absl::OkStatus();
}

void TcpProxy::CutAll() {
  MutexLock lock(&mutex_);
  for (const Connection& connection : open_) {
    Reset(connection.client_fd);
    Reset(connection.target_fd);
  }
  open_.clear();
}

void TcpProxy::AcceptLoop() {
  while (!stopping_) {
    const int client_fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client_fd < 0) {
      if (stopping_) return;
      continue;
    }
    const int target_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(static_cast<uint16_t>(target_port_));
    inet_pton(AF_INET, host_.c_str(), &target.sin_addr);
    if (connect(target_fd, reinterpret_cast<sockaddr*>(&target),
                sizeof(target)) != 0) {
      Reset(client_fd);
      close(client_fd);
      close(target_fd);
      continue;
    }
    ++accepted_;
    MutexLock lock(&mutex_);
    open_.push_back({client_fd, target_fd});
    pumps_.emplace_back(
        [this, client_fd, target_fd] { Pump(client_fd, target_fd); });
  }
}

void TcpProxy::Pump(int client_fd, int target_fd) {
  char buffer[64 << 10];
  pollfd fds[2] = {{client_fd, POLLIN, 0}, {target_fd, POLLIN, 0}};
  bool open = true;
  while (open && !stopping_) {
    if (poll(fds, 2, 100) < 0) break;
    for (int i = 0; i < 2 && open; ++i) {
      if (fds[i].revents == 0) continue;
      // Throttled, a read takes a twentieth of a second's worth and the
      // pump then sleeps that twentieth, so data flows evenly.
      const int64_t rate = bytes_per_second_.load();
      const size_t chunk =
          rate > 0 ? std::clamp<size_t>(static_cast<size_t>(rate / 20), 1,
                                        sizeof(buffer))
                   : sizeof(buffer);
      const ssize_t got = read(fds[i].fd, buffer, chunk);
      if (got <= 0) {
        open = false;
        break;
      }
      const int to = fds[1 - i].fd;
      if (to == client_fd && drop_replies_) continue;
      for (ssize_t sent = 0; sent < got;) {
        // MSG_NOSIGNAL: a peer reset by CutAll must end this pump, not
        // kill the test with SIGPIPE.
        const ssize_t wrote = send(to, buffer + sent, got - sent, MSG_NOSIGNAL);
        if (wrote <= 0) {
          open = false;
          break;
        }
        sent += wrote;
      }
      if (rate > 0 && open) {
        std::this_thread::sleep_for(std::chrono::microseconds(
            static_cast<int64_t>(got) * 1000000 / rate));
      }
    }
  }
  {
    MutexLock lock(&mutex_);
    open_.erase(std::remove_if(open_.begin(), open_.end(),
                               [&](const Connection& c) {
                                 return c.client_fd == client_fd;
                               }),
                open_.end());
  }
  Reset(client_fd);
  Reset(target_fd);
  close(client_fd);
  close(target_fd);
}

}  // namespace bulletin::testing
