// Reads a log's records by seq, on any backend, through BulletinLog::Read:
// what the Feed's ReadRecords answers with (a query replica reading the
// source text it does not keep).
//
//   absl::StatusOr<bulletin::RecordsAtSeqs> found =
//       bulletin::ReadRecordsAtSeqs(*log, {7, 12, 40});
//   for (const v1::LogRecord& record : found->records) ...
//   for (uint64_t seq : found->missing) ...   // not in the log
//
// A record at a seq never changes, so a record found is the one written at
// that seq. A seq the log does not hold (compacted away when a later record
// of its bulletin replaced it, a gap, beyond the head) is missing, which is
// not an error.
//
// Cost: one Read of one record per seq (a LevelDB seek; a JetStream direct
// get, one request to the cluster).
//
// Thread-safety: as BulletinLog's reads, from any thread.

#ifndef BULLETIN_INGEST_SERVICE_LOG_RECORDS_AT_SEQS_H_
#define BULLETIN_INGEST_SERVICE_LOG_RECORDS_AT_SEQS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "bulletin/v1/log.pb.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

struct RecordsAtSeqs {
  // The records found, in the order of the seqs asked for.
  std::vector<v1::LogRecord> records;
  // The seqs asked for that the log does not hold, in that order too.
  std::vector<uint64_t> missing;
};

// The records of `log` at `seqs` (each above 0). The log's read errors
// (UNAVAILABLE while it is not ready, DATA_LOSS for a record that does not
// parse) are returned as they are.
absl::StatusOr<RecordsAtSeqs> ReadRecordsAtSeqs(
    const BulletinLog& log, absl::Span<const uint64_t> seqs);

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_RECORDS_AT_SEQS_H_
