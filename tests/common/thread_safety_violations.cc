// Locking mistakes that clang -Wthread-safety must reject when they use
// common/sync/mutex.h; tests/common/CMakeLists.txt compiles this once per
// VIOLATION (0 is the correct version, which must compile cleanly) and checks
// the diagnostic. The proof that ABSL_GUARDED_BY on these types is checked.

#include "common/sync/mutex.h"

namespace bulletin {

class Account {
 public:
  void Deposit(int amount) {
#if VIOLATION == 1  // Writes a guarded member without the lock.
    balance_ += amount;
#else
    MutexLock lock(&mu_);
    balance_ += amount;
#endif
    changed_.SignalAll();
  }

  bool WaitForBalance(int at_least) {
#if VIOLATION == 2  // Waits without holding the mutex.
    return changed_.WaitUntil(&mu_, absl::InfiniteFuture(),
                              [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                                return balance_ >= at_least;
                              });
#else
    MutexLock lock(&mu_);
    return changed_.WaitUntil(&mu_, absl::InfiniteFuture(),
                              [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
                                return balance_ >= at_least;
                              });
#endif
  }

  // For a caller that holds mu_ in a way the analysis cannot see (a
  // callback run under the lock): AssertHeld tells it so.
  int BalanceFromCallback() {
    mu_.AssertHeld();
    return balance_;
  }

  int AuditsFromCallback() {
    audit_mu_.AssertReaderHeld();
    return audits_;
  }

  void Refund(int amount) {
#if VIOLATION == 4  // Calls a function that needs the lock without it.
    Credit(amount);
#else
    MutexLock lock(&mu_);
    Credit(amount);
#endif
  }

  void Audit() {
#if VIOLATION == 3  // Writes under a read lock.
    ReaderMutexLock lock(&audit_mu_);
#else
    WriterMutexLock lock(&audit_mu_);
#endif
    ++audits_;
  }

 private:
  void Credit(int amount) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    balance_ += amount;
  }

  Mutex mu_;
  CondVar changed_;
  int balance_ ABSL_GUARDED_BY(mu_) = 0;
  SharedMutex audit_mu_;
  int audits_ ABSL_GUARDED_BY(audit_mu_) = 0;
};

void Use() {
  Account account;
  account.Deposit(1);
  account.Audit();
  account.Refund(1);
  (void)account.BalanceFromCallback();
  (void)account.AuditsFromCallback();
  (void)account.WaitForBalance(1);
}

}  // namespace bulletin
