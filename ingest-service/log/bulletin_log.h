// The ingest log: an ordered, durable sequence of LogRecords that the log
// itself numbers. This narrow interface (conditional append, read from a seq,
// head, identity) is all the rest of ingest-service uses; two backends
// implement it: the embedded LevelDbLog (one machine) and JetStreamLog (a
// stream replicated over a NATS cluster, written by any number of ingest
// replicas at once).
//
//   std::unique_ptr<bulletin::BulletinLog> log = ...;   // e.g. LevelDbLog
//   std::vector<bulletin::LogAppend> batch(1);
//   *batch[0].record.mutable_upsert() = bulletin;       // seq left unset
//   batch[0].expected_last_seq = 0;                     // must be new
//   absl::StatusOr<std::vector<bulletin::AppendOutcome>> outcomes =
//       log->Append(batch);                             // durable when OK
//   auto records = log->Read(/*after_seq=*/0, /*max_records=*/256);
//
// Seqs. The log assigns each appended record its seq: strictly increasing,
// not necessarily consecutive (JetStream's stream sequence has gaps where
// other writers' failed conditions or compaction left them).
//
// Keys and conditions. Every record belongs to one bulletin id (its upsert's
// id or its retraction's id). An append may be conditioned on the seq of the
// last record of its bulletin, which is how concurrent writers keep one
// linear history per bulletin: a writer reads the bulletin's last seq,
// decides, and appends only if nobody appended to that bulletin since.
//
// Compaction. Only the last record of each bulletin is kept: appending a
// record removes the bulletin's previous one, so a superseded version or a
// retracted text leaves the log (a retraction stays as a tombstone, which
// carries no text). Read therefore skips the seqs of removed records.
//
// Identity. A log has an id, fixed when it is created, and an epoch, which
// changes whenever its history may have been rewritten (reopened after a
// restore from backup, for instance). A reader that applied the log up to
// some seq asks CheckPosition whether it may go on from there; if not, what
// it holds is not a prefix of this log and it must rebuild.
//
// Thread-safety: implementations are safe for concurrent use. Appends from
// several threads are serialized by the log (the GroupCommitter is the usual
// single caller); reads and waits come from any number of threads.

#ifndef BULLETIN_INGEST_SERVICE_LOG_BULLETIN_LOG_H_
#define BULLETIN_INGEST_SERVICE_LOG_BULLETIN_LOG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bulletin/v1/log.pb.h"
#include "common/feed/log_identity.h"
#include "common/feed/log_position.h"

namespace bulletin {

// One record to append and the conditions under which to append it.
struct LogAppend {
  // The change; its seq, and its upsert's seq, are left unset: the log
  // assigns them.
  v1::LogRecord record;
  // The seq of the last record of this record's bulletin that the writer
  // decided against; 0 when the bulletin must have no record in the log.
  // Unset: append whatever the bulletin's last record is.
  std::optional<uint64_t> expected_last_seq;
  // The seq through which the writer had read the log when it decided this
  // entry. When set, the entry fails its condition if anything but earlier
  // entries of the same call was appended after that seq, to any bulletin.
  // A writer sharing the log with others sets it: JetStream checks
  // expected_last_seq only against what its servers had stored when the
  // append arrived, not against appends still being replicated, so two
  // writers deciding against the same record could otherwise both win.
  // Unset: only expected_last_seq is checked.
  std::optional<uint64_t> read_through_seq;
  // Retry de-duplication key: an append whose dedup_id the log already took
  // within its de-duplication window is not written again, and reports the
  // first one's seq with `duplicate` set. Empty: no de-duplication.
  std::string dedup_id;
};

// What became of one LogAppend.
struct AppendOutcome {
  // OK when the record is in the log (written now, or earlier under the same
  // dedup_id). FAILED_PRECONDITION when the bulletin's last record was not
  // `expected_last_seq`, or the log went on after `read_through_seq`:
  // nothing was written for this entry.
  absl::Status status;
  // The record's seq when OK.
  uint64_t seq = 0;
  // True when the record was written earlier under the same dedup_id.
  bool duplicate = false;
};

// The bulletin id a record belongs to: its upsert's or its retraction's id.
absl::string_view BulletinIdOf(const v1::LogRecord& record);

class BulletinLog {
 public:
  virtual ~BulletinLog() = default;

