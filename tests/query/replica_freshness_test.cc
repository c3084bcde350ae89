// ReplicaFreshness: the lag is the age of the oldest head the replica has
// not applied, and readiness follows --max_replica_lag. Time is given to
// Sample, never read from a clock.

#include "query-service/replica_freshness.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace bulletin {
namespace {

ReplicaFreshness::Options MaxLag(absl::Duration max_lag) {
  ReplicaFreshness::Options options;
  options.max_lag = max_lag;
  return options;
}

class ReplicaFreshnessTest : public ::testing::Test {
 protected:
  ReplicaFreshnessTest()
      : health_({}),
        freshness_(
            MaxLag(absl::Seconds(30)), &health_, [this] { return head_; },
            [this] { return applied_; }) {}

  absl::Time At(int seconds) { return start_ + absl::Seconds(seconds); }

  const absl::Time start_ = absl::FromUnixSeconds(1700000000);
  uint64_t head_ = 0;
  uint64_t applied_ = 0;
  HealthState health_;
  ReplicaFreshness freshness_;
};

TEST_F(ReplicaFreshnessTest, AReplicaAtTheHeadHasNoLag) {
  head_ = applied_ = 5;
  freshness_.Sample(At(0));
  EXPECT_EQ(freshness_.Lag(At(100)), absl::ZeroDuration());
  EXPECT_TRUE(health_.ready());
}

TEST_F(ReplicaFreshnessTest, LagIsTheAgeOfTheOldestUnappliedHead) {
  head_ = 10;
  freshness_.Sample(At(0));
  head_ = 20;
  freshness_.Sample(At(10));
  EXPECT_EQ(freshness_.Lag(At(15)), absl::Seconds(15));
  // Past head 10, not yet 20: the lag now counts from when 20 was heard.
  applied_ = 12;
  freshness_.Sample(At(16));
  EXPECT_EQ(freshness_.Lag(At(16)), absl::Seconds(6));
  applied_ = 20;
  freshness_.Sample(At(17));
  EXPECT_EQ(freshness_.Lag(At(17)), absl::ZeroDuration());
}

TEST_F(ReplicaFreshnessTest, ASteadyStreamFollowedCloselyStaysFresh) {
  // Every sample sees a newer head than the last, and the replica has
  // applied the previous one: never more than one interval behind.
  for (int second = 0; second < 100; ++second) {
    applied_ = head_;
    head_ += 50;
    freshness_.Sample(At(second));
    EXPECT_LE(freshness_.Lag(At(second)), absl::Seconds(1));
  }
  EXPECT_TRUE(health_.ready());
}

TEST_F(ReplicaFreshnessTest, NotReadyPastMaxLagAndReadyAgainOnceCaughtUp) {
  head_ = 100;
  freshness_.Sample(At(0));
  freshness_.Sample(At(30));
  EXPECT_TRUE(health_.ready()) << "exactly at the limit is still fresh";
  freshness_.Sample(At(31));
  EXPECT_FALSE(health_.ready());
  EXPECT_TRUE(health_.raised(ReplicaFreshness::kCondition));
  EXPECT_TRUE(health_.live());
  applied_ = 100;
  freshness_.Sample(At(32));
  EXPECT_TRUE(health_.ready());
}

TEST(ReplicaFreshnessLimitTest, ZeroMaxLagNeverMakesTheReplicaUnready) {
  HealthState health({});
  ReplicaFreshness freshness(
      MaxLag(absl::ZeroDuration()), &health, [] { return uint64_t{100}; },
      [] { return uint64_t{0}; });
  freshness.Sample(absl::FromUnixSeconds(0));
  freshness.Sample(absl::FromUnixSeconds(3600));
  EXPECT_EQ(freshness.Lag(absl::FromUnixSeconds(3600)), absl::Hours(1));
  EXPECT_TRUE(health.ready());
}

}  // namespace
}  // namespace bulletin
