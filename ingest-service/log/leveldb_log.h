// The embedded ingest log, on LevelDB: one ingest process, nothing else to
// run. The on-disk format is in docs/durability.md ("The LevelDB log").
//
//   absl::StatusOr<std::unique_ptr<bulletin::LevelDbLog>> log =
//       bulletin::LevelDbLog::Open("/var/lib/bulletin/log", {});
//   if (!log.ok()) ...;   // e.g. FAILED_PRECONDITION: locked by another
//                         // process
//
// Each Append is one LevelDB WriteBatch written with sync=true, so it is
// atomic and durable when it returns: the records (whose keys and headers
// carry their bulletin ids and dedup ids) and the removal of the records
// they supersede land together or not at all. Every Open starts a new epoch.
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
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
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

  // What the append path needs to know of the log, kept in memory so that
  // an append writes nothing but its records: with no index keys beside
  // them, the table files LevelDB flushes hold consecutive records and go
  // down the levels without being rewritten (docs/benchmarks.md, "Write
  // path"). Rebuilt by Open from the record keys and headers, kept by
  // Append.
  struct Index {
    struct Dedup {
      uint64_t seq = 0;
      uint64_t appended_at_micros = 0;
      // Whether its record was removed while the dedup id was in the window,
      // so that the id was written to a d/ key of its own.
      bool persisted = false;
    };
    struct DedupAge {
      uint64_t seq;
      uint64_t appended_at_micros;
      absl::uint128 digest;
    };
    // The seq of each bulletin's last record, by a hash of its id (20-40
    // bytes a bulletin, its id not among them): a hash is checked against
    // the record key, which holds the id, before it is trusted.
    absl::flat_hash_map<uint64_t, uint64_t> last_seq;
    // Bulletins whose id hash another bulletin holds in last_seq.
    absl::flat_hash_map<std::string, uint64_t> collided_last_seq;
    // Dedup ids inside the window, by digest (DedupDigest), and in append
    // order for expiry (about 90 bytes each).
    absl::flat_hash_map<absl::uint128, Dedup> dedup;
    std::deque<DedupAge> dedup_ages;
  };

  struct Last {
    uint64_t seq;  // 0: the bulletin has no record.
    // Whether the bulletin is (or, new, goes) in collided_last_seq.
    bool collided;
  };
  // The last record of bulletin `id` as written so far.
  absl::StatusOr<Last> LastOf(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mutex_);

  const std::unique_ptr<leveldb::DB> db_;
  const Options options_;
  // Declared after db_, so it stops before the database closes.
  RemovedRecordScrubber scrubber_;
  const std::string log_id_;
  // Every epoch of this log, the current one last; fixed after Open.
  const std::vector<EpochStart> history_;
  // Held by Append for the whole write, so appends never interleave.
  Mutex append_mutex_;
  Index index_ ABSL_GUARDED_BY(append_mutex_);
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
