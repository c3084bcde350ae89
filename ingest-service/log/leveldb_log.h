// The embedded ingest log, on LevelDB: one ingest process, nothing else to
// run. The on-disk format is in docs/durability.md ("The LevelDB log").
//
//   absl::StatusOr<std::unique_ptr<bulletin::LevelDbLog>> log =
//       bulletin::LevelDbLog::Open("/var/lib/bulletin/log", {});
//   if (!log.ok()) ...;   // e.g. FAILED_PRECONDITION: locked by another
//                         // process
//
// Each Append is one LevelDB WriteBatch written with sync=true, so it is
// atomic and durable when it returns: the records, the removal of the
// records they supersede, the per-bulletin index and the de-duplication
// keys all land together or not at all. Every Open starts a new epoch.
// The bytes of the records an append removes (superseded versions, the text
// a retraction replaces) leave LevelDB's files within
// Options::scrub_interval (RemovedRecordScrubber), across restarts too.
//
// Thread-safety: safe for concurrent use (see BulletinLog). The LevelDB
// directory is locked for the lifetime of the object: a second process
// cannot open it.

#ifndef BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_
#define BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "common/feed/log_position.h"
#include "common/metrics/log_metrics.h"
#include "common/sync/mutex.h"
#include "ingest-service/log/bulletin_log.h"
#include "ingest-service/log/removed_record_scrubber.h"
#include "leveldb/db.h"

namespace bulletin {

class LevelDbLog : public BulletinLog {
 public:
  struct Options {
    // How long a dedup_id is remembered (as JetStream's duplicate window).
    absl::Duration dedup_window = absl::Minutes(2);
    // How long the bytes of a removed record may stay in the files at most
    // (plus the time a pass takes): the takedown bound of
    // docs/durability.md. Zero scrubs after every append that removes one.
    absl::Duration scrub_interval = absl::Minutes(10);
    // Where each synced write's duration is recorded (ObserveSync); not
    // owned, may be null.
    LogMetrics* metrics = nullptr;
  };

  // Opens the log in `directory`, creating it (and its parents) if missing,
  // and starts a new epoch. A log written by the previous format (gap-free
  // seqs, every version kept) is converted in place. Fails with
  // FAILED_PRECONDITION if another process holds it, DATA_LOSS if it is
  // corrupt or of an unknown format.
  static absl::StatusOr<std::unique_ptr<LevelDbLog>> Open(
      const std::string& directory, Options options);

  ~LevelDbLog() override;

  absl::StatusOr<std::vector<AppendOutcome>> Append(
      const std::vector<LogAppend>& entries) override;
  absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const override;
  uint64_t head_seq() const override;
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const override;
  LogIdentity identity() const override;
  std::vector<EpochStart> epochs() const override;
  absl::Status CheckPosition(const LogIdentity& seen,
                             uint64_t applied_seq) const override;
  bool writable() const override;
  absl::Status Readiness() const override;
  void Close() override;
  bool closed() const override;

  // Drops the bytes of every record removed so far from LevelDB's files
  // now, instead of at the next scrub_interval; returns when done. For a
  // takedown that cannot wait, and for tests.
  absl::Status ScrubRemovedRecords();

 private:
  LevelDbLog(std::unique_ptr<leveldb::DB> db, Options options,
             std::string log_id, std::vector<EpochStart> history,
             uint64_t head_seq);

  // The seq of `bulletin_id`'s last record as `reader` sees it, 0 if none.
  // Called under append_mutex_.
  absl::StatusOr<uint64_t> LastSeqOf(leveldb::Iterator* reader,
                                     const std::string& bulletin_id) const;

  // Which b/ and d/ keys the append path need look up at all: appending a
  // new bulletin with a new dedup id, the usual case, then reads nothing
  // (a lookup of a key LevelDB does not have reads every level). Hashes of
  // the keys keep this small (10-20 bytes a bulletin, 20-40 a dedup id
  // within the window); a hash two keys share only costs a lookup. Built at
  // Open from the b/ and t/ keys, kept by Append.
  struct KeyFilters {
    static constexpr uint64_t kNothingToExpire = UINT64_MAX;
    // Hashes of the ids of every bulletin with a b/ key (never removed).
    absl::flat_hash_set<uint64_t> bulletins;
    // For each dedup id hash, how many t/ keys carry it. A d/ key is
    // removed only with a t/ key of its dedup id, the newest among them, so
    // a dedup id with a d/ key is here.
    absl::flat_hash_map<uint64_t, uint32_t> dedup_ids;
    // No t/ key is older than this (unix µs); kNothingToExpire: there is
    // none.
    uint64_t dedup_expiry_from_micros = 0;
  };

  const std::unique_ptr<leveldb::DB> db_;
  const Options options_;
  // Declared after db_, so it stops before the database closes.
  RemovedRecordScrubber scrubber_;
  const std::string log_id_;
  // Every epoch of this log, the current one last; fixed after Open.
  const std::vector<EpochStart> history_;
  // Held by Append for the whole write, so appends never interleave.
  Mutex append_mutex_;
  KeyFilters filters_ ABSL_GUARDED_BY(append_mutex_);
  // Guards the published head; never held across I/O.
  mutable Mutex mutex_;
  // Signalled when the head moves or the log closes.
  mutable CondVar head_changed_;
  uint64_t head_seq_ ABSL_GUARDED_BY(mutex_);
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  // The first write failure; once set, every Append returns it.
  absl::Status write_failure_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_
