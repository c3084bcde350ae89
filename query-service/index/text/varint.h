// Unsigned LEB128 varints, as the in-memory index stores its lists
// (docs/index-format.md): seven bits per byte, low bits first, the high
// bit set on every byte but the last.
//
// Thread-safety: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_TEXT_VARINT_H_
#define BULLETIN_QUERY_SERVICE_INDEX_TEXT_VARINT_H_

#include <cstdint>
#include <string>

namespace bulletin {

inline void AppendVarint(uint32_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Decodes the varint at `at` and moves `at` past it. The bytes must hold a
// whole varint: callers read only what they wrote.
inline uint32_t ReadVarint(const uint8_t*& at) {
  uint32_t v = *at & 0x7F;
  for (int shift = 7; *at++ & 0x80; shift += 7) {
    v |= static_cast<uint32_t>(*at & 0x7F) << shift;
  }
  return v;
}

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_TEXT_VARINT_H_
