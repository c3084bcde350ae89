// Writes a query replica's snapshots: every `interval` on its own thread,
// and once more when the replica stops, each time only if the index's
// position (log identity and applied seq) moved since the last snapshot,
// or since the snapshotter was made (right after the index was loaded
// from one).
//
//   snapshots.LoadNewest(&index);
//   bulletin::Snapshotter snapshotter(&index, &snapshots, absl::Minutes(10));
//   snapshotter.Start();
//   ...                                   // SIGTERM, lame duck, drain
//   follower.Stop();
//   snapshotter.Stop();
//   absl::Status final_snapshot = snapshotter.SnapshotIfChanged();
//
// A snapshot reads a checkpoint of the index (BulletinIndex::TakeCheckpoint)
// so the applier goes on meanwhile; the thread runs at a lower priority,
// since serving matters more than how fresh the newest snapshot is.
//
// Ownership: does not own the index or the directory, which must outlive
// it. Thread-safety: Start and Stop from one thread; SnapshotIfChanged and
// the accessors from any (writes are one at a time).

#ifndef BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOTTER_H_
#define BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOTTER_H_

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/sync/mutex.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/snapshot/snapshot_directory.h"

namespace bulletin {

class Snapshotter {
 public:
  // The index's position now needs no snapshot: it is empty, or was just
  // loaded from one.
  Snapshotter(const BulletinIndex* index, SnapshotDirectory* directory,
              absl::Duration interval);
  ~Snapshotter();  // Calls Stop().

  void Start();
  // Ends the thread, after the snapshot it may be writing. Idempotent.
  void Stop();

  // Writes a snapshot unless the index's position is that of the last one
  // (or its applied seq is 0); logs what it did (snapshot_written,
  // snapshot_failed). A rebuilt index may come back to the same seq in
  // another log: that is a new position.
  absl::Status SnapshotIfChanged();

  // The applied seq of the newest snapshot written or loaded.
  uint64_t last_seq() const;
  // Snapshots that failed to be written so far.
  int64_t failures() const;

 private:
  void Run();

  const BulletinIndex* const index_;
  SnapshotDirectory* const directory_;
  const absl::Duration interval_;

  // Held for a whole write: one at a time.
  Mutex write_mutex_;
  mutable Mutex mutex_;
  CondVar stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  uint64_t last_seq_ ABSL_GUARDED_BY(mutex_);
  LogIdentity last_identity_ ABSL_GUARDED_BY(mutex_);
  int64_t failures_ ABSL_GUARDED_BY(mutex_) = 0;
  std::thread thread_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_SNAPSHOT_SNAPSHOTTER_H_
