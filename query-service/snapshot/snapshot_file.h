// One snapshot file of a query replica: the live bulletins of its index at
// an applied seq, with the identity of the log they came from, in the
// versioned, checksummed format of docs/index-format.md ("Snapshots").
//
//   absl::Status written =
//       bulletin::WriteSnapshotFile(index.TakeCheckpoint(), path);
//   ...
//   bulletin::BulletinIndex restored;
//   absl::StatusOr<bulletin::SnapshotSummary> loaded =
//       bulletin::LoadSnapshotFile(path, &restored);
//
// A load re-applies the bulletins, so the index it builds answers every
// query as the one that wrote the snapshot did; nothing of a file is
// trusted before its checksum, version and structure have been checked.
//
// Thread-safety: functions of their arguments; a file must not be written
// by two callers at once.

#ifndef BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOT_FILE_H_
#define BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOT_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/feed/log_identity.h"
#include "query-service/index/bulletin_index.h"

namespace bulletin {

// The format version this build writes and the only one it reads.
inline constexpr uint32_t kSnapshotFormatVersion = 7;

// What a snapshot file holds, besides its bulletins.
struct SnapshotSummary {
  uint64_t applied_seq = 0;
  LogIdentity log_identity;
  int64_t bulletins = 0;
  // Size of the file.
  int64_t bytes = 0;
};

// Writes `checkpoint` to `path` atomically: to `path` + ".tmp", fsynced,
// renamed over `path`, and the directory fsynced, so that a crash at any
// moment leaves either the old file (if any) or the whole new one, and at
// worst a stray ".tmp". Errors name the file and the failing call.
absl::StatusOr<SnapshotSummary> WriteSnapshotFile(
    const BulletinIndex::Checkpoint& checkpoint, const std::string& path);

// Applies the snapshot at `path` to `index`, which must be empty, and sets
// its log identity and applied seq to the snapshot's. A file that is not a
// whole, intact snapshot of a version this build reads is refused, with
// `index` cleared again: DATA_LOSS for a checksum mismatch, a truncated or
// malformed file (the message says where); FAILED_PRECONDITION for another
// format version; the errno's code when it cannot be read.
absl::StatusOr<SnapshotSummary> LoadSnapshotFile(const std::string& path,
                                                 BulletinIndex* index);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOT_FILE_H_
