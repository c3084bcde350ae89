// Mutexes and condition variables that clang's thread-safety analysis checks.
//
//   class Counter {
//    public:
//     void Add(int n) {
//       {
//         bulletin::MutexLock lock(&mu_);
//         total_ += n;
//       }
//       changed_.SignalAll();
//     }
//     bool WaitForAtLeast(int n, absl::Time deadline) {
//       bulletin::MutexLock lock(&mu_);
//       return changed_.WaitUntil(&mu_, deadline,
//                                 [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
//                                   return total_ >= n;
//                                 });
//     }
//
//    private:
//     bulletin::Mutex mu_;
//     bulletin::CondVar changed_;
//     int total_ ABSL_GUARDED_BY(mu_) = 0;
//   };
//
// Why these and not std::mutex or absl::Mutex:
// - ABSL_GUARDED_BY(mu_) is only a comment unless mu_'s type is a capability
//   the analysis knows (ABSL_LOCKABLE) and it is locked through annotated
//   functions. libstdc++'s std::mutex and std::unique_lock carry no
//   annotations, so clang -Wthread-safety (scripts/test.sh builds with it and
//   -Werror) can check nothing about them. These types carry the annotations,
//   as LevelDB's port::Mutex does.
// - They wrap std::mutex and pthread_rwlock rather than absl::Mutex because
//   Debian's Abseil is a prebuilt, uninstrumented library: ThreadSanitizer
//   cannot see absl::Mutex's happens-before edges and reports every access
//   it guards as a race, while it intercepts the pthread calls.
//
// Waiting: CondVar::Wait and WaitUntil take the mutex the caller holds and a
// predicate, which runs with that mutex held. The analysis checks a lambda's
// body as a function of its own, so a predicate that reads guarded members
// says what it holds: `[&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { ... }`
// (ABSL_SHARED_LOCKS_REQUIRED for a SharedMutex held for reading).
// WaitUntil takes an absl::Time deadline, absl::InfiniteFuture() included
// (common/sync/wait.h).
//
// Ownership and thread-safety: every type here is neither copyable nor
// movable; all member functions may be called from any thread. A Mutex or
// SharedMutex must outlive every lock and wait on it, and is not reentrant.
// AssertHeld and AssertReaderHeld check nothing at run time (std::mutex does
// not know its owner); they tell the analysis what a caller's contract
// already guarantees.

#ifndef BULLETIN_COMMON_SYNC_MUTEX_H_
#define BULLETIN_COMMON_SYNC_MUTEX_H_

#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "common/sync/wait.h"

namespace bulletin {

// An exclusive lock: std::mutex with annotations.
class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A reader/writer lock that prefers writers: once a writer waits, new
// readers queue behind it.
//
// Why not std::shared_mutex: glibc's is a reader-preferring rwlock, so a
// writer waits for a moment with no reader at all. BulletinIndex's applier
// is that writer, and a replica under steady search load (searches that
// overlap, as they do at any concurrency above the core count) would fall
// behind its log without bound. Preferring writers bounds the applier's wait
// by the longest search in progress; the price is that searches arriving
// behind a waiting Apply wait for it too, which is short by design.
// Because a waiting writer blocks new readers, a thread must never take the
// read lock twice (it would deadlock behind a writer queued between).
class ABSL_LOCKABLE SharedMutex {
 public:
  SharedMutex() {
    pthread_rwlockattr_t attributes;
    pthread_rwlockattr_init(&attributes);
    // "Nonrecursive": a reader that asks again would queue behind a waiting
    // writer; glibc's plain PREFER_WRITER kind ignores the preference.
    pthread_rwlockattr_setkind_np(&attributes,
                                  PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&rwlock_, &attributes);
    pthread_rwlockattr_destroy(&attributes);
  }
  ~SharedMutex() { pthread_rwlock_destroy(&rwlock_); }
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    pthread_rwlock_wrlock(&rwlock_);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { pthread_rwlock_unlock(&rwlock_); }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    pthread_rwlock_rdlock(&rwlock_);
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    pthread_rwlock_unlock(&rwlock_);
  }
  // Takes the read lock only if that needs no wait: false while a writer
  // holds the lock or waits for it.
  bool ReaderTryLock() ABSL_SHARED_TRYLOCK_FUNCTION(true) {
    return pthread_rwlock_tryrdlock(&rwlock_) == 0;
  }
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}
  void AssertReaderHeld() const ABSL_ASSERT_SHARED_LOCK() {}

 private:
  pthread_rwlock_t rwlock_;
};

// Holds `mu` exclusively for its scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    mu_->Lock();
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Holds `mu` exclusively (as its writer) for its scope.
class ABSL_SCOPED_LOCKABLE WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->Lock();
  }
  ~WriterMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// Holds `mu` shared (as one of its readers) for its scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* const mu_;
};

// A condition variable for a Mutex: std::condition_variable.
class CondVar {
 public:
  CondVar() = default;
  CondVar(const CondVar&) = delete;
  CondVar& operator=(const CondVar&) = delete;

  // Blocks until `ready()` is true; `mu` is released while blocked.
  template <typename Predicate>
  void Wait(Mutex* mu, Predicate ready) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    WaitUntil(mu, absl::InfiniteFuture(), std::move(ready));
  }

  // Blocks until `ready()` is true or `deadline` passes; returns `ready()`.
  // `mu` is released while blocked.
  template <typename Predicate>
  bool WaitUntil(Mutex* mu, absl::Time deadline, Predicate ready)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    // The caller holds mu->mu_; the unique_lock borrows it for the wait and
    // gives it back still held.
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool reached = bulletin::WaitUntil(
        cv_, lock, deadline,
        // Runs with `mu` held: the analysis cannot follow that through
        // std::condition_variable, so it is told here once.
        [&ready]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return ready(); });
    lock.release();
    return reached;
  }

  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// A condition variable for a SharedMutex held for reading:
// std::condition_variable_any over the read side of the lock.
class SharedCondVar {
 public:
  SharedCondVar() = default;
  SharedCondVar(const SharedCondVar&) = delete;
  SharedCondVar& operator=(const SharedCondVar&) = delete;

  // Blocks until `ready()` is true or `deadline` passes; returns `ready()`.
  // The read lock on `mu` is released while blocked.
  template <typename Predicate>
  bool ReaderWaitUntil(SharedMutex* mu, absl::Time deadline, Predicate ready)
      ABSL_SHARED_LOCKS_REQUIRED(mu) {
    // Borrows the caller's read lock, as CondVar::WaitUntil does: the wait
    // unlocks and relocks the read side through ReadSide.
    ReadSide read_side{mu};
    return bulletin::WaitUntil(
        cv_, read_side, deadline,
        [&ready]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return ready(); });
  }

  void SignalAll() { cv_.notify_all(); }

 private:
  // The read side of a SharedMutex as the BasicLockable that
  // std::condition_variable_any releases and retakes around a wait.
  struct ReadSide {
    void lock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu->ReaderLock(); }
    void unlock() ABSL_NO_THREAD_SAFETY_ANALYSIS { mu->ReaderUnlock(); }
    SharedMutex* mu;
  };

  std::condition_variable_any cv_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SYNC_MUTEX_H_
