// What a read returns of a bulletin: the read_mask of Get, BatchGet and
// Search hits applied, and the bound on a response's size, in one place.
//
//   absl::Status valid = bulletin::ValidateReadMask(request.read_mask());
//   bulletin::ApplyReadMask(request.read_mask(), &record);
//   absl::Status fits = bulletin::CheckResponseSize(response);
//
// An empty mask returns every field but source_text (which can be megabytes
// and is rarely wanted: a reader asks for it, and the replica reads it from
// the ingest log); a mask returns its paths, and id, seq and version always.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_READ_MASK_H_
#define BULLETIN_QUERY_SERVICE_READ_MASK_H_

#include <cstddef>

#include "absl/status/status.h"
#include "bulletin/v1/bulletin.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"

namespace bulletin {

// The most a read's response may hold: under gRPC's default 4 MiB receive
// limit, with room for the framing.
inline constexpr size_t kMaxReadResponseBytes = (4 << 20) - (64 << 10);

// INVALID_ARGUMENT (field read_mask) unless every path names a Bulletin
// field.
absl::Status ValidateReadMask(const google::protobuf::FieldMask& mask);

// Keeps what `mask` asks for of `bulletin` (see above).
void ApplyReadMask(const google::protobuf::FieldMask& mask,
                   v1::Bulletin* bulletin);

// True when `mask` names source_text, which the replica reads from the
// ingest log rather than its index (source_text_reader.h).
bool AsksForSourceText(const google::protobuf::FieldMask& mask);

// RESOURCE_EXHAUSTED (TOO_LARGE) when `response` is over
// kMaxReadResponseBytes.
absl::Status CheckResponseSize(const google::protobuf::Message& response);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_READ_MASK_H_
