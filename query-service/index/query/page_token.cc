#include "query-service/index/query/page_token.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace bulletin {
namespace {

constexpr char kVersion = 1;
// version + fingerprint + score + seq + checksum
constexpr size_t kRawSize = 1 + 8 + 8 + 8 + 8;

// FNV-1a: stable across processes and builds, unlike absl::Hash, so a token
// issued by one replica is understood by another.
uint64_t Fnv1a(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ull) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

void PutU64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  }
  return v;
}

}  // namespace

uint64_t RequestFingerprint(const v1::SearchRequest& request) {
  uint64_t hash = Fnv1a(request.query());
  hash = Fnv1a("\x00", hash);
  std::string filters;
  request.filters().SerializeToString(&filters);
  hash = Fnv1a(filters, hash);
  const char order = static_cast<char>(request.order());
  return Fnv1a(std::string_view(&order, 1), hash);
}

std::string EncodePageToken(uint64_t fingerprint, const PageCursor& cursor) {
  std::string raw(1, kVersion);
  PutU64(fingerprint, &raw);
  uint64_t score_bits;
  std::memcpy(&score_bits, &cursor.score, sizeof score_bits);
  PutU64(score_bits, &raw);
  PutU64(cursor.seq, &raw);
  PutU64(Fnv1a(raw), &raw);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<PageCursor> DecodePageToken(std::string_view token,
                                           uint64_t fingerprint) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &raw) ||
      raw.size() != kRawSize || raw[0] != kVersion ||
      GetU64(std::string_view(raw).substr(kRawSize - 8)) !=
          Fnv1a(std::string_view(raw).substr(0, kRawSize - 8))) {
    return absl::InvalidArgumentError("page_token is not a valid page token");
  }
  if (GetU64(std::string_view(raw).substr(1)) != fingerprint) {
    return absl::InvalidArgumentError(
        "page_token was issued for a different query, filters or order");
  }
  PageCursor cursor;
  const uint64_t score_bits = GetU64(std::string_view(raw).substr(9));
  std::memcpy(&cursor.score, &score_bits, sizeof cursor.score);
  cursor.seq = GetU64(std::string_view(raw).substr(17));
  return cursor;
}

}  // namespace bulletin
