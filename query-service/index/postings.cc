#include "query-service/index/postings.h"

#include "query-service/index/varint.h"

namespace bulletin {
namespace {

// The four shapes of a document entry's head (the low two bits).
enum Form : uint32_t {
  kOneInItems = 0,   // counts {0, 0, 1}
  kManyInItems = 1,  // varint(n) follows: counts {0, 0, n}
  kAnywhere = 2,     // varint(headline), varint(lead), varint(item) follow
  kOneInHeadline = 3,
};

void AppendFixed32(uint32_t v, std::string* out) {
  char bytes[4];
  for (int i = 0; i < 4; ++i)
    bytes[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  out->append(bytes, 4);
}

uint32_t ReadFixed32(const uint8_t* at) {
  return static_cast<uint32_t>(at[0]) | (static_cast<uint32_t>(at[1]) << 8) |
         (static_cast<uint32_t>(at[2]) << 16) |
         (static_cast<uint32_t>(at[3]) << 24);
}

constexpr size_t kSkipBytes = 12;

}  // namespace

void AppendEntry(uint32_t doc, const FieldCounts& counts,
                 const uint32_t* positions, size_t position_count,
                 uint32_t* last, std::string* docs,
                 std::string* position_stream) {
  const uint32_t gap = docs->empty() ? doc : doc - *last;
  const auto headline = static_cast<uint32_t>(counts[0]);
  const auto lead = static_cast<uint32_t>(counts[1]);
  const auto item = static_cast<uint32_t>(counts[2]);
  if (headline == 0 && lead == 0) {
    AppendVarint((gap << 2) | (item == 1 ? kOneInItems : kManyInItems), docs);
    if (item != 1) AppendVarint(item, docs);
  } else if (headline == 1 && lead == 0 && item == 0) {
    AppendVarint((gap << 2) | kOneInHeadline, docs);
  } else {
    AppendVarint((gap << 2) | kAnywhere, docs);
    AppendVarint(headline, docs);
    AppendVarint(lead, docs);
    AppendVarint(item, docs);
  }
  uint32_t previous = 0;
  for (size_t i = 0; i < position_count; ++i) {
    AppendVarint(positions[i] - previous, position_stream);
    previous = positions[i];
  }
  *last = doc;
}

void PostingWriter::Add(uint32_t doc, const FieldCounts& counts,
                        const std::vector<uint32_t>& positions) {
  if (count_ > 0 && count_ % kPostingBlock == 0) {
    skips_.push_back(Skip{last_, static_cast<uint32_t>(docs_.size()),
                          static_cast<uint32_t>(positions_.size())});
  }
  AppendEntry(doc, counts, positions.data(), positions.size(), &last_, &docs_,
              &positions_);
  ++count_;
}

std::string PostingWriter::Finish() {
  std::string blob;
  blob.reserve(16 + skips_.size() * kSkipBytes + docs_.size() +
               positions_.size());
  AppendVarint(count_, &blob);
  AppendVarint(last_, &blob);
  AppendVarint(static_cast<uint32_t>(docs_.size()), &blob);
  AppendVarint(static_cast<uint32_t>(skips_.size()), &blob);
  for (const Skip& skip : skips_) {
    AppendFixed32(skip.doc_base, &blob);
    AppendFixed32(skip.docs_offset, &blob);
    AppendFixed32(skip.positions_offset, &blob);
  }
  blob += docs_;
  blob += positions_;
  *this = PostingWriter();
  return blob;
}

PostingCursor PostingCursor::OverBlob(std::string_view blob) {
  PostingCursor c;
  if (blob.empty()) return c;
  const uint8_t* at = reinterpret_cast<const uint8_t*>(blob.data());
  c.stored_count_ = ReadVarint(at);
  c.last_doc_ = ReadVarint(at);
  c.has_last_doc_ = true;
  const uint32_t docs_bytes = ReadVarint(at);
  c.skip_count_ = ReadVarint(at);
  c.skips_ = at;
  at += static_cast<size_t>(c.skip_count_) * kSkipBytes;
  c.docs_begin_ = c.at_ = at;
  c.end_ = at + docs_bytes;
  c.positions_begin_ = c.positions_at_ = c.end_;
  return c;
}

PostingCursor PostingCursor::OverStreams(std::string_view docs,
                                         std::string_view positions) {
  PostingCursor c;
  c.docs_begin_ = c.at_ = reinterpret_cast<const uint8_t*>(docs.data());
  c.end_ = c.at_ + docs.size();
  c.positions_begin_ = c.positions_at_ =
      reinterpret_cast<const uint8_t*>(positions.data());
  return c;
}

bool PostingCursor::Next() {
  positions_to_skip_ += unread_positions_;
  unread_positions_ = 0;
  if (at_ == end_) {
    valid_ = false;
    return false;
  }
  const uint32_t head = ReadVarint(at_);
  doc_ += head >> 2;
  switch (head & 3) {
    case kOneInItems:
      counts_ = {0, 0, 1};
      break;
    case kManyInItems:
      counts_ = {0, 0, static_cast<int32_t>(ReadVarint(at_))};
      break;
    case kOneInHeadline:
      counts_ = {1, 0, 0};
      break;
    default:
      counts_[0] = static_cast<int32_t>(ReadVarint(at_));
      counts_[1] = static_cast<int32_t>(ReadVarint(at_));
      counts_[2] = static_cast<int32_t>(ReadVarint(at_));
      break;
  }
  unread_positions_ =
      static_cast<uint32_t>(counts_[0] + counts_[1] + counts_[2]);
  valid_ = true;
  return true;
}

void PostingCursor::SeekBlock(uint32_t target) {
  // The last skip entry at or after next_skip_ whose doc_base < target.
  uint32_t lo = next_skip_;
  uint32_t hi = skip_count_;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (ReadFixed32(skips_ + mid * kSkipBytes) < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == next_skip_) return;  // the target is in the current block
  const uint8_t* skip = skips_ + (lo - 1) * kSkipBytes;
  const uint32_t docs_offset = ReadFixed32(skip + 4);
  next_skip_ = lo;
  if (docs_begin_ + docs_offset <= at_) return;
  at_ = docs_begin_ + docs_offset;
  positions_at_ = positions_begin_ + ReadFixed32(skip + 8);
  positions_to_skip_ = 0;
  unread_positions_ = 0;
  doc_ = ReadFixed32(skip);
  valid_ = false;
}

bool PostingCursor::SkipTo(uint32_t target) {
  if (valid_ && doc_ >= target) return true;
  if (has_last_doc_ && target > last_doc_) {
    at_ = end_;
    valid_ = false;
    unread_positions_ = 0;
    return false;
  }
  if (skip_count_ > 0) SeekBlock(target);
  while (Next()) {
    if (doc_ >= target) return true;
  }
  return false;
}

void PostingCursor::ReadPositions(std::vector<uint32_t>* out) {
  for (; positions_to_skip_ > 0; --positions_to_skip_) {
    while (*positions_at_++ & 0x80) {
    }
  }
  out->resize(unread_positions_);
  uint32_t position = 0;
  for (uint32_t i = 0; i < unread_positions_; ++i) {
    position += ReadVarint(positions_at_);
    (*out)[i] = position;
  }
  unread_positions_ = 0;
}

}  // namespace bulletin
