// The snapshots a query replica keeps in its --snapshot_dir: which is
// newest, which are valid, which to delete.
//
//   bulletin::SnapshotDirectory snapshots("/var/lib/bulletin-query");
//   absl::Status opened = snapshots.Open();
//   absl::StatusOr<bulletin::SnapshotSummary> loaded =
//       snapshots.LoadNewest(&index);        // NOT_FOUND: replay from 0
//   ...
//   absl::StatusOr<bulletin::WrittenSnapshot> written =
//       snapshots.Write(index.TakeCheckpoint());
//
// Files are named snapshot-GENERATION.snap, GENERATION a zero-padded
// counter one above the newest file's, so the newest is the one written
// last even when its seq is lower (a replica that rebuilt from another log
// starts again from small seqs). Each is written whole beside the others
// and renamed into place (snapshot_file.h); a writer that died leaves only
// a .tmp file, which Open deletes.
//
// Thread-safety: Write from one thread at a time; the rest before any
// Write, from the owning thread.

#ifndef BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOT_DIRECTORY_H_
#define BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOT_DIRECTORY_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/snapshot/snapshot_file.h"

namespace bulletin {

struct WrittenSnapshot {
  std::string path;
  SnapshotSummary summary;
};

class SnapshotDirectory {
 public:
  // Keeps the newest `keep` (at least 1) snapshots after each write.
  explicit SnapshotDirectory(std::string path, int keep = 2);

  // Creates the directory if it is missing (not its parents) and deletes
  // the temporary files of writes that never finished.
  absl::Status Open();

  // Loads the newest valid snapshot into `index`, which must be empty.
  // Every newer one that is corrupt, truncated or of another format is
  // skipped with a warning (event snapshot_skipped) naming the file and
  // the reason, and deleted by the next Write. NOT_FOUND when no snapshot
  // is valid (the index is then still empty).
  absl::StatusOr<WrittenSnapshot> LoadNewest(BulletinIndex* index);

  // Writes `checkpoint` as the newest snapshot, then deletes all but the
  // newest `keep` and the ones LoadNewest skipped.
  absl::StatusOr<WrittenSnapshot> Write(
      const BulletinIndex::Checkpoint& checkpoint);

  // The snapshot files, newest first.
  absl::StatusOr<std::vector<std::string>> List() const;

  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  const int keep_;
  std::set<std::string> skipped_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOT_DIRECTORY_H_
