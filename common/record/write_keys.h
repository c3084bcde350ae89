// The keys a writer names a bulletin and a change by, checked in one place
// for ingest (Submit, Retract) and query (Get):
//
//   absl::Status ok = bulletin::ValidateSource(request.source());
//   absl::StatusOr<std::string> id = bulletin::ResolveBulletinId(
//       request.id(), request.source(), request.external_id());
//
// - external_id: the submitter's own id, at most 256 bytes, no control
//   characters (it is hashed, never parsed).
// - source: who submitted, at most 128 bytes of printable ASCII without
//   spaces (it appears in ids' hashes, logs and metrics); empty is the
//   default source.
// - request_id: a client's idempotency key, 1 to 128 printable ASCII
//   characters without spaces; empty means none.
// - id: 16 lowercase hex digits (common/record/bulletin_id.h).
//
// Every failure is INVALID_ARGUMENT naming the field and what is wrong.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_RECORD_WRITE_KEYS_H_
#define BULLETIN_COMMON_RECORD_WRITE_KEYS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin {

absl::Status ValidateExternalId(absl::string_view external_id);
absl::Status ValidateSource(absl::string_view source);
absl::Status ValidateRequestId(absl::string_view request_id);
absl::Status ValidateBulletinId(absl::string_view id);

// The id a request names: `id` itself, or the id of (source, external_id).
// Exactly one of `id` and `external_id` must be given.
absl::StatusOr<std::string> ResolveBulletinId(absl::string_view id,
                                              absl::string_view source,
                                              absl::string_view external_id);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_RECORD_WRITE_KEYS_H_
