// Positional posting lists: for one bigram, the documents it occurs in
// (ascending), how often per ranking field, and where.
//
//   PostingWriter writer;
//   writer.Add(7, FieldCounts{0, 0, 2}, {12, 40});  // doc 7, items, at 12, 40
//   writer.Add(9, FieldCounts{1, 0, 0}, {3});
//   std::string blob = writer.Finish();             // the frozen form
//
//   PostingCursor c = PostingCursor::OverBlob(blob);
//   if (c.SkipTo(8)) Use(c.doc(), c.counts());      // doc 9
//   c.ReadPositions(&positions);                    // {3}
//
// Two streams per list, as in Lucene: the document stream (read by every
// query) and the position stream (read only by phrases), so that a one- or
// two-character term never touches positions. A frozen list codes each
// block's positions as Rice codes split in two (the low bits at a fixed
// width, the quotients in unary), so that a phrase landing in the middle of
// a block finds its entry's positions by counting bits, not by decoding
// the entries before it. The byte formats, and the frozen blob with its
// skip table, are in docs/index-format.md.
//
// A frozen list of more than one block also bounds each block: the largest
// shape of a score (BlockBasis) among its entries, so that a search ranking
// by relevance passes over a block none of whose documents can make its
// page without decoding it (block-max pruning, as Lucene's impacts do).
//
// A cursor keeps the document stream's place in one struct and the
// position stream's in another, one kind per kind of list.
//
// Thread-safety: plain values; a cursor over bytes nobody writes is safe.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_POSTINGS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_POSTINGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "query-service/index/text/text_segments.h"

namespace bulletin {

// Entries per block of a frozen list; each block after the first has a
// skip entry, so SkipTo reads at most one block.
inline constexpr uint32_t kPostingBlock = 64;

// A document's weighted length as block bounds read it: rounded down, at
// most 0xFFFF, so that it is never above the length itself.
inline uint16_t LengthBound(float weighted_length) {
  if (!(weighted_length > 0)) return 0;
  if (weighted_length >= 65535.0f) return 0xFFFF;
  return static_cast<uint16_t>(weighted_length);
}
using LengthBounds = std::vector<uint16_t>;

// The shape of a score, which block bounds keep the largest of: in [0, 1],
// non-decreasing in the weighted count, non-increasing in the length, for
// documents whose lengths average `reference_length` (scoring.h's
// Bm25::Saturation).
using Saturation = double (*)(double weighted_count, double length,
                              double reference_length);

// Below this many entries, a one-character term's lists cost less than a
// millisecond to read whole, and GramIndex keeps no bounds for it.
inline constexpr uint32_t kBoundedCharacterEntries = 1 << 15;

// What a writer bounds blocks with, from whoever knows the documents (a
// freeze): each document's LengthBound (lengths[doc]; 0 past its end), the
// average length now, which new blocks are measured against, and the shape.
struct BlockBasis {
  const LengthBounds* lengths = nullptr;
  uint16_t reference_length = 1;
  Saturation saturation = nullptr;
  // GramIndex bounds each one-character term whose lists hold at least this
  // many entries (FrozenTier's character bounds).
  uint32_t bounded_character_entries = kBoundedCharacterEntries;
};

// What every entry of a block of a frozen list stays within: no entry's
// saturation, at the block's reference length, is above saturation /
// kFullSaturation. Both are 16 bits in the blob; kFullSaturation bounds
// nothing (a writer without a basis writes it).
struct BlockBound {
  uint32_t saturation = 0;
  uint32_t reference_length = 1;
};
inline constexpr uint32_t kFullSaturation = 0xFFFF;

// A saturation as a bound keeps it: in kFullSaturation-ths, rounded up, so
// that it is never below the saturation itself.
uint32_t SaturationBound(double saturation);

// Appends one entry to a growable list (the recent tier) or to a writer's
// streams. `positions` are ascending, one per occurrence counted in
// `counts`; pass none for a bigram that ends a segment, whose positions no
// phrase needs (`position_stream` may then be null), and then none for any
// entry of that list. `doc` must be above *last unless the list is empty.
void AppendEntry(uint32_t doc, const FieldCounts& counts,
                 const uint32_t* positions, size_t position_count,
                 uint32_t* last, std::string* docs,
                 std::string* position_stream);

// Call before each AppendEntry to a growable list holding `count` entries
// (the last of them `last`): when they fill whole blocks, appends a skip
// entry for the block the next entry starts, in the frozen format but with
// the position stream's offset in bytes, so that SkipTo jumps over recent
// entries as it does over frozen ones.
void AppendGrowableSkip(uint32_t count, uint32_t last, size_t docs_bytes,
                        size_t position_bytes, std::string* skips);

// Builds the frozen form of one list: header, skip table, block bounds,
// streams.
class PostingWriter {
 public:
  // Without a basis, every block is bounded by kFullSaturation. The basis
  // and what it points to must outlive the writer.
  PostingWriter() = default;
  explicit PostingWriter(const BlockBasis* basis) : basis_(basis) {}

