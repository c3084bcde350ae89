// A TCP proxy for fault tests: forwards connections from a loopback port to a
// target, and can cut every open connection on demand, the way a network
// partition or a restarted load balancer would.
//
//   bulletin::testing::TcpProxy proxy;
//   ASSERT_TRUE(proxy.Start("127.0.0.1", ingest_port).ok());
//   // point the client at 127.0.0.1:proxy.port()
//   proxy.CutAll();            // every open connection is reset
//   proxy.SetBytesPerSecond(4096);   // a slow link, each way; 0: full speed
//   proxy.DropReplies(true);   // what the target sends is lost on the way
//
// Thread-safety: Start and the destructor from one thread; CutAll and
// accessors from any.

#ifndef BULLETIN_TESTS_TESTING_TCP_PROXY_H_
#define BULLETIN_TESTS_TESTING_TCP_PROXY_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "common/sync/mutex.h"

namespace bulletin::testing {

class TcpProxy {
 public:
  TcpProxy() = default;
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // Listens on 127.0.0.1 (a free port) and forwards to host:port.
  absl::Status Start(const std::string& host, int port);

  // Resets every connection open now; new connections are accepted as usual.
  void CutAll();

  // Caps each direction of every connection at about `rate` bytes per
  // second, from the next read on; 0 lifts the cap.
  void SetBytesPerSecond(int64_t rate) { bytes_per_second_ = rate; }

  // While set, what the target sends on any connection is read and
  // discarded, and what the client sends still arrives: the client's
  // requests are carried out and their answers lost, as with a server
  // that dies between the two. The connection is then fit only for
  // CutAll, since what the client got may end mid-message.
  void DropReplies(bool drop) { drop_replies_ = drop; }

  int port() const { return port_; }
  // Connections accepted so far.
  int accepted() const { return accepted_.load(); }

 private:
  struct Connection {
    int client_fd;
    int target_fd;
  };
  void AcceptLoop();
  void Pump(int client_fd, int target_fd);

  std::string host_;
  int target_port_ = 0;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int64_t> bytes_per_second_{0};
  std::atomic<bool> drop_replies_{false};
  std::thread acceptor_;
  Mutex mutex_;
  std::vector<Connection> open_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::thread> pumps_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_TCP_PROXY_H_
