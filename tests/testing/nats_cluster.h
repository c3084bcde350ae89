// A real NATS cluster for tests: three `nats-server` processes (Debian's
// package) with JetStream, on loopback ports, each with its own temporary
// store directory, routed to each other. Every server dies with the test
// (see ChildProcess).
//
//   absl::StatusOr<std::unique_ptr<bulletin::testing::NatsCluster>> cluster =
//       bulletin::testing::NatsCluster::Start(3);
//   options.servers = (*cluster)->urls();
//   (*cluster)->Kill(0);      // SIGKILL one server...
//   (*cluster)->Restart(0);   // ...and bring it back on the same ports and
//                             // store.
//   absl::StatusOr<int> leader = (*cluster)->StreamLeader("BULLETINS");
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_TESTS_TESTING_NATS_CLUSTER_H_
#define BULLETIN_TESTS_TESTING_NATS_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace bulletin::testing {

class NatsCluster {
 public:
  // Starts `size` servers and waits until each accepts client connections.
  // JetStream elects its leaders a moment later; clients retry until it has.
  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(int size = 3);

  ~NatsCluster();

  // nats://127.0.0.1:PORT of every server.
  std::vector<std::string> urls() const;
  // The same, comma-separated, as --nats_url takes them.
  std::string url_list() const;
  // Server `i`'s client port (on 127.0.0.1).
  int client_port(int i) const { return nodes_[i].client_port; }
  int size() const { return static_cast<int>(nodes_.size()); }
  // SIGKILL server `i`.
  void Kill(int i);
  // SIGSTOP server `i`: it keeps its connections open and answers nothing,
  // as a hung machine does, until killed (Kill or Restart).
  void Freeze(int i);
  // The index of the server that leads `stream` now, asked of the running
  // servers through the JetStream API.
  absl::StatusOr<int> StreamLeader(const std::string& stream);
  // Starts server `i` again with its ports and store.
  absl::Status Restart(int i);
  bool Running(int i);
  // Process id of server `i` as last started (0 before it ever was).
  pid_t pid(int i) const;
  // Server `i`'s JetStream store directory (its streams' message blocks and
  // its Raft logs).
  std::string store_dir(int i) const;
  // The index of the server JetStream calls `server_name` (as in a stream's
  // cluster leader), or -1.
  int IndexOfServer(absl::string_view server_name) const;

 private:
  struct Node {
    int client_port = 0;
    int cluster_port = 0;
    std::string config_path;
    std::string log_path;
    std::unique_ptr<ChildProcess> process;
  };
  NatsCluster() = default;
  absl::Status StartNode(int i);
  static absl::StatusOr<std::unique_ptr<NatsCluster>> StartOnce(int size);

  TempDir dir_;
  std::vector<Node> nodes_;
};

// A free TCP port on 127.0.0.1 at the moment of asking.
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_TESTING_NATS_CLUSTER_H_