  // Starts from a frozen blob (from Finish), so that entries added after
  // its last one extend it: its bytes are copied, not decoded, except the
  // positions of a last block that is not full, which are coded again with
  // the entries that fill it (and the entries of a blob of one block, which
  // stores no bound, to bound it).
  static PostingWriter Resuming(std::string_view blob,
                                const BlockBasis* basis = nullptr);

  // As AppendEntry: one position per occurrence, or none in every entry.
  void Add(uint32_t doc, const FieldCounts& counts,
           const std::vector<uint32_t>& positions);
  uint32_t size() const { return count_; }
  // The blob; the writer is left empty.
  std::string Finish();

 private:
  struct Skip {
    uint32_t doc_base;
    uint32_t docs_offset;
    // Index into position_gaps_ until Finish turns it into a bit offset.
    uint32_t positions_offset;
  };
  // The bound of the block that `doc`'s entry, the count_-th, joins.
  void Bound(uint32_t doc, const FieldCounts& counts);

  const BlockBasis* basis_ = nullptr;
  std::string docs_;
  // One per block begun; written when there is more than one.
  std::vector<BlockBound> bounds_;
  // The positions of the blocks not coded yet, each entry's as its first
  // position then the gaps between them; coded by Finish, a block at a
  // time, since a block's Rice parameter depends on all its values.
  std::vector<uint32_t> position_gaps_;
  std::vector<Skip> skips_;
  uint32_t count_ = 0;
  uint32_t last_ = 0;
  // When resuming: the blob's coded positions of its full blocks and their
  // length in bits, and how many of skips_ came from it (whose offsets are
  // bits already).
  std::string resumed_positions_;
  uint64_t resumed_position_bits_ = 0;
  size_t resumed_skips_ = 0;
};

// PostingCursor's state, one struct per stream and kind of list. Outside
// the class so that they are complete where std::variant needs them.
namespace posting_cursor_internal {

// The document stream and its skip table: both kinds of list. Skip
// entries are 3 little-endian uint32s (doc before the block, its
// document stream byte offset, its position stream offset: in bits in a
// frozen list, in bytes in a growable one). Block bounds (a frozen list of
// more than one block) are 2 little-endian uint16s per block.
struct Documents {
  const uint8_t* begin = nullptr;
  const uint8_t* at = nullptr;
  const uint8_t* end = nullptr;
  const uint8_t* skips = nullptr;
  uint32_t skip_count = 0;
  const uint8_t* bounds = nullptr;
  // The current block, and how many of its entries have been read.
  uint32_t block = 0;
  uint32_t block_entries = 0;
};

// A frozen list's positions: a Rice-coded block per skip entry.
struct FrozenPositions {
  const uint8_t* begin = nullptr;
  const uint8_t* end = nullptr;
  // From the blob's header.
  uint32_t stored_count = 0;
  uint32_t last_doc = 0;
  // How many position values the current block's entries read so far
  // hold, and the index (in the block) of the current entry's first.
  uint32_t block_values = 0;
  uint32_t entry_value = 0;
  // Where the block's positions start (its header), and once the header
  // is read (loaded): the Rice parameter, where the low bits start, and
  // the unary quotients' next bit and the index of the value it codes.
  uint64_t block_bit = 0;
  bool loaded = false;
  int rice_bits = 0;
  uint64_t low_bit = 0;
  uint64_t unary_bit = 0;
  uint32_t unary_value = 0;

