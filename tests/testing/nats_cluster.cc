#include "tests/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace bulletin::testing {
namespace {

constexpr char kServerBinary[] = "/usr/sbin/nats-server";

std::string ServerName(int i) { return absl::StrCat("n", i); }

bool AcceptsConnections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return connected;
}

}  // namespace

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = 0;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("cannot bind a loopback port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(int size) {
  if (access(kServerBinary, X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(kServerBinary,
                     " is missing: install Debian's nats-server "
                     "(scripts/install-deps.sh does)"));
  }
  // A port picked free can be taken by another test before nats-server
  // binds it; then that server exits, and the cluster is started again on
  // fresh ports.
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = StartOnce(size);
    if (cluster.ok()) return cluster;
    last = cluster.status();
  }
  return last;
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::StartOnce(int size) {
  // Clusters of tests running at once must never route to each other: a
  // name of their own keeps them apart even if a port is reused.
  static std::atomic<int> clusters{0};
  const std::string cluster_name =
      absl::StrCat("bulletin-test-", getpid(), "-", clusters.fetch_add(1));
  std::unique_ptr<NatsCluster> cluster(new NatsCluster());
  cluster->nodes_.resize(size);
  for (Node& node : cluster->nodes_) {
    absl::StatusOr<int> client = FreeLoopbackPort();
    absl::StatusOr<int> routes = FreeLoopbackPort();
    if (!client.ok()) return client.status();
    if (!routes.ok()) return routes.status();
    node.client_port = *client;
    node.cluster_port = *routes;
  }
  std::vector<std::string> route_urls;
  for (const Node& node : cluster->nodes_) {
    route_urls.push_back(
        absl::StrCat("nats-route://127.0.0.1:", node.cluster_port));
  }
  for (int i = 0; i < size; ++i) {
    Node& node = cluster->nodes_[i];
    const std::string base = absl::StrCat(cluster->dir_.path(), "/n", i);
    node.config_path = base + ".conf";
    node.log_path = base + ".log";
    std::ofstream config(node.config_path);
    config << "server_name: " << ServerName(i) << "\n"
           << "listen: 127.0.0.1:" << node.client_port << "\n"
           << "jetstream {\n  store_dir: \"" << cluster->store_dir(i) << "\"\n"
           << "  max_memory_store: 64MB\n  max_file_store: 2GB\n}\n";
    if (size > 1) {
      config << "cluster {\n  name: " << cluster_name << "\n"
             << "  listen: 127.0.0.1:" << node.cluster_port << "\n"
             << "  routes: [" << absl::StrJoin(route_urls, ", ") << "]\n}\n";
    }
    if (!config.good()) {
      return absl::InternalError(
          absl::StrCat("cannot write ", node.config_path));
    }
  }
  for (int i = 0; i < size; ++i) {
    absl::Status started = cluster->StartNode(i);
    if (!started.ok()) return started;
  }
  return cluster;
}

NatsCluster::~NatsCluster() {
  for (Node& node : nodes_) {
    if (node.process) node.process->Kill();
  }
}

absl::Status NatsCluster::StartNode(int i) {
  Node& node = nodes_[i];
  absl::StatusOr<std::unique_ptr<ChildProcess>> process = ChildProcess::Start(
      {kServerBinary, "-c", node.config_path}, node.log_path);
  if (!process.ok()) return process.status();
  node.process = *std::move(process);
  // Started when this server says it listens on its own ports (a port that
  // accepts could be another process's) and is still running.
  const std::string client_listening = absl::StrCat(
      "Listening for client connections on 127.0.0.1:", node.client_port);
  const std::string routes_listening = absl::StrCat(
      "Listening for route connections on 127.0.0.1:", node.cluster_port);
  const bool clustered = nodes_.size() > 1;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (;;) {
    const std::string log = FileTail(node.log_path, 1 << 16);
    const bool listening =
        log.find(client_listening) != std::string::npos &&
        (!clustered || log.find(routes_listening) != std::string::npos);
    if (!node.process->Running() || absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat(
          "nats-server n", i, " did not start: ", FileTail(node.log_path)));
    }
    if (listening && AcceptsConnections(node.client_port)) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

std::vector<std::string> NatsCluster::urls() const {
  std::vector<std::string> urls;
  for (const Node& node : nodes_) {
    urls.push_back(absl::StrCat("nats://127.0.0.1:", node.client_port));
  }
  return urls;
}

std::string NatsCluster::url_list() const { return absl::StrJoin(urls(), ","); }

void NatsCluster::Kill(int i) {
  if (nodes_[i].process) nodes_[i].process->Kill();
}

absl::Status NatsCluster::Restart(int i) {
  Kill(i);
  return StartNode(i);
}

void NatsCluster::Freeze(int i) {
  if (Running(i)) kill(pid(i), SIGSTOP);
}

absl::StatusOr<int> NatsCluster::StreamLeader(const std::string& stream) {
  std::vector<std::string> running;
  for (int i = 0; i < size(); ++i) {
    if (Running(i)) {
      running.push_back(
          absl::StrCat("nats://127.0.0.1:", nodes_[i].client_port));
    }
  }
  if (running.empty()) return absl::UnavailableError("no server is running");
  const std::string servers = absl::StrJoin(running, ",");
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  natsStatus status = natsConnection_ConnectTo(&connection, servers.c_str());
  if (status == NATS_OK)
    status = natsConnection_JetStream(&js, connection, nullptr);
  if (status == NATS_OK) {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = 5000;
    status = js_GetStreamInfo(&info, js, stream.c_str(), &options, nullptr);
  }
  std::string leader;
  if (status == NATS_OK && info->Cluster != nullptr &&
      info->Cluster->Leader != nullptr) {
    leader = info->Cluster->Leader;
  }
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (js != nullptr) jsCtx_Destroy(js);
  if (connection != nullptr) natsConnection_Destroy(connection);
  if (status != NATS_OK) {
    return absl::UnavailableError(absl::StrCat(
        "cannot read stream ", stream, ": ", natsStatus_GetText(status)));
  }
  const int index = IndexOfServer(leader);
  if (index < 0) {
    return absl::UnavailableError(
        absl::StrCat("stream ", stream, " has no leader now"));
  }
  return index;
}

bool NatsCluster::Running(int i) {
  return nodes_[i].process && nodes_[i].process->Running();
}

pid_t NatsCluster::pid(int i) const {
  return nodes_[i].process ? nodes_[i].process->pid() : 0;
}

std::string NatsCluster::store_dir(int i) const {
  return absl::StrCat(dir_.path(), "/n", i, "-store");
}

int NatsCluster::IndexOfServer(absl::string_view server_name) const {
  for (int i = 0; i < size(); ++i) {
    if (ServerName(i) == server_name) return i;
  }
  return -1;
}

}  // namespace bulletin::testing
