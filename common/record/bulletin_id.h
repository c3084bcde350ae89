// Stable bulletin ids.
//
//   std::string id = bulletin::ContentId(normalized_text);
//   std::string id2 = bulletin::ExternalIdToId("cms-a", "cms-2021-1123-07");
//
// An id is the first 8 bytes of a SHA-256 digest, as 16 lowercase hex digits.
// The two derivations hash under different domain prefixes, so a content id
// and an external-id id never collide by construction of their inputs.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_RECORD_BULLETIN_ID_H_
#define BULLETIN_COMMON_RECORD_BULLETIN_ID_H_

#include <string>

#include "absl/strings/string_view.h"

namespace bulletin {

// The id of a bulletin submitted without an external id: a hash of its
// normalized text, so that the same bulletin resubmitted, in any encoding or
// with any line endings, gets the same id.
std::string ContentId(absl::string_view normalized_text);

// The id of a bulletin submitted with an external id by `source`: a hash of
// both, so that a correction with new text keeps the id of the version it
// replaces, and two sources' equal external ids name different bulletins.
// The default source (empty) hashes the external id alone.
std::string ExternalIdToId(absl::string_view source,
                           absl::string_view external_id);

// A digest of the content of one version, used to tell a resubmission of the
// same version from a correction. 16 lowercase hex digits.
std::string VersionDigest(absl::string_view normalized_text);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_RECORD_BULLETIN_ID_H_
