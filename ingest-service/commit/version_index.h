// What ingest knows about every bulletin id in its log: the seq and digest of
// its current version and whether it is live. Derived from the log alone, so
// it can never disagree with it: Rebuild replays the log at start-up and
// fails if the log has a gap.
//
//   absl::StatusOr<bulletin::VersionIndex> index =
//       bulletin::VersionIndex::Rebuild(log);
//   const bulletin::VersionIndex::Entry* entry = index->Find(id);
//
// Thread-safety: not thread-safe; the GroupCommitter owns it and uses it from
// its commit thread only.

#ifndef BULLETIN_INGEST_SERVICE_COMMIT_VERSION_INDEX_H_
#define BULLETIN_INGEST_SERVICE_COMMIT_VERSION_INDEX_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

class VersionIndex {
 public:
  struct Entry {
    // LogRecord.version_digest of the current version.
    std::string digest;
    // Seq of the record that wrote the current version (or retracted it).
    uint64_t seq = 0;
    // False once retracted.
    bool live = false;
  };

  // Replays every record of `log`. DATA_LOSS if a seq is missing.
  static absl::StatusOr<VersionIndex> Rebuild(const BulletinLog& log);

  // The entry for `id`, or nullptr when the log never had it.
  const Entry* Find(absl::string_view id) const;

  // Takes `record` (the next one appended) into account.
  void Apply(const v1::LogRecord& record);

  // How many ids are live.
  int64_t live_count() const { return live_count_; }

 private:
  absl::flat_hash_map<std::string, Entry> entries_;
  int64_t live_count_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_COMMIT_VERSION_INDEX_H_
