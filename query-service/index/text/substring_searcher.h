// Counts the occurrences of one folded term in many short texts.
//
//   SubstringSearcher searcher("委员会议");
//   for (std::string_view paragraph : paragraphs) n +=
//   searcher.Count(paragraph);
//
// It runs over the short paragraphs of a page of hits, where memmem's setup
// on every call costs more than the search, and std::string_view::find,
// which scans for the first byte, stops at nearly every character of CJK
// text (whose UTF-8 lead bytes repeat). Instead, with SSE2, sixteen starts
// are tested at once on their first and last bytes, which together rarely
// match by chance; only those are compared in full. A byte match of a
// whole UTF-8 term is a match at code point boundaries, since UTF-8 is
// self-synchronizing.
//
// The needle must outlive the searcher. Thread-safe: immutable after
// construction.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_TEXT_SUBSTRING_SEARCHER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_TEXT_SUBSTRING_SEARCHER_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace bulletin {

class SubstringSearcher {
 public:
  // `needle` must not be empty.
  explicit SubstringSearcher(std::string_view needle) : needle_(needle) {}

  // Occurrences in `text`, overlapping ones included.
  uint32_t Count(std::string_view text) const {
    const size_t n = needle_.size();
    if (text.size() < n) return 0;
    const char* data = text.data();
    uint32_t count = 0;
    size_t at = 0;
#if defined(__SSE2__)
    if (n >= 2) {
      // Sixteen candidate starts at a time: those whose first byte and
      // whose last byte both match, found with two compares.
      const __m128i first = _mm_set1_epi8(needle_[0]);
      const __m128i last = _mm_set1_epi8(needle_[n - 1]);
      for (; at + 15 + n <= text.size(); at += 16) {
        const __m128i head =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + at));
        const __m128i tail = _mm_loadu_si128(
            reinterpret_cast<const __m128i*>(data + at + n - 1));
        auto mask = static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(
            _mm_cmpeq_epi8(head, first), _mm_cmpeq_epi8(tail, last))));
        for (; mask != 0; mask &= mask - 1) {
          const size_t start = at + static_cast<size_t>(__builtin_ctz(mask));
          if (std::memcmp(data + start, needle_.data(), n) == 0) {
            ++count;
          }
        }
      }
    }
#endif
    // The starts left over (all of them without SSE2).
    for (; at + n <= text.size(); ++at) {
      if (data[at] == needle_[0] &&
          std::memcmp(data + at, needle_.data(), n) == 0) {
        ++count;
      }
    }
    return count;
  }

 private:
  std::string_view needle_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_TEXT_SUBSTRING_SEARCHER_H_
