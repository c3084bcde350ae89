#include <atomic>

#include "absl/time/clock.h"
#include "common/server/call_deadline.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

// A search polls its cancellation several times however short it is, and
// asking a gRPC call whether its caller has gone costs syscalls: IsCancelled
// asks at most once per kCallerLookInterval, counted from the call's start.
TEST(CallBoundsTest, AsksWhetherTheCallerWentAtMostOncePerInterval) {
  int asked = 0;
  const absl::Time start = absl::Now();
  const CallBounds call(absl::InfiniteFuture(), [&asked] {
    ++asked;
    return false;
  });
  for (int i = 0; i < 100000; ++i) EXPECT_FALSE(call.IsCancelled());
  const absl::Duration elapsed = absl::Now() - start;
  EXPECT_LE(asked, elapsed / CallBounds::kCallerLookInterval);
}

TEST(CallBoundsTest, ACallerThatWentStaysGoneWithoutBeingAskedAgain) {
  std::atomic<bool> gone{false};
  int asked = 0;
  const CallBounds call(absl::InfiniteFuture(), [&] {
    ++asked;
    return gone.load();
  });
  gone = true;
  // Found within an interval or so of going.
  while (!call.IsCancelled()) {
    absl::SleepFor(CallBounds::kCallerLookInterval / 5);
  }
  const int asked_when_found = asked;
  absl::SleepFor(CallBounds::kCallerLookInterval * 2);
  EXPECT_TRUE(call.IsCancelled());
  EXPECT_EQ(asked, asked_when_found);
}

TEST(CallBoundsTest, ACallerThatCannotGoIsNeverCancelled) {
  const CallBounds call(absl::InfiniteFuture(), nullptr);
  absl::SleepFor(CallBounds::kCallerLookInterval * 2);
  EXPECT_FALSE(call.IsCancelled());
}

}  // namespace
}  // namespace bulletin
