// The query replica's in-memory index of bulletins.
//
//   bulletin::BulletinIndex index;
//   index.Apply(record);                       // from the Feed, in seq order
//   absl::StatusOr<bulletin::v1::SearchResponse> response =
//       index.Search(request);
//
//   bulletin::BulletinIndex::Checkpoint checkpoint = index.TakeCheckpoint();
//   absl::Status saved = checkpoint.WriteImage(write);   // a snapshot
//   bulletin::BulletinIndex restored;
//   absl::Status loaded = restored.LoadImage(read, checkpoint.applied_seq());
//
// Thread-safety: one writer, many readers. Apply, Clear and Compact must be
// called from one thread at a time (the Feed applier); every const method
// may be called concurrently with them and with each other from any thread.
// A reader sees each record's change all at once or not at all. The index
// owns one more thread, the freezer (freezer.h), which Apply starts when
// freeze_policy.h says to merge recent postings into the frozen tier
// (gram_index.h) while the applier goes on; it holds the lock only to
// install its result.
//
// This is the index's one public header: the rest of query-service includes
// no other header of query-service/index/ (scripts/check-index-layers.py).
// It brings the types the index hands out and takes: StoredRecord
// (store/stored_record.h), Cancellation (query/cancellation.h), and
// StandingQuery (query/standing_query.h), the matcher behind Watch.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_BULLETIN_INDEX_H_
#define BULLETIN_QUERY_SERVICE_INDEX_BULLETIN_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bulletin/v1/log.pb.h"
#include "bulletin/v1/query.pb.h"
#include "common/feed/log_identity.h"
#include "query-service/index/query/cancellation.h"
#include "query-service/index/query/standing_query.h"
#include "query-service/index/store/stored_record.h"

namespace bulletin {

class BulletinIndex {
 public:
  class Checkpoint;

  BulletinIndex();
  ~BulletinIndex();
  BulletinIndex(const BulletinIndex&) = delete;
  BulletinIndex& operator=(const BulletinIndex&) = delete;

  // Applies one log record: an upsert adds the bulletin or replaces the one
  // with its id; a retraction removes it (and is remembered, for
  // ChangesSince). Records must arrive in seq order; applied_seq() becomes
  // record.seq(). When `replaced` is not null it is set to the version the
  // record replaced or removed (null when there was none), which Watch needs
  // to tell whether a bulletin left a standing query's results.
  void Apply(const v1::LogRecord& record,
             std::shared_ptr<const StoredRecord>* replaced = nullptr);

  // One bulletin whose latest change is after a position: its live version,
  // or, when it was retracted, its id and the retraction's seq.
  struct Change {
    uint64_t seq = 0;
    // Null when the change was a retraction.
    std::shared_ptr<const StoredRecord> record;
    // The retracted bulletin's id; empty when `record` is set.
    std::string retracted_id;
  };
  struct Changes {
    // The position the list is complete up to.
    uint64_t applied_seq = 0;
    // Ascending seq; one per bulletin whose latest change is in
    // (after_seq, applied_seq]. Empty when more than the limit asked.
    std::vector<Change> changes;
    // More than `max_changes` bulletins changed: nothing listed.
    bool over_limit = false;
  };
  // What changed after `after_seq` (all of it at one moment), for a Watch
  // that resumes: every live bulletin whose seq is later, and every
  // retraction since that no later version replaced. Superseded versions
  // are not kept, so each bulletin is listed once, as it is now. Retractions
  // are remembered for as long as the index lives, and saved in its
  // snapshot image, as the log keeps their records. Holds the reader lock
  // while it lists (pointer copies; at most max_changes + retractions).
  Changes ChangesSince(uint64_t after_seq, size_t max_changes) const;

  // Forgets everything, its log identity included, as for a rebuild from
  // seq 0.
  void Clear();

  // The log this index's records came from, as the Feed named it (empty
  // until set): with applied_seq() it is the index's position, a seq under
  // an identity. ReplaceWith moves it with the records, Clear forgets it,
  // TakeCheckpoint records it. Same threading rule as Apply.
  void SetLogIdentity(const LogIdentity& identity);
  LogIdentity log_identity() const;

  // Marks every record up to `seq` applied without applying one: a
  // snapshot's seq lies past its last bulletin's when the records after it
  // were retractions or were compacted away. No-op when seq <=
  // applied_seq(). Same threading rule as Apply.
  void SkipTo(uint64_t seq);

  // The index and its position (identity and applied seq) at one moment,
  // for a snapshot. Holds the reader lock to share the immutable parts
  // (records, frozen postings) and copy the rest (ranks, filter values,
  // recent postings); reading the checkpoint then holds no lock and sees
  // none of the changes applied after it.
  Checkpoint TakeCheckpoint() const;

