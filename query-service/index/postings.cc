#include "query-service/index/postings.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/numeric/bits.h"
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

// The varints that open a frozen blob (docs/index-format.md).
struct BlobHeader {
  uint32_t count;
  uint32_t last_doc;
  uint32_t docs_bytes;
  uint32_t skip_count;
  int rice_bits;
  uint32_t position_bits;
};

// Reads the header at `at` and moves `at` to the skip table.
BlobHeader ReadHeader(const uint8_t*& at) {
  BlobHeader h;
  h.count = ReadVarint(at);
  h.last_doc = ReadVarint(at);
  h.docs_bytes = ReadVarint(at);
  h.skip_count = ReadVarint(at);
  h.rice_bits = static_cast<int>(ReadVarint(at));
  h.position_bits = ReadVarint(at);
  return h;
}

// PeekBits yields at least this many valid bits.
constexpr uint32_t kWindowBits = 57;
constexpr uint64_t kWindowMask = (uint64_t{1} << kWindowBits) - 1;

// The Rice parameter that codes `values` in the fewest bits: a value v
// costs (v >> b) + 1 + b bits. The best b is near log2 of the mean, so only
// its neighbours are tried.
int BestRiceBits(const std::vector<uint32_t>& values) {
  if (values.empty()) return 0;
  uint64_t sum = 0;
  for (uint32_t v : values) sum += v;
  const uint64_t mean = sum / values.size();
  const int guess = mean == 0 ? 0 : 63 - absl::countl_zero(mean);
  int best = 0;
  uint64_t best_cost = UINT64_MAX;
  for (int b = std::max(0, guess - 1); b <= std::min(guess + 1, 31); ++b) {
    uint64_t cost = values.size() * (1 + static_cast<uint64_t>(b));
    for (uint32_t v : values) cost += v >> b;
    if (cost < best_cost) {
      best_cost = cost;
      best = b;
    }
  }
  return best;
}

// A quotient this large is not coded in unary: that many zeros are
// followed by the value in 32 bits, so that no value costs more than 72
// bits and a code's zeros always fit in one PeekBits window.
constexpr uint32_t kEscapeQuotient = 40;

// Appends Rice codes low bit first: the quotient as that many zeros and a
// one, then the remainder's low bits.
class BitWriter {
 public:
  BitWriter() = default;
  // Continues `bits` bits already coded in `bytes`.
  BitWriter(std::string_view bytes, uint64_t bits) : bits_(bits) {
    const size_t whole = static_cast<size_t>(bits / 8);
    out_.assign(bytes.substr(0, whole));
    used_ = static_cast<int>(bits % 8);
    if (used_ > 0) {
      pending_ = static_cast<uint8_t>(bytes[whole]) & ((1u << used_) - 1);
    }
  }

  void AppendRice(uint32_t value, int rice_bits) {
    const uint32_t quotient = value >> rice_bits;
    if (quotient >= kEscapeQuotient) {
      AppendBits(0, kEscapeQuotient);
      AppendBits(value, 32);
      return;
    }
    AppendBits(uint64_t{1} << quotient, static_cast<int>(quotient) + 1);
    if (rice_bits > 0) {
      AppendBits(value & ((uint64_t{1} << rice_bits) - 1), rice_bits);
    }
  }
  uint64_t size() const { return bits_; }
  std::string Finish() {
    if (used_ > 0) out_.push_back(static_cast<char>(pending_));
    return std::move(out_);
  }

 private:
  // Up to 56 bits at a time.
  void AppendBits(uint64_t value, int count) {
    pending_ |= value << used_;
    used_ += count;
    bits_ += static_cast<uint64_t>(count);
    while (used_ >= 8) {
      out_.push_back(static_cast<char>(pending_ & 0xFF));
      pending_ >>= 8;
      used_ -= 8;
    }
  }
  std::string out_;
  uint64_t pending_ = 0;
  int used_ = 0;
  uint64_t bits_ = 0;
};

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
                          static_cast<uint32_t>(position_gaps_.size())});
  }
  // Positions go to position_gaps_, coded at Finish.
  AppendEntry(doc, counts, nullptr, 0, &last_, &docs_, nullptr);
  uint32_t previous = 0;
  for (uint32_t position : positions) {
    position_gaps_.push_back(position - previous);
    previous = position;
  }
  ++count_;
}

PostingWriter PostingWriter::Resuming(std::string_view blob) {
  PostingWriter w;
  if (blob.empty()) return w;
  const auto* at = reinterpret_cast<const uint8_t*>(blob.data());
  const BlobHeader header = ReadHeader(at);
  w.count_ = header.count;
  w.last_ = header.last_doc;
  const uint32_t docs_bytes = header.docs_bytes;
  const uint32_t skip_count = header.skip_count;
  w.rice_bits_ = header.rice_bits;
  w.resumed_position_bits_ = header.position_bits;
  for (uint32_t i = 0; i < skip_count; ++i, at += kSkipBytes) {
    w.skips_.push_back(
        Skip{ReadFixed32(at), ReadFixed32(at + 4), ReadFixed32(at + 8)});
  }
  w.resumed_skips_ = skip_count;
  const char* docs = reinterpret_cast<const char*>(at);
  w.docs_.assign(docs, docs_bytes);
  const char* positions = docs + docs_bytes;
  w.resumed_positions_.assign(
      positions, static_cast<size_t>(blob.data() + blob.size() - positions));
  return w;
}

