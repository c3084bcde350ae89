// The inverted index of folded text: for every bigram of folded code points
// (and every code point followed by the end of its segment), the segments
// it occurs in, with counts (postings.h). Any term of one code point is the
// union of the lists of the bigrams it starts; a term of two is one list; a
// longer term's candidates are the intersection of its bigrams' lists, which
// the caller verifies against the text.
//
//   GramIndex grams;
//   grams.AddSegment(segment, FoldedCodePoints(text));
//   GramIndex::List list = grams.Find(U'会', U'议');
//
// Storage has two tiers. Recent segments go to a hash map of growable
// lists; Compacted() rewrites everything into the frozen tier, a sorted
// two-level dictionary over one byte array, which costs about 8 bytes per
// distinct bigram plus the postings. Segment numbers only grow, so a
// bigram's full list is its frozen list followed by its recent list.
//
// Thread-safety: none of its own; BulletinIndex guards it. Const methods
// only read.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_GRAM_INDEX_H_
#define BULLETIN_QUERY_SERVICE_INDEX_GRAM_INDEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"

namespace bulletin {

class GramIndex {
 public:
  // Stands for the end of a segment as the second code point of a bigram.
  static constexpr char32_t kEnd = 0x1FFFFF;
  // In a remap table: the segment is gone.
  static constexpr uint32_t kDropped = 0xFFFFFFFFu;

  // The postings of one bigram: frozen part, then recent part.
  struct List {
    std::string_view frozen;
    std::string_view recent;
    size_t bytes() const { return frozen.size() + recent.size(); }
  };

  // Adds the bigrams of one segment's folded code points. Segments must be
  // added in ascending order, above every segment already present.
  void AddSegment(uint32_t segment, const std::vector<char32_t>& text);

  List Find(char32_t first, char32_t second) const;

  // Calls `visit` with the list of each bigram starting with `first`.
  void ForEachStartingWith(char32_t first,
                           absl::FunctionRef<void(const List&)> visit) const;

  // Distinct bigrams only in the recent tier.
  size_t recent_bigrams() const { return recent_.size(); }
  size_t frozen_bigrams() const { return second_.size(); }

  // Everything in the frozen tier, with segment s renumbered remap[s] and
  // dropped where remap[s] == kDropped. Remapping must keep order.
  GramIndex Compacted(const std::vector<uint32_t>& remap) const;

  size_t MemoryBytes() const;

 private:
  struct Recent {
    std::string postings;
    uint32_t last = 0;
  };
  static uint64_t Key(char32_t first, char32_t second) {
    return (static_cast<uint64_t>(first) << 21) | second;
  }
  // Index range [begin, end) in second_ of the bigrams starting with first.
  std::pair<uint32_t, uint32_t> FrozenRange(char32_t first) const;
  std::string_view FrozenList(uint32_t i) const {
    return std::string_view(frozen_).substr(offsets_[i],
                                            offsets_[i + 1] - offsets_[i]);
  }

  // Frozen tier: first_[k] owns bigrams [first_begin_[k], first_begin_[k+1])
  // of second_; bigram i's postings are frozen_[offsets_[i], offsets_[i+1]).
  std::vector<uint32_t> first_;
  std::vector<uint32_t> first_begin_;
  std::vector<uint32_t> second_;
  std::vector<uint32_t> offsets_;
  std::string frozen_;

  absl::flat_hash_map<uint64_t, Recent> recent_;
  // Second code points seen after each first one in the recent tier.
  absl::flat_hash_map<char32_t, std::vector<char32_t>> recent_successors_;
  size_t recent_bytes_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_GRAM_INDEX_H_
