// The one Traditional-to-Simplified table, shared by the parser (which
// matches its Simplified lexicons against text in either script) and the
// query index (which folds records and queries so that a search in either
// script finds both). Each code point maps on its own, so positions in a
// folded text stay those of the original.
//
//   const bulletin::SimplifiedTable& t2s = bulletin::SimplifiedTable::Get();
//   char32_t c = t2s.Map(U'區');  // U'区'
//
// The table is ICU's "Traditional-Simplified" transliterator applied to
// every Han code point up to U+3FFFF, one at a time, keeping only results
// of exactly one code point; only the code points in the transliterator's
// source set are transliterated, every other one maps to itself. It is
// built on first use (about a tenth of a second in Release; both services
// build it before they serve) and immutable after; Get() is safe from any
// number of threads.

#ifndef BULLETIN_COMMON_TEXT_TRADITIONAL_SIMPLIFIED_H_
#define BULLETIN_COMMON_TEXT_TRADITIONAL_SIMPLIFIED_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace bulletin {

class SimplifiedTable {
 public:
  static const SimplifiedTable& Get();

  // The Simplified form of `c`, or `c` when it has none of one code point.
  char32_t Map(char32_t c) const {
    if (c < bmp_.size()) return bmp_[c];
    auto it = supplementary_.find(c);
    return it == supplementary_.end() ? c : it->second;
  }

  // `text` with every code point mapped; same length.
  std::u32string MapAll(std::u32string_view text) const;

 private:
  SimplifiedTable();

  std::vector<char32_t> bmp_;
  absl::flat_hash_map<char32_t, char32_t> supplementary_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_TEXT_TRADITIONAL_SIMPLIFIED_H_
