// The registry renders the Prometheus text format exactly.

#include "common/metrics/metrics.h"

#include <string>
#include <vector>

#include "common/metrics/grpc_core_metrics.h"
#include "common/metrics/rpc_metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistryTest, RendersCountersWithEscapedLabels) {
  MetricsRegistry registry;
  Counter* counter = registry.AddCounter("x_total", "Things.", {"kind"});
  counter->Increment({"a\"b\\c\nd"}, 2);
  counter->Increment({"plain"});
  EXPECT_EQ(registry.Render(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total{kind=\"a\\\"b\\\\c\\nd\"} 2\n"
            "x_total{kind=\"plain\"} 1\n");
  EXPECT_EQ(counter->Value({"plain"}), 1);
  EXPECT_EQ(counter->Value({"never"}), 0);
}

TEST(MetricsRegistryTest, RendersCumulativeHistogramBuckets) {
  MetricsRegistry registry;
  Histogram* histogram =
      registry.AddHistogram("h_seconds", "Latency.", {"m"}, {0.005, 1});
  histogram->Observe({"x"}, 0.001);
  histogram->Observe({"x"}, 0.5);
  histogram->Observe({"x"}, 7);
  EXPECT_EQ(registry.Render(),
            "# HELP h_seconds Latency.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{m=\"x\",le=\"0.005\"} 1\n"
            "h_seconds_bucket{m=\"x\",le=\"1\"} 2\n"
            "h_seconds_bucket{m=\"x\",le=\"+Inf\"} 3\n"
            "h_seconds_sum{m=\"x\"} 7.501\n"
            "h_seconds_count{m=\"x\"} 3\n");
  EXPECT_EQ(histogram->Count({"x"}), 3u);
}

TEST(MetricsRegistryTest, GaugesAreComputedAtEachRender) {
  MetricsRegistry registry;
  double value = 12345678901;
  registry.AddGauge("g", "A gauge.", {}, [&value] {
    return std::vector<GaugeSample>{{{}, value}};
  });
  EXPECT_THAT(registry.Render(), HasSubstr("\ng 12345678901\n"));
  value = 0.25;
  EXPECT_THAT(registry.Render(), HasSubstr("\ng 0.25\n"));
}

TEST(RpcMetricsTest, CountsByServiceMethodAndCode) {
  MetricsRegistry registry;
  RpcMetrics metrics(&registry);
  metrics.RecordCall("/bulletin.v1.IngestService/Submit",
                     grpc::StatusCode::UNAUTHENTICATED, 0.002);
  EXPECT_EQ(metrics.handled().Value(
                {"bulletin.v1.IngestService", "Submit", "UNAUTHENTICATED"}),
            1);
  EXPECT_THAT(registry.Render(),
              HasSubstr("grpc_server_handling_seconds_count{grpc_service="
                        "\"bulletin.v1.IngestService\",grpc_method=\"Submit\","
                        "grpc_code=\"UNAUTHENTICATED\"} 1\n"));
}

TEST(GrpcCoreMetricsTest, SumsChannelzServersAndReadsAbsentCountsAsZero) {
  absl::StatusOr<double> started = ParseChannelzCallsStarted(
      R"({"server":[{"ref":{"serverId":"1"},"data":{"callsStarted":"3",)"
      R"("callsFailed":"2","callsSucceeded":"1"}},)"
      R"({"ref":{"serverId":"2"},"data":{}}],"end":true})");
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(*started, 3);

  absl::StatusOr<double> none = ParseChannelzCallsStarted(R"({"end":true})");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, 0);
}

TEST(GrpcCoreMetricsTest, RefusesAnotherShape) {
  EXPECT_FALSE(ParseChannelzCallsStarted("not json").ok());
  EXPECT_FALSE(ParseChannelzCallsStarted(R"({"server":{}})").ok());
  EXPECT_FALSE(
      ParseChannelzCallsStarted(R"({"server":[{"data":{"callsStarted":2}}]})")
          .ok());
}

}  // namespace
}  // namespace bulletin
