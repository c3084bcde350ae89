// ConnectionThreads: every connection is served at once up to the limit,
// the rest wait their turn, and idle threads end.

#include "common/http/connection_threads.h"

#include <atomic>

#include "absl/time/clock.h"
#include "common/sync/mutex.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

// Jobs that stand for open connections: each stays until Release.
class Connections {
 public:
  std::function<void()> Job() {
    return [this] {
      MutexLock lock(&mutex_);
      ++running_;
      ++started_;
      changed_.SignalAll();
      changed_.Wait(&mutex_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return released_;
      });
      --running_;
    };
  }
  // Waits (up to 60 s) until `n` jobs run at once.
  bool AwaitRunning(int n) {
    MutexLock lock(&mutex_);
    return changed_.WaitUntil(
        &mutex_, absl::Now() + absl::Seconds(60),
        [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return running_ >= n; });
  }
  int started() {
    MutexLock lock(&mutex_);
    return started_;
  }
  void Release() {
    MutexLock lock(&mutex_);
    released_ = true;
    changed_.SignalAll();
  }

 private:
  Mutex mutex_;
  CondVar changed_;
  int running_ ABSL_GUARDED_BY(mutex_) = 0;
  int started_ ABSL_GUARDED_BY(mutex_) = 0;
  bool released_ ABSL_GUARDED_BY(mutex_) = false;
};

TEST(ConnectionThreadsTest, ServesEveryOpenConnectionAtOnce) {
  ConnectionThreads threads(256, absl::Seconds(30));
  Connections connections;
  for (int i = 0; i < 64; ++i) threads.enqueue(connections.Job());
  // A fixed pool of 32 would leave 32 of them waiting for as long as the
  // first ones stay open.
  EXPECT_TRUE(connections.AwaitRunning(64));
  EXPECT_EQ(threads.threads(), 64u);
  connections.Release();
  threads.shutdown();
  EXPECT_EQ(threads.threads(), 0u);
}

TEST(ConnectionThreadsTest, ConnectionsBeyondTheLimitWaitForAThread) {
  ConnectionThreads threads(4, absl::Seconds(30));
  Connections connections;
  for (int i = 0; i < 6; ++i) threads.enqueue(connections.Job());
  ASSERT_TRUE(connections.AwaitRunning(4));
  EXPECT_EQ(threads.threads(), 4u);
  EXPECT_EQ(connections.started(), 4);
  // Once the open ones close, the waiting ones run.
  connections.Release();
  threads.shutdown();
  EXPECT_EQ(connections.started(), 6);
}

TEST(ConnectionThreadsTest, IdleThreadsEnd) {
  ConnectionThreads threads(8, absl::Milliseconds(1));
  std::atomic<int> ran{0};
  for (int i = 0; i < 8; ++i) threads.enqueue([&ran] { ++ran; });
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (threads.threads() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(threads.threads(), 0u);
  EXPECT_EQ(ran.load(), 8);
  // And new work still finds a thread.
  threads.enqueue([&ran] { ++ran; });
  threads.shutdown();
  EXPECT_EQ(ran.load(), 9);
}

}  // namespace
}  // namespace bulletin
