// HealthState: what gRPC health is told for each combination of conditions,
// and that ready/live/Describe agree with it.

#include "common/server/health_state.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::HasSubstr;

// Records the last status set per service name, as gRPC's would serve it.
class RecordingHealthService : public grpc::HealthCheckServiceInterface {
 public:
  void SetServingStatus(const std::string& service_name,
                        bool serving) override {
    statuses[service_name] = serving;
  }
  void SetServingStatus(bool serving) override {
    for (auto& [name, status] : statuses) status = serving;
  }

  std::map<std::string, bool> statuses;
};

TEST(HealthStateTest, ConditionsRaisedBeforeAttachArePushedOnAttach) {
  HealthState health({"bulletin.v1.QueryService"});
  health.Raise("catching_up", HealthState::kNotReady);
  RecordingHealthService grpc_health;
  health.Attach(&grpc_health);
  EXPECT_EQ(grpc_health.statuses,
            (std::map<std::string, bool>{{"", false},
                                         {"bulletin.v1.QueryService", false},
                                         {"liveness", true}}));
  health.Clear("catching_up");
  EXPECT_EQ(
      grpc_health.statuses,
      (std::map<std::string, bool>{
          {"", true}, {"bulletin.v1.QueryService", true}, {"liveness", true}}));
  EXPECT_TRUE(health.ready());
  EXPECT_EQ(health.Describe(), "ready");
}

TEST(HealthStateTest, NotLiveImpliesNotReady) {
  HealthState health({});
  RecordingHealthService grpc_health;
  health.Attach(&grpc_health);
  health.Raise("log_not_writable", HealthState::kNotLive);
  EXPECT_FALSE(health.ready());
  EXPECT_FALSE(health.live());
  EXPECT_FALSE(grpc_health.statuses[""]);
  EXPECT_FALSE(grpc_health.statuses["liveness"]);
  EXPECT_EQ(health.Describe(), "not live: log_not_writable");
}

TEST(HealthStateTest, ReadyOnlyWhenEveryConditionIsCleared) {
  HealthState health({});
  RecordingHealthService grpc_health;
  health.Attach(&grpc_health);
  health.Raise("lagging", HealthState::kNotReady);
  health.Raise("lame_duck", HealthState::kNotReady);
  EXPECT_THAT(health.Describe(), HasSubstr("not ready: lagging, lame_duck"));
  health.Clear("lagging");
  EXPECT_FALSE(health.ready());
  EXPECT_FALSE(grpc_health.statuses[""]);
  EXPECT_TRUE(grpc_health.statuses["liveness"]);
  health.Set("lame_duck", HealthState::kNotReady, false);
  EXPECT_TRUE(health.ready());
  EXPECT_TRUE(grpc_health.statuses[""]);
  EXPECT_FALSE(health.raised("lame_duck"));
}

TEST(HealthStateTest, RaisingAgainChangesTheEffect) {
  HealthState health({});
  health.Raise("disk", HealthState::kNotReady);
  EXPECT_TRUE(health.live());
  health.Raise("disk", HealthState::kNotLive);
  EXPECT_FALSE(health.live());
  health.Raise("disk", HealthState::kNotReady);
  EXPECT_TRUE(health.live());
  EXPECT_FALSE(health.ready());
}

}  // namespace
}  // namespace bulletin