  // Becomes the index a Checkpoint::WriteImage wrote, reading it through
  // `read` (which fills `size` bytes at `into`, or fails), applied up to
  // `applied_seq`; the index must be empty. DATA_LOSS when the bytes are not
  // such an image (sizes that disagree, a bulletin above `applied_seq`, ...),
  // and any error of `read`; the index is then left as it was. Same
  // threading rule as Apply.
  absl::Status LoadImage(
      absl::FunctionRef<absl::Status(char* into, size_t size)> read,
      uint64_t applied_seq);

  // Becomes what `other` is (its bulletins, index and applied seq) and
  // leaves `other` empty: a replica rebuilt beside the one it serves swaps
  // it in at once. Called by the one writer of both.
  void ReplaceWith(BulletinIndex& other);

  // Moves every posting into the frozen tier and drops those of retracted
  // and replaced versions, on the calling thread, after any freeze Apply
  // started. Apply freezes by itself, on the freezer thread, as recent
  // additions grow, and drops dead versions' postings (skipped by every
  // search meanwhile) once they are a quarter of all; the applier may also
  // call this once caught up, so that a replica at rest uses the least
  // memory. Readers are held only for the install. Same threading rule as
  // Apply.
  void Compact();

  // What one freeze did, for the service's log.
  struct FreezeReport {
    // Documents numbered when it was sealed, and the dead ones among them
    // whose postings it dropped.
    int64_t documents = 0;
    int64_t dropped = 0;
    // Merging, holding no lock; then waiting for and holding the writer
    // lock to install the result, the only part the applier waits for.
    absl::Duration building;
    absl::Duration installing;
  };
  // `observer` is called after each freeze is installed, on the thread
  // that ran it. Same threading rule as Apply.
  void SetFreezeObserver(std::function<void(const FreezeReport&)> observer);

  // Tests: `hook` runs on the freezer thread after each freeze is built
  // and before it is installed. Same threading rule as Apply.
  void SetFreezeHookForTesting(std::function<void()> hook);

  // Freezes from here on bound every one-character term whose lists hold
  // at least `entries` entries (GramIndex::FrozenTier), rather than only
  // common ones, so that a small index exercises them.
  void SetBoundedCharacterEntriesForTesting(uint32_t entries);

  // Matches a search counts exactly before it may stop counting those
  // that cannot make its page (SearchRequest.exact_total_hits, off): its
  // total_hits is then a lower bound. Negative is taken as 0. May be
  // called from any thread; searches that start after it use it.
  static constexpr int64_t kDefaultTotalHitsThreshold = 1000;
  void SetTotalHitsThreshold(int64_t threshold);

  // Bytes of decoded, folded text kept for the bulletins that search pages
  // show most, so that showing one again does not decode it
  // (query/hit_text_cache.h); 0 keeps none. Negative is taken as 0. May be
  // called from any thread.
  static constexpr int64_t kDefaultHitTextCacheBytes = int64_t{32} << 20;
  void SetHitTextCacheBytes(int64_t bytes);

  // The seq of the last record applied; 0 when none.
  uint64_t applied_seq() const;

  // Waits until applied_seq() >= seq or `deadline` passes; true when reached.
  bool WaitForSeq(uint64_t seq, absl::Time deadline) const;

  // The live bulletin with this id, or NOT_FOUND.
  absl::StatusOr<v1::Bulletin> Get(std::string_view id) const;

  // Answers a search; INVALID_ARGUMENT for a malformed query or page token.
  // Does not wait for request.min_seq (the service does that first).
  absl::StatusOr<v1::SearchResponse> Search(
      const v1::SearchRequest& request) const;
  // The same, stopping with `cancellation`'s status as soon as it says so
  // (checked before the lock is taken, every stride of candidates while
  // matching and counting facets, before ranking, and as each hit is
  // built). Not
  // owned; used by this call only.
  absl::StatusOr<v1::SearchResponse> Search(const v1::SearchRequest& request,
                                            Cancellation* cancellation) const;

  // Counts and sizes; head_seq and caught_up are left for the caller.
  v1::StatsResponse Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// See TakeCheckpoint. Immutable; any number of threads may read it. Keeps
// the records it holds alive after the index drops them.
class BulletinIndex::Checkpoint {
 public:
  Checkpoint();
  ~Checkpoint();
  Checkpoint(Checkpoint&&) noexcept;
  Checkpoint& operator=(Checkpoint&&) noexcept;

  uint64_t applied_seq() const { return applied_seq_; }
  const LogIdentity& log_identity() const { return log_identity_; }
  // Live bulletins.
  size_t size() const;

  // Writes the index as it was (docs/index-format.md, "Snapshots": the
  // image) through `write`: its documents, their records and filter
  // values, and every posting list merged into one frozen tier without
  // the postings of dead documents. The merge runs here, on the calling
  // thread: about what a Compact costs.
  absl::Status WriteImage(
      absl::FunctionRef<absl::Status(absl::string_view bytes)> write) const;

 private:
  friend class BulletinIndex::Impl;
  struct Image;
  uint64_t applied_seq_ = 0;
  LogIdentity log_identity_;
  std::shared_ptr<const Image> image_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_BULLETIN_INDEX_H_
