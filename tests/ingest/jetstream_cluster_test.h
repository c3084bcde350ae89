// A base for JetStream log tests on a real 3-node NATS cluster (the stream
// replicated as production runs it): SetUp starts the cluster and fills
// `options_` for a stream of the test's own, on every server.
//
//   class MyTest : public JetStreamClusterTest {
//    protected:
//     MyTest() : JetStreamClusterTest("MYSTREAM") {}
//   };
//   TEST_F(MyTest, Works) { auto log = JetStreamLog::Open(options_); }
//
// Thread-safety: a test fixture, used by its test's thread.

#ifndef BULLETIN_TESTS_INGEST_JETSTREAM_CLUSTER_TEST_H_
#define BULLETIN_TESTS_INGEST_JETSTREAM_CLUSTER_TEST_H_

#include <unistd.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest-service/log/jetstream_log.h"
#include "tests/testing/nats_cluster.h"

namespace bulletin {

class JetStreamClusterTest : public ::testing::Test {
 protected:
  // The stream is `stream_prefix` and this process's id: tests running at
  // once never share one.
  explicit JetStreamClusterTest(std::string stream_prefix)
      : stream_prefix_(std::move(stream_prefix)) {}

  void SetUp() override {
    absl::StatusOr<std::unique_ptr<testing::NatsCluster>> cluster =
        testing::NatsCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    options_.servers = cluster_->urls();
    options_.stream = absl::StrCat(stream_prefix_, getpid());
    options_.replicas = 3;
  }

  const std::string stream_prefix_;
  std::unique_ptr<testing::NatsCluster> cluster_;
  JetStreamLog::Options options_;
};

}  // namespace bulletin

#endif  // BULLETIN_TESTS_INGEST_JETSTREAM_CLUSTER_TEST_H_