  // Appends, in order, every entry whose condition holds, atomically on the
  // embedded backend and each durably: when this returns, every entry whose
  // outcome is OK survives a crash (see docs/durability.md for what that
  // means on each backend). One outcome per entry. A condition is checked
  // against the log as it is after the entries before it in `entries`. An
  // entry after one that failed its condition may fail with
  // FAILED_PRECONDITION too (JetStream chains a batch on the stream's last
  // sequence); deciding it again against the log is always safe.
  //
  // A non-OK status means the log could not be written (UNAVAILABLE): the
  // entries may or may not be in the log, and retrying them with the same
  // dedup_ids and conditions finds them or writes them, never twice.
  virtual absl::StatusOr<std::vector<AppendOutcome>> Append(
      const std::vector<LogAppend>& entries) = 0;

  // Up to `max_records` records with seq > after_seq, in seq order, each
  // with seq (and its upsert's seq) set; empty when after_seq is at or past
  // the last record. OUT_OF_RANGE when after_seq > head_seq().
  virtual absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const = 0;

  // The seq of the last record appended; 0 when nothing ever was.
  virtual uint64_t head_seq() const = 0;

  // Waits until head_seq() > seq, `deadline` passes or the log is closed;
  // returns head_seq() at that moment.
  virtual uint64_t WaitForHeadAbove(uint64_t seq,
                                    absl::Time deadline) const = 0;

  // This log's id and current epoch.
  virtual LogIdentity identity() const = 0;

  // This log's history: its epochs in order, each with the first seq it
  // could write, the last one identity().epoch (common/feed/log_position.h).
  // The Feed sends it to replicas, which check Watch positions against it.
  // Empty while the log is not ready.
  virtual std::vector<EpochStart> epochs() const = 0;

  // OK when a reader that applied this log up to `applied_seq` while it had
  // identity `seen` may continue from there: same log id, `seen.epoch` in
  // this log's history, and `applied_seq` within what that epoch wrote.
  // FAILED_PRECONDITION, saying why, when it may not. A reader with nothing
  // applied (applied_seq 0) may always start. UNAVAILABLE when the log
  // cannot tell now (a replicated log out of reach of its cluster): the
  // reader asks again later, and must not take it for a refusal.
  virtual absl::Status CheckPosition(const LogIdentity& seen,
                                     uint64_t applied_seq) const = 0;

  // False once the log has stopped taking writes for good: the embedded
  // log after a failed synced write (its outcome unknown until the process
  // restarts and recovers). A replicated log's failed appends are per call
  // (a leader election, a lost quorum) and it stays writable.
  virtual bool writable() const = 0;

  // Whether the log can serve reads and take appends now; the one place
  // that says so (ingest's health follows it). OK when it can.
  // UNAVAILABLE, saying what was tried, while it cannot for now: a
  // replicated log that has not reached its cluster yet or lost it, which
  // keeps trying and becomes ready again by itself, and a closed or
  // unwritable log (see writable() for what that takes). FAILED_PRECONDITION
  // when it never will without an operator (a JetStream stream whose
  // configuration disagrees with ingest's): the process should exit.
  // While not ready, identity() may be empty and Read and Append fail with
  // this status.
  virtual absl::Status Readiness() const = 0;

  // Wakes every waiter and makes further Appends fail with UNAVAILABLE;
  // reads keep working until the log is destroyed.
  virtual void Close() = 0;

  // True once Close() was called.
  virtual bool closed() const = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_BULLETIN_LOG_H_
