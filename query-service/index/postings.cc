#include "query-service/index/postings.h"

namespace bulletin {
namespace {

void AppendVarint(uint32_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

}  // namespace

void AppendPosting(uint32_t segment, uint32_t count, uint32_t* last,
                   std::string* list) {
  const uint32_t gap = list->empty() ? segment : segment - *last;
  AppendVarint((gap << 1) | (count > 1 ? 1u : 0u), list);
  if (count > 1) AppendVarint(count, list);
  *last = segment;
}

}  // namespace bulletin
