// Bounds how long the bytes of a deleted LevelDB record stay in the
// database's files. Deleting a key only writes a deletion marker: the
// record's bytes stay in the write-ahead log and in table files until a
// compaction takes the file holding them together with the marker, and
// LevelDB compacts only when a level outgrows its size, so on a quiet log
// that can be never. Worse, a record and its deletion flushed into one
// table file at the deepest level that holds their keys are never compacted
// by DB::CompactRange either. So a pass (1) compacts the range of the noted
// keys (which flushes the memtable), (2) deletes each noted key again, so a
// newer marker lands in a file above any file still holding the record, and
// (3) compacts the range again, which merges that marker down through every
// such file and drops the record's bytes; then it removes the keys' markers
// of pending work (docs/durability.md, "Takedown").
//
//   RemovedRecordScrubber scrubber(db, absl::Minutes(10));
//   // A write that deletes `key` also puts `pending` (any key of the
//   // caller's), so that a restart can note it again:
//   scrubber.NoteRemoved(key, pending);  // gone from the files within 10 min
//   absl::Status done = scrubber.ScrubNow();  // or now
//
// Thread-safety: safe for concurrent use. Owns one thread, stopped by the
// destructor. `db` is not owned and must outlive the scrubber. Keys noted
// must never be written again (the log's record keys are seqs, never
// reused): a pass deletes them again.

#ifndef BULLETIN_INGEST_SERVICE_LOG_REMOVED_RECORD_SCRUBBER_H_
#define BULLETIN_INGEST_SERVICE_LOG_REMOVED_RECORD_SCRUBBER_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/sync/mutex.h"
#include "leveldb/db.h"

namespace bulletin {

class RemovedRecordScrubber {
 public:
  RemovedRecordScrubber(leveldb::DB* db, absl::Duration interval);
  ~RemovedRecordScrubber();

  RemovedRecordScrubber(const RemovedRecordScrubber&) = delete;
  RemovedRecordScrubber& operator=(const RemovedRecordScrubber&) = delete;

  // Notes that a committed write deleted `key` and put `pending`, which
  // the pass that scrubs `key` deletes. The pass runs at most `interval`
  // after the oldest key noted and not yet scrubbed.
  void NoteRemoved(std::string key, std::string pending);

  // Scrubs every key noted so far, now; returns when LevelDB has rewritten
  // the files. On failure the keys stay noted for the next pass.
  absl::Status ScrubNow();

 private:
  struct Removed {
    std::string key;
    std::string pending;
  };

  void Run();
  // Scrubs `removed`; does not touch the noted keys.
  absl::Status Scrub(const std::vector<Removed>& removed);

  leveldb::DB* const db_;
  const absl::Duration interval_;
  // Held across a pass, so passes never overlap.
  Mutex pass_mutex_;
  Mutex mutex_;
  CondVar changed_;
  std::vector<Removed> noted_ ABSL_GUARDED_BY(mutex_);
  // When the oldest of noted_ was noted.
  absl::Time oldest_ ABSL_GUARDED_BY(mutex_);
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_REMOVED_RECORD_SCRUBBER_H_
