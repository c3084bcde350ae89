// Brings a LevelDB log of an earlier format to the current one
// (docs/durability.md, "Upgrading a log of an earlier format"), in place,
// in chunks: each chunk is one synced WriteBatch of at most about
// `chunk_bytes`, so the upgrade takes that much memory whatever the size of
// the log, and a process killed at any point goes on from where it stopped
// at its next open. Records are never rewritten: a record of an earlier
// format stays under its key, readable beside this format's.
//
//   absl::Status upgraded = leveldb_log::Upgrade(db, directory, {});
//   // OK: m/format is the current format and no earlier index key is left
//
// Ownership: `db` is not owned. Thread-safety: run before anything else
// uses `db` (LevelDbLog::Open does).

#ifndef BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_UPGRADE_H_
#define BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_UPGRADE_H_

#include <cstddef>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ingest-service/log/bulletin_seqs.h"
#include "leveldb/db.h"

namespace bulletin::leveldb_log {

struct UpgradeOptions {
  // The most bytes one synced write of the upgrade holds (LevelDB's
  // WriteBatch::ApproximateSize), plus one key's.
  size_t chunk_bytes = 4 << 20;
  // A dedup id of the second format inside this window is kept (u/).
  absl::Duration dedup_window = absl::Minutes(2);
  // As LevelDbLog::Options::bulletin_id_hash_for_testing.
  BulletinSeqs::Hash bulletin_id_hash = nullptr;
  // For tests: called after each chunk is written, with its size; false
  // stops the upgrade there, as a kill would (ABORTED).
  std::function<bool(size_t chunk_bytes)> chunk_written;
};

// Upgrades the log in `db` when its m/format is an earlier format, or an
// upgrade was left unfinished (m/upgrade); does nothing to a log of this
// format. The first write sets m/format to the current format and
// m/upgrade to the format it started from, so that an earlier ingest
// refuses the log from then on (it cannot read a half-upgraded log).
// DATA_LOSS for an unknown format or a record that does not parse.
absl::Status Upgrade(leveldb::DB* db, const std::string& directory,
                     const UpgradeOptions& options);

}  // namespace bulletin::leveldb_log

#endif  // BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_UPGRADE_H_