  // Moves to the block whose positions start at bit `bit`.
  void EnterBlock(uint64_t bit) {
    block_bit = bit;
    block_values = 0;
    loaded = false;
  }
  // Reads the block's header.
  void Load();
  // The current entry's `count` positions, up to `up_to` (ReadPositions).
  void Read(uint32_t count, uint32_t up_to, std::vector<uint32_t>* out);
  // Up to 57 bits of the stream from bit `bit` on, low bit first; zeros
  // past the end.
  uint64_t PeekBits(uint64_t bit) const;
};

// A growable list's positions: varints, in step with its entries.
struct GrowablePositions {
  const uint8_t* begin = nullptr;
  // The next byte to read, the positions of entries passed over without
  // Read, and those of the current entry while unread.
  const uint8_t* at = nullptr;
  uint32_t to_skip = 0;
  uint32_t unread = 0;

  void Read(uint32_t up_to, std::vector<uint32_t>* out);
};

}  // namespace posting_cursor_internal

class PostingCursor {
 public:
  // An empty list.
  PostingCursor() = default;
  // A frozen blob from PostingWriter::Finish.
  static PostingCursor OverBlob(std::string_view blob);
  // A growable list from AppendEntry, with its AppendGrowableSkip entries
  // if it has them.
  static PostingCursor OverStreams(std::string_view docs,
                                   std::string_view positions,
                                   std::string_view skips = {});

  // Documents in a frozen list; 0 for a growable one, which does not store
  // its count.
  uint32_t stored_count() const {
    const auto* frozen = std::get_if<FrozenPositions>(&positions_);
    return frozen != nullptr ? frozen->stored_count : 0;
  }

  // Moves to the next entry; false at the end.
  bool Next();
  // Moves to the first entry whose doc is >= target (staying put when the
  // current one already is); false when there is none. Never moves back.
  bool SkipTo(uint32_t target);

  uint32_t doc() const { return doc_; }
  const FieldCounts& counts() const { return counts_; }

  // Replaces *out with the current entry's positions, ascending, those
  // above `up_to` left out: decoding stops at the first of them, so that a
  // phrase whose last possible start is early in a document does not pay
  // for the positions after it. At most once per entry, and only for lists
  // that store positions.
  void ReadPositions(std::vector<uint32_t>* out, uint32_t up_to = UINT32_MAX);

  // On an entry of a list that bounds its blocks (a frozen one of more
  // than one block): true, with the bound of the entry's block, which
  // holds for it and every entry after it in the block.
  bool CurrentBlockBound(BlockBound* out) const;
  // Moves to the first entry of the next block, passing over the rest of
  // the current one unread; false at the end. Only after CurrentBlockBound
  // was true.
  bool NextBlock();
  // Sets, in `bits` (bit d % 64 of word d / 64 for document d; a word for
  // every document of the list), the bit of every entry after the current
  // one in its block, reading only their documents, not their counts or
  // positions, and moves to just before the next block: Next then gives
  // its first entry. Returns how many it set. For a search that needs only
  // which documents a block holds (match_finder.h: a block whose bound
  // cannot make the page), on an entry Next, SkipTo or NextBlock gave.
  uint32_t MarkRestOfBlock(uint64_t* bits);
  // Just before a block of a list that bounds its blocks (where
  // MarkRestOfBlock left the cursor): true, with that block's bound, so
  // that a search may mark it whole (MarkRestOfBlock again) without
  // decoding its first entry.
  bool NextBlockBound(BlockBound* out) const;

 private:
  // Jumps to the start of the block holding the first doc >= target, if
  // that is ahead of the current block.
  void SeekBlock(uint32_t target);
  // Moves to the start of block `block` (> 0), nothing of it read.
  void EnterBlock(uint32_t block);
  // Steps over the entries of the current block below `target` without
  // decoding their counts: only what they add to the position bookkeeping.
  // SkipTo's inner loop; Next then reads the entry it stops at.
  void PassEntriesBelow(uint32_t target);

  using Documents = posting_cursor_internal::Documents;
  using FrozenPositions = posting_cursor_internal::FrozenPositions;
  using GrowablePositions = posting_cursor_internal::GrowablePositions;

  Documents docs_;
  std::variant<GrowablePositions, FrozenPositions> positions_;

  uint32_t doc_ = 0;
  // True while doc_ and counts_ describe an entry.
  bool valid_ = false;
  FieldCounts counts_ = {0, 0, 0};
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_POSTINGS_H_
