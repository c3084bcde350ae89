// Opaque page tokens: where the previous page ended, bound to the request
// that produced it.
//
//   std::string token = EncodePageToken(RequestFingerprint(request), last);
//   absl::StatusOr<PageCursor> cursor =
//       DecodePageToken(request.page_token(), RequestFingerprint(request));
//
// A token holds the sort key of the last hit returned (score, seq), so the
// next page starts strictly after it even when bulletins arrive in between.
// It carries a fingerprint of the query, filters and order, and a checksum:
// a token from another request, or garbage, is INVALID_ARGUMENT.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_PAGE_TOKEN_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_PAGE_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bulletin/v1/query.pb.h"

namespace bulletin {

struct PageCursor {
  double score = 0;
  uint64_t seq = 0;
};

// A stable hash of what decides the result list: query, filters, order.
uint64_t RequestFingerprint(const v1::SearchRequest& request);

std::string EncodePageToken(uint64_t fingerprint, const PageCursor& cursor);

absl::StatusOr<PageCursor> DecodePageToken(std::string_view token,
                                           uint64_t fingerprint);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_PAGE_TOKEN_H_
