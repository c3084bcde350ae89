// The ingest log: an ordered, durable sequence of LogRecords with gap-free
// seqs. This narrow interface (append, read from a seq, head) is all the rest
// of ingest-service uses, so that a replicated log can replace the embedded
// one without touching anything else.
//
//   std::unique_ptr<bulletin::BulletinLog> log = ...;   // e.g. LevelDbLog
//   std::vector<bulletin::v1::LogRecord> batch = ...;   // seqs head+1, +2, ...
//   absl::Status appended = log->Append(batch);         // durable when OK
//   auto records = log->Read(/*after_seq=*/0, /*max_records=*/256);
//
// Thread-safety: implementations are safe for concurrent use. Appends are
// expected from one writer at a time (the GroupCommitter); reads and waits
// from any number of threads.

#ifndef BULLETIN_INGEST_SERVICE_LOG_BULLETIN_LOG_H_
#define BULLETIN_INGEST_SERVICE_LOG_BULLETIN_LOG_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/v1/log.pb.h"

namespace bulletin {

class BulletinLog {
 public:
  virtual ~BulletinLog() = default;

  // Appends `records` atomically and durably: when this returns OK all of
  // them survive a crash or power loss. records[i].seq() must be
  // head_seq() + 1 + i (FAILED_PRECONDITION if not).
  //
  // A failed write (disk full, I/O error) is fail-stop: this and every later
  // Append return UNAVAILABLE, because after a failed synced write the
  // storage cannot say whether the batch reached the disk. Restarting the
  // process recovers: the batch is then in the log entirely or not at all,
  // and a client retrying it finds it (as a duplicate) or writes it anew.
  virtual absl::Status Append(const std::vector<v1::LogRecord>& records) = 0;

  // Up to `max_records` records with seq > after_seq, in seq order; empty
  // when after_seq is the head. OUT_OF_RANGE when after_seq > head_seq().
  virtual absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const = 0;

  // The seq of the last record; 0 when the log is empty.
  virtual uint64_t head_seq() const = 0;

  // Waits until head_seq() > seq, `deadline` passes or the log is closed;
  // returns head_seq() at that moment.
  virtual uint64_t WaitForHeadAbove(uint64_t seq,
                                    absl::Time deadline) const = 0;

  // Wakes every waiter and makes further Appends fail with UNAVAILABLE;
  // reads keep working until the log is destroyed.
  virtual void Close() = 0;

  // True once Close() was called.
  virtual bool closed() const = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_BULLETIN_LOG_H_
