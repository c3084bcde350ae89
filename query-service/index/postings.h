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
// two-character term never touches positions. The byte formats, and the
// frozen blob with its skip table, are in docs/index-format.md.
//
// Thread-safety: plain values; a cursor over bytes nobody writes is safe.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query-service/index/text_segments.h"

namespace bulletin {

// Entries per block of a frozen list; each block after the first has a
// skip entry, so SkipTo reads at most one block.
inline constexpr uint32_t kPostingBlock = 64;

// Appends one entry to a growable list (the recent tier) or to a writer's
// streams. `positions` are ascending; pass none for a bigram that ends a
// segment, whose positions no phrase needs (`position_stream` may then be
// null). `doc` must be above *last unless the list is empty.
void AppendEntry(uint32_t doc, const FieldCounts& counts,
                 const uint32_t* positions, size_t position_count,
                 uint32_t* last, std::string* docs,
                 std::string* position_stream);

// Builds the frozen form of one list: header, skip table, streams.
class PostingWriter {
 public:
  // Starts from a frozen blob (from Finish), so that entries added after
  // its last one extend it: its bytes are copied, not decoded, and new
  // positions take its Rice parameter.
  static PostingWriter Resuming(std::string_view blob);

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
  std::string docs_;
  // Each entry's positions: the first, then the gaps between them; Rice
  // coded by Finish, which needs them all to choose the parameter.
  std::vector<uint32_t> position_gaps_;
  std::vector<Skip> skips_;
  uint32_t count_ = 0;
  uint32_t last_ = 0;
  // When resuming: the blob's Rice parameter, its coded positions and their
  // length in bits, and how many of skips_ came from it (whose offsets are
  // bits already); rice_bits_ is -1 otherwise.
  int rice_bits_ = -1;
  std::string resumed_positions_;
  uint64_t resumed_position_bits_ = 0;
  size_t resumed_skips_ = 0;
};

class PostingCursor {
 public:
  // An empty list.
  PostingCursor() = default;
  // A frozen blob from PostingWriter::Finish.
  static PostingCursor OverBlob(std::string_view blob);
  // A growable list from AppendEntry.
  static PostingCursor OverStreams(std::string_view docs,
                                   std::string_view positions);

  // Documents in a frozen list; 0 for a growable one, which does not store
  // its count.
  uint32_t stored_count() const { return stored_count_; }

  // Moves to the next entry; false at the end.
  bool Next();
  // Moves to the first entry whose doc is >= target (staying put when the
  // current one already is); false when there is none. Never moves back.
  bool SkipTo(uint32_t target);

  uint32_t doc() const { return doc_; }
  const FieldCounts& counts() const { return counts_; }

  // Replaces *out with the current entry's positions, ascending. At most
  // once per entry, and only for lists that store positions.
  void ReadPositions(std::vector<uint32_t>* out);

 private:
  // Jumps to the start of the block holding the first doc >= target, if
  // that is ahead of where the cursor is.
  void SeekBlock(uint32_t target);
  // The next position value (a first position or a gap) and skipping one.
  uint32_t ReadPositionValue();
  void SkipPositionValue();
  // Up to 57 bits of the Rice stream from positions_bit_ on, low bit first;
  // zeros past the end.
  uint64_t PeekBits() const;

  const uint8_t* docs_begin_ = nullptr;
  const uint8_t* at_ = nullptr;
  const uint8_t* end_ = nullptr;
  const uint8_t* positions_begin_ = nullptr;
  const uint8_t* positions_end_ = nullptr;
  // Varint positions (a growable list): the next byte to read.
  const uint8_t* positions_at_ = nullptr;
  // Rice-coded positions (a frozen list): the parameter, or -1 for
  // varints, and the next bit to read.
  int rice_bits_ = -1;
  uint64_t positions_bit_ = 0;
  // Positions of entries passed over without ReadPositions, and of the
  // current entry while unread.
  uint32_t positions_to_skip_ = 0;
  uint32_t unread_positions_ = 0;
  // Skip table: entries of 3 little-endian uint32s (doc before the block,
  // its document stream byte offset, its position stream bit offset).
  const uint8_t* skips_ = nullptr;
  uint32_t skip_count_ = 0;
  uint32_t next_skip_ = 0;
  uint32_t stored_count_ = 0;
  uint32_t last_doc_ = 0;
  bool has_last_doc_ = false;

  uint32_t doc_ = 0;
  // True while doc_ and counts_ describe an entry.
  bool valid_ = false;
  FieldCounts counts_ = {0, 0, 0};
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_H_
