#include "query-service/index/freezer.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "query-service/index/query/scoring.h"

namespace bulletin {

BlockBounds BlockBoundsOf(const std::vector<DocumentRank>& ranks) {
  BlockBounds out;
  out.lengths.resize(ranks.size());
  double total = 0;
  size_t live = 0;
  for (size_t doc = 0; doc < ranks.size(); ++doc) {
    out.lengths[doc] = LengthBound(ranks[doc].weighted_length);
    if (ranks[doc].live) {
      total += ranks[doc].weighted_length;
      ++live;
    }
  }
  // Any reference is sound (Bm25::BlockScoreBound); the average now is the
  // one searches use until it drifts.
  if (live > 0) {
    out.average_length = static_cast<uint16_t>(std::clamp<long>(
        std::lround(total / static_cast<double>(live)), 1, 65535));
  }
  return out;
}

BlockBasis BlockBounds::basis() const {
  return BlockBasis{&lengths, average_length, &Bm25::Saturation,
                    bounded_character_entries};
}

Freezer::Freezer(Install install) : install_(std::move(install)) {}

Freezer::~Freezer() { Join(); }

bool Freezer::running() const {
  MutexLock lock(&mu_);
  return running_;
}

void Freezer::Start(FreezeJob job) {
  Begin();
  thread_ = std::thread([this, job = std::move(job)]() mutable {
    // Background work: at the default priority, on two cores, the merge
    // would take a core from the applier and the RPC threads. Best effort;
    // a failure leaves it at the default.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
    Freeze(std::move(job));
  });
}

void Freezer::Run(FreezeJob job) {
  Begin();
  Freeze(std::move(job));
}

void Freezer::Begin() {
  Join();
  MutexLock lock(&mu_);
  running_ = true;
}

void Freezer::Join() {
  if (thread_.joinable()) thread_.join();
}

void Freezer::SetObserver(
    std::function<void(const BulletinIndex::FreezeReport&)> observer) {
  Join();
  after_install_ = std::move(observer);
}

void Freezer::SetHookForTesting(std::function<void()> hook) {
  Join();
  before_install_ = std::move(hook);
}

// Builds the new frozen tiers without holding a lock (their inputs are
// immutable), then installs them; the index's readers and writer wait only
// for the install.
void Freezer::Freeze(FreezeJob job) {
  const absl::Time started = absl::Now();
  FrozenTiers tiers;
  tiers.grams = GramIndex::Freeze(job.grams, job.dead, job.bounds.basis());
  tiers.lists = ValueDictionary::Freeze(job.dictionary, job.dead);
  const absl::Time built = absl::Now();
  if (before_install_) before_install_();
  install_(job, std::move(tiers));
  {
    MutexLock lock(&mu_);
    running_ = false;
  }
  if (after_install_) {
    after_install_(BulletinIndex::FreezeReport{
        job.documents, static_cast<int64_t>(job.dropped), built - started,
        absl::Now() - built});
  }
  // `job` holds the last references to the old tiers: they are freed here,
  // outside the index's lock.
}

}  // namespace bulletin
