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
// they supersede land together or not at all. Records an earlier format
// wrote stay as they are and are read beside this format's
// (leveldb_log_format.h). Every Open starts a new epoch.
// The bytes of the records an append removes (superseded versions, the text
// a retraction replaces) leave LevelDB's files within
// Options::scrub_interval (RemovedRecordScrubber), across restarts too.
//
// Thread-safety: safe for concurrent use (see BulletinLog). The LevelDB
// directory is locked for the lifetime of the object: a second process
// cannot open it.

#ifndef BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_
#define BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
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
#include "ingest-service/log/bulletin_seqs.h"
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
    // Upgrading a log of an earlier format at Open: the most bytes one of
    // its synced writes holds, and so about the most memory it takes
    // beyond the index the log keeps anyway (leveldb_log_upgrade.h).
    size_t upgrade_chunk_bytes = 4 << 20;
    // For tests: called after each chunk of an upgrade is written, with its
    // size; false stops the upgrade there, as a kill would (Open then
    // fails with ABORTED and the next Open goes on).
    std::function<bool(size_t chunk_bytes)> upgrade_chunk_written_for_testing;
    // For tests: what stands for a bulletin id in memory (BulletinSeqs);
    // absl::Hash when null. A constant makes every bulletin collide.
    BulletinSeqs::Hash bulletin_id_hash_for_testing = nullptr;
  };

  // Opens the log in `directory`, creating it (and its parents) if missing,
  // and starts a new epoch. A log of an earlier format is upgraded in place
  // first, in chunks, going on with an upgrade a killed process left
  // unfinished (leveldb_log_upgrade.h). Fails with FAILED_PRECONDITION if
  // another process holds it, DATA_LOSS if it is corrupt or of an unknown
  // format.
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
  // path"). Rebuilt by Open from the records, kept by Append.
  struct Index {
    explicit Index(BulletinSeqs::Hash hash) : last_seq(hash) {}
    struct Dedup {
      uint64_t seq = 0;
      uint64_t appended_at_micros = 0;
      // Whether the id has a u/ key of its own: its record was removed
      // while the id was in the window, or came from an earlier format.
      bool persisted = false;
    };
    struct DedupAge {
      uint64_t seq;
      uint64_t appended_at_micros;
      absl::uint128 digest;
    };
    BulletinSeqs last_seq;
    // Dedup ids inside the window, by digest (leveldb_log::DedupDigest),
    // and in seq order for expiry (about 90 bytes each).
    absl::flat_hash_map<absl::uint128, Dedup> dedup;
    std::deque<DedupAge> dedup_ages;
  };

  struct Last {
    uint64_t seq = 0;  // 0: the bulletin has no record.
    // Whether the bulletin is (or, new, goes) under its whole id in
    // BulletinSeqs.
    bool collided = false;
    // Whether record `seq` is kept from an earlier format (key r<seq>).
    bool earlier_format = false;
  };
  // The last record of bulletin `id` as written so far.
  absl::StatusOr<Last> LastOf(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(append_mutex_);
  // The bulletin id of record `seq`, which must be in the log, and whether
  // it is kept from an earlier format.
  absl::StatusOr<std::string> IdOfRecord(uint64_t seq,
                                         bool* earlier_format) const;

  const std::unique_ptr<leveldb::DB> db_;
  const Options options_;
  // Declared after db_, so it stops before the database closes.
  RemovedRecordScrubber scrubber_;
  const std::string log_id_;
  // Every epoch of this log, the current one last; fixed after Open.
  const std::vector<EpochStart> history_;
  // Held by Append for the whole write, so appends never interleave.
  Mutex append_mutex_;
  Index index_ ABSL_GUARDED_BY(append_mutex_){nullptr};
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
