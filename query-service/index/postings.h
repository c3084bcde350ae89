// Posting lists: ascending segment numbers, each with how often a bigram
// occurs in that segment, packed as varints.
//
//   std::string list;
//   uint32_t last = 0;
//   AppendPosting(7, 1, &last, &list);
//   AppendPosting(9, 3, &last, &list);
//   for (PostingReader r(list); r.Next();) Use(r.segment(), r.count());
//
// Each entry is varint((gap << 1) | (count > 1)), then varint(count) only
// when count > 1: most bigrams occur once in a paragraph, so most entries
// cost one or two bytes. The first gap is from 0.
//
// Thread-safety: plain values; a reader over bytes nobody writes is safe.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace bulletin {

// Appends (segment, count); segment must be above *last unless the list is
// empty. Updates *last.
void AppendPosting(uint32_t segment, uint32_t count, uint32_t* last,
                   std::string* list);

class PostingReader {
 public:
  explicit PostingReader(std::string_view list)
      : at_(reinterpret_cast<const uint8_t*>(list.data())),
        end_(at_ + list.size()) {}

  // Advances to the next entry; false at the end.
  bool Next() {
    if (at_ == end_) return false;
    const uint32_t head = ReadVarint();
    segment_ += head >> 1;
    count_ = (head & 1) ? ReadVarint() : 1;
    return true;
  }
  uint32_t segment() const { return segment_; }
  uint32_t count() const { return count_; }

 private:
  uint32_t ReadVarint() {
    uint32_t v = *at_ & 0x7F;
    for (int shift = 7; *at_++ & 0x80; shift += 7) {
      v |= static_cast<uint32_t>(*at_ & 0x7F) << shift;
    }
    return v;
  }

  const uint8_t* at_;
  const uint8_t* end_;
  uint32_t segment_ = 0;
  uint32_t count_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_POSTINGS_H_
