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
// Storage has three tiers. Recent documents go to a hash map of growable
// lists. Seal() sets that map aside, still searched, and starts an empty
// one; Freeze() merges the sealed lists into the frozen tier (a sorted
// two-level dictionary over one byte array of lists with skip tables, 8
// bytes per distinct bigram plus the lists) and Install() puts the result
// in place. Frozen and sealed tiers are immutable and shared, so Freeze
// needs no lock and runs on a thread of its own while documents keep being
// added to the new recent tier: a freeze of 100,000 bulletins takes about a
// second, which the applier would otherwise spend not applying. Frozen
// lists are copied or extended rather than decoded unless documents are
// dropped. Document numbers only grow, so a bigram's full list is its
// frozen list, then its sealed list, then its recent list.
//
// Thread-safety: none of its own; BulletinIndex guards it. Const methods
// only read. Freeze reads only its argument, which nothing changes.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_GRAM_INDEX_H_
#define BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_GRAM_INDEX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/types/span.h"
#include "query-service/index/postings/postings.h"

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

  // The entries of one bigram added since a tier was started: document
  // gaps and position streams, and skip entries (postings.h).
  struct RecentPart {
    std::string_view docs;
    std::string_view positions;
    std::string_view skips;
    uint32_t count = 0;
  };

  // The postings of one bigram: frozen, then sealed, then recent.
  struct List {
    std::string_view frozen;
    RecentPart sealed;
    RecentPart recent;
    // Documents in the list, live or not.
    uint32_t documents() const;
    size_t bytes() const {
      return frozen.size() + sealed.docs.size() + recent.docs.size();
    }
  };

  // Walks a List: its frozen part, then its sealed and recent parts.
  class Cursor {
   public:
    Cursor() = default;
    explicit Cursor(const List& list)
        : parts_{
              PostingCursor::OverBlob(list.frozen),
              PostingCursor::OverStreams(
                  list.sealed.docs, list.sealed.positions, list.sealed.skips),
              PostingCursor::OverStreams(list.recent.docs,
                                         list.recent.positions,
                                         list.recent.skips)} {}
    bool Next() {
      for (; part_ < kParts; ++part_) {
        if (parts_[part_].Next()) return true;
      }
      return false;
    }
    bool SkipTo(uint32_t target) {
      for (; part_ < kParts; ++part_) {
        if (parts_[part_].SkipTo(target)) return true;
      }
      return false;
    }
    uint32_t doc() const { return parts_[part_].doc(); }
    const FieldCounts& counts() const { return parts_[part_].counts(); }
    void ReadPositions(std::vector<uint32_t>* out,
                       uint32_t up_to = UINT32_MAX) {
      parts_[part_].ReadPositions(out, up_to);
    }
    // As PostingCursor's: only the frozen part bounds its blocks.
    bool CurrentBlockBound(BlockBound* out) const {
      return part_ < kParts && parts_[part_].CurrentBlockBound(out);
    }
    bool NextBlock() {
      if (parts_[part_].NextBlock()) return true;
      for (++part_; part_ < kParts; ++part_) {
        if (parts_[part_].Next()) return true;
      }
      return false;
    }
    // As PostingCursor's, in the part the cursor is on; Next goes on to
    // the next part when that one has no block left.
    uint32_t MarkRestOfBlock(uint64_t* bits) {
      return parts_[part_].MarkRestOfBlock(bits);
    }
    bool NextBlockBound(BlockBound* out) const {
      return part_ < kParts && parts_[part_].NextBlockBound(out);
    }

   private:
    static constexpr int kParts = 3;
    PostingCursor parts_[kParts];
    int part_ = 0;
  };

  // The frozen tier: first[k] owns bigrams [first_begin[k],
  // first_begin[k+1]) of second; bigram i's blob is bytes[offsets[i],
  // offsets[i+1]).
  struct FrozenTier {
    std::vector<uint32_t> first;
    std::vector<uint32_t> first_begin{0};
    std::vector<uint32_t> second;
    std::vector<uint32_t> offsets{0};
    std::string bytes;
    // Index range [begin, end) in second of the bigrams starting with c.
    std::pair<uint32_t, uint32_t> Range(char32_t c) const;
    std::string_view ListAt(uint32_t i) const {
      return std::string_view(bytes).substr(offsets[i],
                                            offsets[i + 1] - offsets[i]);
    }

    // Block bounds of one-character terms, whose documents are the union of
    // many lists and so have no blocks of their own: for each code point in
    // character_points (ascending) whose lists hold at least
    // BlockBasis::bounded_character_entries, per kCharacterBlock documents (doc
    // / kCharacterBlock) below character_documents, the largest saturation
    // (postings.h) of the code point's occurrences in one document, at
    // character_reference. Code point i's bounds are
    // character_saturation[character_begin[i], character_begin[i+1]).
    std::vector<uint32_t> character_points;
    std::vector<uint32_t> character_begin{0};
    std::vector<uint16_t> character_saturation;
    uint32_t character_documents = 0;
    uint32_t character_reference = 1;
    // The bounds of `c`, one per block; empty when it has none.
    absl::Span<const uint16_t> CharacterBounds(char32_t c) const;

    size_t MemoryBytes() const;
  };

  // Documents per one-character block bound.
  static constexpr uint32_t kCharacterBlock = 128;

  // A tier of growable lists.
  struct RecentTier {
    struct Entries {
      std::string docs;
      std::string positions;
      // A skip entry per block after the first: a tier may hold as many
      // postings as the frozen one (freeze_policy.h), and phrases skip
      // through it too.
      std::string skips;
      uint32_t last = 0;
      uint32_t count = 0;
    };
    absl::flat_hash_map<uint64_t, Entries> lists;
    // Second code points seen after each first one.
    absl::flat_hash_map<char32_t, std::vector<char32_t>> successors;
    // Bytes held by the lists' streams.
    size_t bytes = 0;
    size_t MemoryBytes() const;
  };

  // What Freeze merges: the frozen tier and the tier Seal set aside.
  struct Sealed {
    std::shared_ptr<const FrozenTier> frozen;
    std::shared_ptr<const RecentTier> recent;
  };

  GramIndex();

  // Adds the bigrams of one document to the recent tier. Documents must be
  // added in ascending order, above every document already present.
  void AddDocument(uint32_t doc, const DocumentText& text);

  List Find(char32_t first, char32_t second) const;

  // The frozen tier's one-character block bounds of `c` (FrozenTier), and
  // the documents and reference length they are for.
  struct CharacterBounds {
    absl::Span<const uint16_t> saturation;
    uint32_t documents = 0;
    uint32_t reference_length = 1;
  };
  CharacterBounds CharacterBoundsOf(char32_t c) const;

  // Calls `visit` with the list of each bigram starting with `first`.
  void ForEachStartingWith(char32_t first,
                           absl::FunctionRef<void(const List&)> visit) const;

  // Distinct bigrams in the recent tier, and bytes of its lists; the same
  // of the frozen tier.
  size_t recent_bigrams() const { return recent_.lists.size(); }
  size_t recent_bytes() const { return recent_.bytes; }
  size_t frozen_bigrams() const { return frozen_->second.size(); }
  size_t frozen_bytes() const { return frozen_->bytes.size(); }

  // Sets the recent tier aside for Freeze and starts an empty one. The
  // sealed tier is searched until Install; there is at most one.
  Sealed Seal();

  // The frozen tier holding everything in `sealed`, without the postings of
  // the documents d for which dead[d] (d < dead.size()), its lists' blocks
  // bounded with `basis` (PostingWriter). Reads nothing else, so it may
  // run on any thread.
  static std::shared_ptr<const FrozenTier> Freeze(const Sealed& sealed,
                                                  const std::vector<bool>& dead,
                                                  const BlockBasis& basis);

  // Replaces the frozen and sealed tiers with Freeze's result for the last
  // Seal().
  void Install(std::shared_ptr<const FrozenTier> frozen);

  // Every tier as it is now, for a snapshot (bulletin_index.h): the frozen
  // and sealed ones shared, the recent one copied, so that Merge can run
  // on any thread while documents go on being added here.
  struct Tiers {
    std::shared_ptr<const FrozenTier> frozen;
    std::shared_ptr<const RecentTier> sealed;  // null when none
    std::shared_ptr<const RecentTier> recent;
  };
  Tiers CopyTiers() const;
  // One frozen tier holding everything in `tiers` but the postings of the
  // documents d for which dead[d], as Freeze bounds its blocks.
  static std::shared_ptr<const FrozenTier> Merge(const Tiers& tiers,
                                                 const std::vector<bool>& dead,
                                                 const BlockBasis& basis);
  // Starts an empty index from a snapshot's frozen tier.
  void Restore(std::shared_ptr<const FrozenTier> frozen);

  size_t MemoryBytes() const;

 private:
  // Fills the one-character bounds of a tier whose lists are complete.
  static void BoundCharacters(const BlockBasis& basis, FrozenTier* tier);
  static uint64_t Key(char32_t first, char32_t second) {
    return (static_cast<uint64_t>(first) << 21) | second;
  }
  void AddGroup(uint32_t doc, uint64_t key, const FieldCounts& counts,
                const uint32_t* positions, size_t position_count);
  List WithRecent(std::string_view frozen, uint64_t key) const;

  // Immutable and shared with a running Freeze.
  std::shared_ptr<const FrozenTier> frozen_;
  std::shared_ptr<const RecentTier> sealed_;  // null when none
  RecentTier recent_;

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
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_GRAM_INDEX_H_
