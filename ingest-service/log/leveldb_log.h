// The embedded ingest log, on LevelDB. See docs/architecture.md for the
// on-disk format.
//
//   absl::StatusOr<std::unique_ptr<bulletin::LevelDbLog>> log =
//       bulletin::LevelDbLog::Open("/var/lib/bulletin/log");
//   if (!log.ok()) ...;   // e.g. FAILED_PRECONDITION: locked by another
//   process
//
// Each Append is one LevelDB WriteBatch written with sync=true, so it is
// atomic and durable when it returns. Seqs are keys, so the head survives any
// crash exactly as far as the last synced batch.
//
// Thread-safety: safe for concurrent use (see BulletinLog). The LevelDB
// directory is locked for the lifetime of the object: a second process
// cannot open it.

#ifndef BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_
#define BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "ingest-service/log/bulletin_log.h"
#include "leveldb/db.h"

namespace bulletin {

class LevelDbLog : public BulletinLog {
 public:
  // Opens the log in `directory`, creating it (and its parents) if missing.
  // Fails with FAILED_PRECONDITION if another process holds it, DATA_LOSS if
  // it is corrupt or of an unknown format.
  static absl::StatusOr<std::unique_ptr<LevelDbLog>> Open(
      const std::string& directory);

  ~LevelDbLog() override;

  absl::Status Append(const std::vector<v1::LogRecord>& records) override;
  absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const override;
  uint64_t head_seq() const override;
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const override;
  void Close() override;
  bool closed() const override;

 private:
  LevelDbLog(std::unique_ptr<leveldb::DB> db, uint64_t head_seq);

  const std::unique_ptr<leveldb::DB> db_;
  // Held by Append for the whole write, so appends never interleave.
  std::mutex append_mutex_;
  // Guards the published head; never held across I/O.
  mutable std::mutex mutex_;
  // Signalled when the head moves or the log closes.
  mutable std::condition_variable head_changed_;
  uint64_t head_seq_ ABSL_GUARDED_BY(mutex_);
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  // The first write failure; once set, every Append returns it.
  absl::Status write_failure_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_H_
