// What ingest knows about every bulletin id in its log: the seq, digest,
// version and source of its last record, whether it is live, and the
// requests it remembers (for request-id retries). Derived from the log alone,
// so it can never disagree with it: Rebuild replays the log at start-up, and
// CatchUp applies what other writers (other ingest replicas sharing a
// replicated log) appended since.
//
//   absl::StatusOr<bulletin::VersionIndex> index =
//       bulletin::VersionIndex::Rebuild(log);
//   const bulletin::VersionIndex::Entry* entry = index->Find(id);
//   absl::Status caught_up = index->CatchUp(log);
//
// Thread-safety: not thread-safe; the GroupCommitter owns it and lets only
// the thread writing a batch use it (group_committer.h).

#ifndef BULLETIN_INGEST_SERVICE_COMMIT_VERSION_INDEX_H_
#define BULLETIN_INGEST_SERVICE_COMMIT_VERSION_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

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
    // Seq of the bulletin's last record (the current version, or its
    // retraction): what a conditional append expects.
    uint64_t seq = 0;
    // False once retracted.
    bool live = false;
    // The current version, or the retracted one when not live. Records
    // written before versions existed count as version 1.
    int64_t version = 0;
    // Bulletin.source of the last version.
    std::string source;
    // The requests the last record remembers (LogRecord.requests), each
    // with its seq filled in.
    std::vector<v1::RequestOutcome> requests;
  };

  // Replays every record of `log`.
  static absl::StatusOr<VersionIndex> Rebuild(const BulletinLog& log);

  // Applies the records of `log` after applied_seq(), up to its head.
  absl::Status CatchUp(const BulletinLog& log);

  // The entry for `id`, or nullptr when the log never had it.
  const Entry* Find(absl::string_view id) const;

  // Takes `record` into account, unless its bulletin's entry is already at
  // that seq or later (so applying a record twice, or out of order with a
  // later one of the same bulletin, changes nothing).
  void Apply(const v1::LogRecord& record);

  // Marks every record up to `seq` as applied: the next CatchUp reads after
  // it. For a writer that applied its own records and knows nobody else
  // wrote in between.
  void MarkAppliedThrough(uint64_t seq);

  // The seq up to which the log has been read.
  uint64_t applied_seq() const { return applied_seq_; }

  // How many ids are live.
  int64_t live_count() const { return live_count_; }

 private:
  absl::flat_hash_map<std::string, Entry> entries_;
  int64_t live_count_ = 0;
  uint64_t applied_seq_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_COMMIT_VERSION_INDEX_H_
