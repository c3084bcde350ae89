#include "ingest-service/log/records_at_seqs.h"

#include <utility>

namespace bulletin {

absl::StatusOr<RecordsAtSeqs> ReadRecordsAtSeqs(
    const BulletinLog& log, absl::Span<const uint64_t> seqs) {
  RecordsAtSeqs found;
  for (const uint64_t seq : seqs) {
    // The first record from `seq` on: the one at `seq`, or a later one when
    // `seq` holds none.
    absl::StatusOr<std::vector<v1::LogRecord>> first = log.Read(seq - 1, 1);
    if (absl::IsOutOfRange(first.status())) {  // Beyond the head.
      found.missing.push_back(seq);
      continue;
    }
    if (!first.ok()) return first.status();
    if (first->empty() || first->front().seq() != seq) {
      found.missing.push_back(seq);
      continue;
    }
    found.records.push_back(std::move(first->front()));
  }
  return found;
}

}  // namespace bulletin
