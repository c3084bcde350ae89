// The inverted index of folded text: for every bigram of folded code points
// (and every code point followed by the end of its segment), the documents
// it occurs in, how often per ranking field, and at which positions
// (postings.h). A term of one code point is the union of the lists of the
// bigrams it starts; a term of two is one list; a longer term is found by
// lining up the positions of a few of its bigrams, so no text is read.
//
//   GramIndex grams;
//   grams.AddDocument(doc, DocumentText{code_points, lead_start, item_start});
//   GramIndex::Cursor c(grams.Find(U'会', U'议'));
//   while (c.Next()) Use(c.doc(), c.counts());
//
// A document's positions number its folded code points with every segment
// followed by one kEnd, so that no bigram, and no phrase, spans two
// segments.
//
// Storage has two tiers. Recent documents go to a hash map of growable
// lists; Compacted() moves everything into the frozen tier: a sorted
// two-level dictionary over one byte array of frozen lists with skip tables
// (8 bytes per distinct bigram plus the lists). When it renumbers nothing,
// frozen lists are copied or extended rather than decoded. Document numbers
// only grow, so a bigram's full list is its frozen list followed by its
// recent list.
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
#include "query-service/index/postings.h"

namespace bulletin {

// One document's folded code points as the index numbers them: each
// segment's, then kEnd. Segments of the headline fields come first, then
// the lead fields, then the items, so a position's field is known from
// where the lead and item segments start.
struct DocumentText {
  std::vector<char32_t> code_points;
  uint32_t lead_start = 0;
  uint32_t item_start = 0;
};

class GramIndex {
 public:
  // Ends every segment; as the second code point of a bigram, the first is
  // the segment's last.
  static constexpr char32_t kEnd = 0x1FFFFF;
  // In a remap table: the document is gone.
  static constexpr uint32_t kDropped = 0xFFFFFFFFu;

  // The postings of one bigram: frozen part, then recent part.
  struct List {
    std::string_view frozen;
    std::string_view recent_docs;
    std::string_view recent_positions;
    uint32_t recent_count = 0;
    // Documents in the list, live or not.
    uint32_t documents() const;
    size_t bytes() const { return frozen.size() + recent_docs.size(); }
  };

  // Walks a List: its frozen part, then its recent part.
  class Cursor {
   public:
    Cursor() = default;
    explicit Cursor(const List& list)
        : parts_{PostingCursor::OverBlob(list.frozen),
                 PostingCursor::OverStreams(list.recent_docs,
                                            list.recent_positions)} {}
    bool Next() {
      for (; part_ < 2; ++part_) {
        if (parts_[part_].Next()) return true;
      }
      return false;
    }
    bool SkipTo(uint32_t target) {
      for (; part_ < 2; ++part_) {
        if (parts_[part_].SkipTo(target)) return true;
      }
      return false;
    }
    uint32_t doc() const { return parts_[part_].doc(); }
    const FieldCounts& counts() const { return parts_[part_].counts(); }
    void ReadPositions(std::vector<uint32_t>* out) {
      parts_[part_].ReadPositions(out);
    }

   private:
    PostingCursor parts_[2];
    int part_ = 0;
  };

  // Adds the bigrams of one document. Documents must be added in ascending
  // order, above every document already present.
  void AddDocument(uint32_t doc, const DocumentText& text);

  List Find(char32_t first, char32_t second) const;

  // Calls `visit` with the list of each bigram starting with `first`.
  void ForEachStartingWith(char32_t first,
                           absl::FunctionRef<void(const List&)> visit) const;

  // Distinct bigrams only in the recent tier, and bytes of recent lists.
  size_t recent_bigrams() const { return recent_.size(); }
  size_t recent_bytes() const { return recent_bytes_; }
  size_t frozen_bigrams() const { return second_.size(); }
  size_t frozen_bytes() const { return frozen_.size(); }

  // Everything in the frozen tier, with document d renumbered remap[d] and
  // dropped where remap[d] == kDropped. Remapping must keep order.
  GramIndex Compacted(const std::vector<uint32_t>& remap) const;

  size_t MemoryBytes() const;

 private:
  struct Recent {
    std::string docs;
    std::string positions;
    uint32_t last = 0;
    uint32_t count = 0;
  };
  static uint64_t Key(char32_t first, char32_t second) {
    return (static_cast<uint64_t>(first) << 21) | second;
  }
  void AddGroup(uint32_t doc, uint64_t key, const FieldCounts& counts,
                const uint32_t* positions, size_t position_count);
  // Index range [begin, end) in second_ of the bigrams starting with first.
  std::pair<uint32_t, uint32_t> FrozenRange(char32_t first) const;
  std::string_view FrozenList(uint32_t i) const {
    return std::string_view(frozen_).substr(offsets_[i],
                                            offsets_[i + 1] - offsets_[i]);
  }
  List WithRecent(std::string_view frozen, uint64_t key) const;

  // Frozen tier: first_[k] owns bigrams [first_begin_[k], first_begin_[k+1])
  // of second_; bigram i's blob is frozen_[offsets_[i], offsets_[i+1]).
  std::vector<uint32_t> first_;
  std::vector<uint32_t> first_begin_;
  std::vector<uint32_t> second_;
  std::vector<uint32_t> offsets_;
  std::string frozen_;

  // AddDocument's working memory, kept to spare allocations per document;
  // it holds nothing between calls.
  struct GroupScratch {
    std::vector<uint64_t> slot_keys;
    std::vector<uint32_t> slot_groups;
    std::vector<uint32_t> slot_stamps;
    uint32_t stamp = 0;
    std::vector<uint64_t> keys;       // per group, in order of appearance
    std::vector<uint32_t> starts;     // per group, into positions; one more
    std::vector<uint32_t> fill;       // per group, while filling
    std::vector<uint32_t> group_of;   // per position
    std::vector<uint32_t> positions;  // grouped, ascending within a group
  };
  GroupScratch scratch_;

  absl::flat_hash_map<uint64_t, Recent> recent_;
  // Second code points seen after each first one in the recent tier.
  absl::flat_hash_map<char32_t, std::vector<char32_t>> recent_successors_;
  size_t recent_bytes_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_GRAM_INDEX_H_
