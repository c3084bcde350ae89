// The write semantics of ../shared/BRIEF.md ("Writes") as one pure decision:
// given what the log says about a bulletin (its VersionIndex entry) and a
// requested change, either answer the caller without writing (a repeated
// request_id, UNCHANGED, NOT_FOUND, a failed precondition, ...) or build
// the record to append. The GroupCommitter applies it to every change, on
// every backend, and again when another writer won the race.
//
//   bulletin::WriteRules rules({.request_retention = absl::Hours(24)});
//   bulletin::WriteDecision decision =
//       rules.Decide(index.Find(change.id), change, absl::Now());
//   if (decision.answer) return *decision.answer;
//   // else append decision.record, conditioned on the entry's seq, and
//   // answer decision.result with the seq the log assigned.
//
// Order of the rules, each ending the decision when it applies:
//   1. A request_id the bulletin remembers: the first outcome (or
//      INVALID_ARGUMENT when that request was another change).
//   2. Retract of a bulletin not live: NOT_FOUND.
//   3. Retract by a caller bound to another source: PERMISSION_DENIED.
//   4. expected_version not the current version (0 when not live):
//      FAILED_PRECONDITION, ErrorInfo VERSION_MISMATCH with the current one.
//   5. Submit of the live version's content: UNCHANGED, written only to
//      remember a request_id.
//   6. Otherwise the next version (CREATED or UPDATED), or the retraction.
// The record carries the entry's remembered requests younger than the
// retention (at most max_requests_per_bulletin, newest kept) and this one.
//
// Thread-safety: Decide is const and may be called from any thread.

#ifndef BULLETIN_INGEST_SERVICE_COMMIT_WRITE_RULES_H_
#define BULLETIN_INGEST_SERVICE_COMMIT_WRITE_RULES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/v1/bulletin.pb.h"
#include "bulletin/v1/ingest.pb.h"
#include "bulletin/v1/log.pb.h"
#include "ingest-service/commit/version_index.h"

namespace bulletin {

// What a caller adds to a change to make retries and races safe.
struct WriteConditions {
  // The client's idempotency key (validated: common/record/write_keys.h);
  // empty: none.
  std::string request_id;
  // Write only if the bulletin's current version is this (0: not live).
  std::optional<int64_t> expected_version;
  // Retractions: the source the caller is bound to (its certificate
  // identity); set, the bulletin must be that source's.
  std::optional<std::string> owner;
};

// A change to one bulletin, as the GroupCommitter queues it.
struct Change {
  bool is_retraction = false;
  // The bulletin's id (of `bulletin` for an upsert).
  std::string id;
  // Upserts: the parsed bulletin (id set; seq, version, source unset), the
  // digest of its content, and who submits it.
  v1::Bulletin bulletin;
  std::string version_digest;
  std::string source;
  // Retractions: why.
  std::string reason;
  WriteConditions conditions;
};

struct CommitResult {
  // The bulletin's id.
  std::string id;
  // The seq of the record written, or holding the answered version.
  uint64_t seq = 0;
  // The version after a submit; the version retracted by a retraction.
  int64_t version = 0;
  // Submits: what the change did.
  v1::WriteResult result = v1::WRITE_RESULT_UNSPECIFIED;
  // True when nothing was written because the version was already there.
  bool duplicate() const { return result == v1::WRITE_RESULT_UNCHANGED; }
};

struct WriteDecision {
  // Set: the answer, and nothing is written.
  std::optional<absl::StatusOr<CommitResult>> answer;
  // Otherwise: the record to append (seq and appended_at unset) and the
  // result to answer once the log has given it a seq.
  v1::LogRecord record;
  CommitResult result;
};

class WriteRules {
 public:
  struct Options {
    // How long a request_id is remembered at least (BRIEF: "the documented
    // retention"; docs/api.md says 24 h).
    absl::Duration request_retention = absl::Hours(24);
    // A bound on what one record remembers, so that a client sending a
    // fresh request_id every second cannot grow a record without limit;
    // the oldest are forgotten first.
    size_t max_requests_per_bulletin = 1000;
  };

  explicit WriteRules(Options options) : options_(options) {}

  // Decides `change` against `entry` (null: the log never had the id) at
  // `now`. Moves the bulletin out of `change` into the record when it
  // decides to write; MoveBack takes it back from that record, for a change
  // to be decided again.
  WriteDecision Decide(const VersionIndex::Entry* entry, Change& change,
                       absl::Time now) const;
  static void MoveBack(v1::LogRecord& record, Change& change);

 private:
  Options options_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_COMMIT_WRITE_RULES_H_