std::string PostingWriter::Finish() {
  const bool resumed = rice_bits_ >= 0;
  const int rice_bits = resumed ? rice_bits_ : BestRiceBits(position_gaps_);
  BitWriter bits = resumed
                       ? BitWriter(resumed_positions_, resumed_position_bits_)
                       : BitWriter();
  // The bit offset of every gap a new skip entry points at, found while
  // coding.
  size_t next_skip = resumed_skips_;
  for (size_t i = 0; i < position_gaps_.size(); ++i) {
    for (; next_skip < skips_.size() && skips_[next_skip].positions_offset == i;
         ++next_skip) {
      skips_[next_skip].positions_offset = static_cast<uint32_t>(bits.size());
    }
    bits.AppendRice(position_gaps_[i], rice_bits);
  }
  for (; next_skip < skips_.size(); ++next_skip) {
    skips_[next_skip].positions_offset = static_cast<uint32_t>(bits.size());
  }
  const uint64_t position_bits = bits.size();
  const std::string positions = bits.Finish();

  std::string blob;
  blob.reserve(16 + skips_.size() * kSkipBytes + docs_.size() +
               positions.size());
  AppendVarint(count_, &blob);
  AppendVarint(last_, &blob);
  AppendVarint(static_cast<uint32_t>(docs_.size()), &blob);
  AppendVarint(static_cast<uint32_t>(skips_.size()), &blob);
  AppendVarint(static_cast<uint32_t>(rice_bits), &blob);
  AppendVarint(static_cast<uint32_t>(position_bits), &blob);
  for (const Skip& skip : skips_) {
    AppendFixed32(skip.doc_base, &blob);
    AppendFixed32(skip.docs_offset, &blob);
    AppendFixed32(skip.positions_offset, &blob);
  }
  blob += docs_;
  blob += positions;
  *this = PostingWriter();
  return blob;
}

PostingCursor PostingCursor::OverBlob(std::string_view blob) {
  PostingCursor c;
  if (blob.empty()) return c;
  const uint8_t* at = reinterpret_cast<const uint8_t*>(blob.data());
  const BlobHeader header = ReadHeader(at);
  c.stored_count_ = header.count;
  c.last_doc_ = header.last_doc;
  c.has_last_doc_ = true;
  const uint32_t docs_bytes = header.docs_bytes;
  c.skip_count_ = header.skip_count;
  c.rice_bits_ = header.rice_bits;
  c.skips_ = at;
  at += static_cast<size_t>(c.skip_count_) * kSkipBytes;
  c.docs_begin_ = c.at_ = at;
  c.end_ = at + docs_bytes;
  c.positions_begin_ = c.positions_at_ = c.end_;
  c.positions_end_ =
      reinterpret_cast<const uint8_t*>(blob.data()) + blob.size();
  return c;
}

PostingCursor PostingCursor::OverStreams(std::string_view docs,
                                         std::string_view positions) {
  PostingCursor c;
  c.docs_begin_ = c.at_ = reinterpret_cast<const uint8_t*>(docs.data());
  c.end_ = c.at_ + docs.size();
  c.positions_begin_ = c.positions_at_ =
      reinterpret_cast<const uint8_t*>(positions.data());
  c.positions_end_ = c.positions_begin_ + positions.size();
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
  positions_bit_ = ReadFixed32(skip + 8);
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

uint64_t PostingCursor::PeekBits() const {
  const uint8_t* at = positions_begin_ + (positions_bit_ >> 3);
  uint64_t word = 0;
  if (positions_end_ - at >= 8) {
    std::memcpy(&word, at, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);  // the stream is little-endian
#endif
  } else {
    for (int i = 0; at + i < positions_end_; ++i) {
      word |= static_cast<uint64_t>(at[i]) << (8 * i);
    }
  }
  return word >> (positions_bit_ & 7);
}

uint32_t PostingCursor::ReadPositionValue() {
  if (rice_bits_ < 0) return ReadVarint(positions_at_);
  // The quotient in unary (zeros, then a one), then rice_bits_ low bits;
  // or kEscapeQuotient zeros and the value in 32 bits.
  const uint64_t window = PeekBits() & kWindowMask;
  const uint32_t zeros = window == 0
                             ? kWindowBits
                             : static_cast<uint32_t>(absl::countr_zero(window));
  if (zeros >= kEscapeQuotient) {
    positions_bit_ += kEscapeQuotient;
    const auto value = static_cast<uint32_t>(PeekBits());
    positions_bit_ += 32;
    return value;
  }
  // Most codes fit in the window just read, so their remainder is taken
  // from it rather than from a second read; positions are the bulk of
  // what a phrase search decodes (41% of its time before this).
  const uint32_t used = zeros + 1 + static_cast<uint32_t>(rice_bits_);
  if (used <= kWindowBits) {
    positions_bit_ += used;
    return (zeros << rice_bits_) |
           static_cast<uint32_t>((window >> (zeros + 1)) &
                                 ((uint64_t{1} << rice_bits_) - 1));
  }
  const uint32_t quotient = zeros;
  positions_bit_ += zeros + 1;
  const uint32_t low =
      static_cast<uint32_t>(PeekBits() & ((uint64_t{1} << rice_bits_) - 1));
  positions_bit_ += static_cast<uint64_t>(rice_bits_);
  return (quotient << rice_bits_) | low;
}

void PostingCursor::SkipPositionValue() {
  if (rice_bits_ < 0) {
    while (*positions_at_++ & 0x80) {
    }
    return;
  }
  ReadPositionValue();
}

void PostingCursor::ReadPositions(std::vector<uint32_t>* out) {
  for (; positions_to_skip_ > 0; --positions_to_skip_) SkipPositionValue();
  out->resize(unread_positions_);
  uint32_t position = 0;
  for (uint32_t i = 0; i < unread_positions_; ++i) {
    position += ReadPositionValue();
    (*out)[i] = position;
  }
  unread_positions_ = 0;
}

}  // namespace bulletin
