// Runs BulletinIndex's freezes: merges the tiers the index sealed (its gram
// index's and value dictionary's recent postings, gram_index.h) with the
// frozen ones into new frozen tiers, holding no lock, and hands the result
// back to the index to install. When to freeze is freeze_policy.h's call.
//
//   Freezer freezer([&](const FreezeJob& job, FrozenTiers tiers) {
//     WriterMutexLock lock(&index_mu);   // install: the only locked part
//     ...
//   });
//   // The writer, after sealing a job under the index's lock:
//   freezer.Start(std::move(job));       // or Run(job) on this thread
//
// Ownership: the freezer owns its thread and joins it in Join and in its
// destructor; a job owns the sealed tiers it merges.
// Thread-safety: one thread, the index's writer, calls Start, Run, Join and
// the setters (and destroys the freezer); running() may be called from any
// thread. The install function, the hook and the observer run on the
// thread that ran the freeze (the freezer's own for Start), one freeze at a
// time; the install function takes the index's writer lock itself.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_FREEZER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_FREEZER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/sync/mutex.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/index/postings/gram_index.h"
#include "query-service/index/postings/postings.h"
#include "query-service/index/store/corpus.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {

// What a freeze, or a snapshot's merge, bounds the frozen lists' blocks
// with (postings.h): every document's LengthBound, in document order, and
// the average weighted length of the live ones, for BM25's shape.
struct BlockBounds {
  LengthBounds lengths;
  uint16_t average_length = 1;
  uint32_t bounded_character_entries = kBoundedCharacterEntries;
  // Points into this, which must outlive it.
  BlockBasis basis() const;
};
BlockBounds BlockBoundsOf(const std::vector<DocumentRank>& ranks);

// A freeze of the tiers sealed at its start: what it merges, and which dead
// documents' postings it drops.
struct FreezeJob {
  GramIndex::Sealed grams;
  ValueDictionary::Sealed dictionary;
  // dead[doc]: drop the postings of document doc. Empty: drop none.
  std::vector<bool> dead;
  // What the frozen lists' blocks are bounded with (BlockBoundsOf).
  BlockBounds bounds;
  // How many of them are dead (the index's count goes down by as many).
  size_t dropped = 0;
  // Documents numbered when it was sealed, for the report.
  int64_t documents = 0;
};

// What a freeze built, for GramIndex::Install and ValueDictionary::Install.
struct FrozenTiers {
  std::shared_ptr<const GramIndex::FrozenTier> grams;
  std::shared_ptr<const ValueDictionary::FrozenLists> lists;
};

class Freezer {
 public:
  // Puts a freeze's result in place in the index it was sealed from.
  using Install = std::function<void(const FreezeJob& job, FrozenTiers tiers)>;

  explicit Freezer(Install install);
  // Joins the thread of a freeze in progress.
  ~Freezer();
  Freezer(const Freezer&) = delete;
  Freezer& operator=(const Freezer&) = delete;

  // True from Start or Run until that freeze is installed: the writer seals
  // no other job meanwhile (a gram index has at most one sealed tier).
  bool running() const;

  // Runs `job` on a thread of its own at a lower priority, after joining the
  // previous one (which, once running() is false, has nothing left to do
  // but report).
  void Start(FreezeJob job);

  // Runs `job` on the calling thread, after any freeze Start began.
  void Run(FreezeJob job);

  // Waits for the freeze Start began, if any.
  void Join();

  // `observer` is called after each freeze is installed; `hook` between
  // building and installing (tests). Each joins first.
  void SetObserver(
      std::function<void(const BulletinIndex::FreezeReport&)> observer);
  void SetHookForTesting(std::function<void()> hook);

 private:
  // Waits for the previous freeze, then marks one running.
  void Begin();
  void Freeze(FreezeJob job);

  const Install install_;
  mutable Mutex mu_;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  // The thread running the freeze, if one was started; owned by the writer.
  std::thread thread_;
  // Set only while no freeze runs (the setters join first).
  std::function<void()> before_install_;
  std::function<void(const BulletinIndex::FreezeReport&)> after_install_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_FREEZER_H_
