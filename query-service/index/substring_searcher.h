// Counts the occurrences of one folded term in many short texts.
//
//   SubstringSearcher searcher("委员会议");
//   for (std::string_view paragraph : paragraphs) n +=
//   searcher.Count(paragraph);
//
// Boyer-Moore-Horspool over bytes, set up once per term: the index runs it
// over many short paragraphs, where memmem's setup on every call costs more
// than the search, and std::string_view::find, which scans for the first
// byte, stops at nearly every character of CJK text (whose UTF-8 lead bytes
// repeat). A byte match of a whole UTF-8 term is a match at code point
// boundaries, since UTF-8 is self-synchronizing.
//
// The needle must outlive the searcher. Thread-safe: immutable after
// construction.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_SUBSTRING_SEARCHER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_SUBSTRING_SEARCHER_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace bulletin {

class SubstringSearcher {
 public:
  // `needle` must not be empty.
  explicit SubstringSearcher(std::string_view needle) : needle_(needle) {
    for (size_t& s : skip_) s = needle.size();
    for (size_t i = 0; i + 1 < needle.size(); ++i) {
      skip_[static_cast<unsigned char>(needle[i])] = needle.size() - 1 - i;
    }
  }

  // Occurrences in `text`, overlapping ones included.
  uint32_t Count(std::string_view text) const {
    const size_t n = needle_.size();
    uint32_t count = 0;
    for (size_t at = 0; at + n <= text.size();) {
      const unsigned char last = static_cast<unsigned char>(text[at + n - 1]);
      if (last == static_cast<unsigned char>(needle_[n - 1]) &&
          std::memcmp(text.data() + at, needle_.data(), n - 1) == 0) {
        ++count;
        ++at;
      } else {
        at += skip_[last];
      }
    }
    return count;
  }

 private:
  std::string_view needle_;
  size_t skip_[256];
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_SUBSTRING_SEARCHER_H_
