#include "common/sync/mutex.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

// Run under TSan (scripts/test.sh): a lock that did not order the threads'
// accesses would be reported as a data race on `total`.
TEST(MutexTest, MutexLockExcludesOtherThreads) {
  struct {
    Mutex mu;
    int total ABSL_GUARDED_BY(mu) = 0;
  } counter;
  constexpr int kThreads = 4;
  constexpr int kAdds = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAdds; ++i) {
        MutexLock lock(&counter.mu);
        ++counter.total;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  MutexLock lock(&counter.mu);
  EXPECT_EQ(counter.total, kThreads * kAdds);
}

TEST(MutexTest, WriterMutexLockExcludesReaders) {
  // The writer keeps the two equal; a reader that overlapped a write would
  // see them differ (and TSan would report the race).
  struct {
    SharedMutex mu;
    int first ABSL_GUARDED_BY(mu) = 0;
    int second ABSL_GUARDED_BY(mu) = 0;
  } pair;
  constexpr int kWrites = 10000;
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) {
      WriterMutexLock lock(&pair.mu);
      ++pair.first;
      ++pair.second;
    }
  });
  int mismatches = 0;
  for (int i = 0; i < kWrites; ++i) {
    ReaderMutexLock lock(&pair.mu);
    if (pair.first != pair.second) ++mismatches;
  }
  writer.join();
  EXPECT_EQ(mismatches, 0);
  ReaderMutexLock lock(&pair.mu);
  EXPECT_EQ(pair.first, kWrites);
}

TEST(MutexTest, ReadersHoldTheLockTogether) {
  SharedMutex shared;
  struct {
    Mutex mu;
    CondVar changed;
    bool second_entered ABSL_GUARDED_BY(mu) = false;
  } entered;
  // The first reader keeps its read lock until the second has taken one;
  // with an exclusive lock this would never finish.
  ReaderMutexLock first(&shared);
  std::thread second([&] {
    ReaderMutexLock lock(&shared);
    MutexLock entered_lock(&entered.mu);
    entered.second_entered = true;
    entered.changed.SignalAll();
  });
  {
    MutexLock lock(&entered.mu);
    entered.changed.Wait(&entered.mu,
                         [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(entered.mu) {
                           return entered.second_entered;
                         });
    EXPECT_TRUE(entered.second_entered);
  }
  second.join();
}

// The index's applier is the writer; searches are the readers. With a
// reader-preferring lock (glibc's default rwlock), readers that keep
// overlapping hold the writer off for ever; here a reader already in must
// see later readers refused while a writer waits.
TEST(MutexTest, AWaitingWriterHoldsBackNewReaders) {
  SharedMutex shared;
  std::atomic<bool> reader_in{false};
  std::atomic<bool> reader_may_leave{false};
  std::atomic<bool> wrote{false};
  std::thread reader([&] {
    ReaderMutexLock lock(&shared);
    reader_in = true;
    while (!reader_may_leave.load()) std::this_thread::yield();
  });
  while (!reader_in.load()) std::this_thread::yield();
  std::thread writer([&] {
    WriterMutexLock lock(&shared);
    wrote = true;
  });
  // Until the writer queues, a new reader still gets in; once it queues,
  // none does. A reader-preferring lock lets every one in: the bound below
  // is how long this test waits for the writer thread to start, not a
  // measure of speed.
  bool refused = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (!refused && absl::Now() < give_up) {
    if (shared.ReaderTryLock()) {
      shared.ReaderUnlock();
      std::this_thread::yield();
    } else {
      refused = true;
    }
  }
  EXPECT_TRUE(refused) << "a reader got in while a writer was waiting";
  EXPECT_FALSE(wrote.load()) << "the writer ran while a reader held the lock";
  reader_may_leave = true;
  reader.join();
  writer.join();
  EXPECT_TRUE(wrote.load());
}

TEST(CondVarTest, WaitUntilReturnsWhenAnotherThreadMakesItTrue) {
  struct {
    Mutex mu;
    CondVar changed;
    int value ABSL_GUARDED_BY(mu) = 0;
  } s;
  std::thread setter([&] {
    MutexLock lock(&s.mu);
    s.value = 7;
    s.changed.SignalAll();
  });
  {
    MutexLock lock(&s.mu);
    EXPECT_TRUE(s.changed.WaitUntil(
        &s.mu, absl::InfiniteFuture(),
        [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) { return s.value == 7; }));
    // Still held after the wait: this write is ordered after the setter's.
    s.value = 8;
  }
  setter.join();
  MutexLock lock(&s.mu);
  EXPECT_EQ(s.value, 8);
}

TEST(CondVarTest, WaitUntilReturnsFalseAtAPassedDeadline) {
  Mutex mu;
  CondVar changed;
  MutexLock lock(&mu);
  EXPECT_FALSE(changed.WaitUntil(&mu, absl::Now() - absl::Seconds(1),
                                 [] { return false; }));
}

TEST(CondVarTest, WaitUntilReturnsTrueAtOnceWhenAlreadyTrue) {
  Mutex mu;
  CondVar changed;
  MutexLock lock(&mu);
  EXPECT_TRUE(changed.WaitUntil(&mu, absl::Now() - absl::Seconds(1),
                                [] { return true; }));
  EXPECT_TRUE(
      changed.WaitUntil(&mu, absl::InfiniteFuture(), [] { return true; }));
}

TEST(CondVarTest, SignalWakesAWaiter) {
  struct {
    Mutex mu;
    CondVar changed;
    bool ready ABSL_GUARDED_BY(mu) = false;
  } s;
  std::thread waiter([&] {
    MutexLock lock(&s.mu);
    s.changed.Wait(
        &s.mu, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) { return s.ready; });
    s.ready = false;
  });
  {
    MutexLock lock(&s.mu);
    s.ready = true;
  }
  s.changed.Signal();
  waiter.join();
  MutexLock lock(&s.mu);
  EXPECT_FALSE(s.ready);
}

TEST(SharedCondVarTest, ReaderWaitUntilReturnsWhenAWriterMakesItTrue) {
  struct {
    SharedMutex mu;
    SharedCondVar changed;
    int applied ABSL_GUARDED_BY(mu) = 0;
  } s;
  std::thread writer([&] {
    {
      WriterMutexLock lock(&s.mu);
      s.applied = 3;
    }
    s.changed.SignalAll();
  });
  {
    ReaderMutexLock lock(&s.mu);
    EXPECT_TRUE(s.changed.ReaderWaitUntil(
        &s.mu, absl::InfiniteFuture(),
        [&]() ABSL_SHARED_LOCKS_REQUIRED(s.mu) { return s.applied >= 3; }));
    EXPECT_EQ(s.applied, 3);
  }
  writer.join();
}

TEST(SharedCondVarTest, ReaderWaitUntilReturnsFalseAtAPassedDeadline) {
  SharedMutex mu;
  SharedCondVar changed;
  ReaderMutexLock lock(&mu);
  EXPECT_FALSE(changed.ReaderWaitUntil(&mu, absl::Now() - absl::Seconds(1),
                                       [] { return false; }));
}

}  // namespace
}  // namespace bulletin
