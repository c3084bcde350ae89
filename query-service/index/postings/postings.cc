#include "query-service/index/postings/postings.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <variant>

#include "absl/numeric/bits.h"
#include "query-service/index/text/varint.h"

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
constexpr size_t kBoundBytes = 4;

void AppendFixed16(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>(v & 0xFF));
  out->push_back(static_cast<char>((v >> 8) & 0xFF));
}

uint32_t ReadFixed16(const uint8_t* at) {
  return static_cast<uint32_t>(at[0]) | (static_cast<uint32_t>(at[1]) << 8);
}

// Where the blob's block bounds start, given where its skips do; none in a
// list of one block.
size_t BoundsBytes(uint32_t skip_count) {
  return skip_count == 0 ? 0 : (skip_count + size_t{1}) * kBoundBytes;
}

// The varints that open a frozen blob (docs/index-format.md).
struct BlobHeader {
  uint32_t count;
  uint32_t last_doc;
  uint32_t docs_bytes;
  uint32_t skip_count;
  uint32_t position_bits;
};

// Reads the header at `at` and moves `at` to the skip table.
BlobHeader ReadHeader(const uint8_t*& at) {
  BlobHeader h;
  h.count = ReadVarint(at);
  h.last_doc = ReadVarint(at);
  h.docs_bytes = ReadVarint(at);
  h.skip_count = ReadVarint(at);
  h.position_bits = ReadVarint(at);
  return h;
}

// PeekBits yields at least this many valid bits.
constexpr uint32_t kWindowBits = 57;
constexpr uint64_t kWindowMask = (uint64_t{1} << kWindowBits) - 1;

// The largest quotient a block's Rice parameter leaves: a quotient's zeros
// and its one then fit in one PeekBits window.
constexpr uint32_t kMaxQuotient = kWindowBits - 1;

// kWindowBits bits of the little-endian bit stream [begin, end) from `bit`
// on, zeros past its end.
inline uint64_t PeekWindow(const uint8_t* begin, const uint8_t* end,
                           uint64_t bit) {
  const uint8_t* at = begin + (bit >> 3);
  uint64_t word = 0;
  if (end - at >= 8) {
    std::memcpy(&word, at, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    word = __builtin_bswap64(word);  // the stream is little-endian
#endif
  } else {
    for (int i = 0; at + i < end; ++i) {
      word |= static_cast<uint64_t>(at[i]) << (8 * i);
    }
  }
  return (word >> (bit & 7)) & kWindowMask;
}

// x86-64's baseline has no POPCNT instruction, so absl::popcount is a call
// into libgcc there: counting the ones of a common bigram's quotients was
// 5% of the load mix's region-and-meeting search. Where the compiler can,
// BitAfterOnes is built twice, for POPCNT and without, and the program
// picks one as it loads (an ifunc), so that it still runs on any x86-64.
// An ifunc's resolver runs while the program is relocated, before a
// sanitizer's runtime is up (GCC's TSan build crashed in it), so sanitizer
// builds take the baseline version alone.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BULLETIN_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define BULLETIN_SANITIZED 1
#endif
#endif
#if defined(__x86_64__) && !defined(__POPCNT__) && defined(__ELF__) && \
    !defined(BULLETIN_SANITIZED) &&                                    \
    (defined(__clang__) ? __clang_major__ >= 14 : defined(__GNUC__))
#define BULLETIN_POPCNT_CLONES \
  __attribute__((target_clones("popcnt", "default")))
#else
#define BULLETIN_POPCNT_CLONES
#endif

// The bit just past the `ones`-th one of the stream [begin, end) from
// `bit` on (`bit` itself when `ones` is 0): passing over the unary
// quotients of that many values, a window at a time.
BULLETIN_POPCNT_CLONES
uint64_t BitAfterOnes(const uint8_t* begin, const uint8_t* end, uint64_t bit,
                      uint32_t ones) {
  while (ones > 0) {
    uint64_t window = PeekWindow(begin, end, bit);
    const auto in_window = static_cast<uint32_t>(absl::popcount(window));
    if (in_window < ones) {
      ones -= in_window;
      bit += kWindowBits;
      continue;
    }
    for (; ones > 1; --ones) window &= window - 1;
    return bit + static_cast<uint64_t>(absl::countr_zero(window)) + 1;
  }
  return bit;
}

#undef BULLETIN_POPCNT_CLONES
#undef BULLETIN_SANITIZED

// The Rice parameter that codes `values` in the fewest bits, a value v
// costing (v >> b) + 1 + b bits, among those that keep every quotient at
// most kMaxQuotient. The best b is near log2 of the mean, so only its
// neighbours are tried.
int BestRiceBits(const uint32_t* values, size_t count) {
  if (count == 0) return 0;
  uint64_t sum = 0;
  uint32_t largest = 0;
  for (size_t i = 0; i < count; ++i) {
    sum += values[i];
    largest = std::max(largest, values[i]);
  }
  int least = 0;
  while ((largest >> least) > kMaxQuotient) ++least;
  const uint64_t mean = sum / count;
  const int guess = mean == 0 ? 0 : 63 - absl::countl_zero(mean);
  int best = least;
  uint64_t best_cost = UINT64_MAX;
  for (int b = std::max(least, guess - 1); b <= std::max(least, guess + 1);
       ++b) {
    uint64_t cost = count * (1 + static_cast<uint64_t>(b));
    for (size_t i = 0; i < count; ++i) cost += values[i] >> b;
    if (cost < best_cost) {
      best_cost = cost;
      best = b;
    }
  }
  return best;
}

// Appends bits low bit first.
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

  // One block's positions (docs/index-format.md): its Rice parameter b in
  // 5 bits, the number of values n as Elias gamma of n + 1, the n values'
  // b low bits each, then their quotients in unary (zeros, then a one).
  void AppendBlock(const uint32_t* values, size_t count) {
    const int b = BestRiceBits(values, count);
    AppendBits(static_cast<uint64_t>(b), 5);
    const uint64_t n = count + 1;
    const int width = 64 - absl::countl_zero(n);
    AppendBits(uint64_t{1} << (width - 1), width);
    AppendBits(n & ((uint64_t{1} << (width - 1)) - 1), width - 1);
    if (b > 0) {
      const uint64_t mask = (uint64_t{1} << b) - 1;
      for (size_t i = 0; i < count; ++i) AppendBits(values[i] & mask, b);
    }
    for (size_t i = 0; i < count; ++i) {
      const uint32_t quotient = values[i] >> b;
      if (quotient > 0) AppendBits(0, static_cast<int>(quotient));
      AppendBits(1, 1);
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
    if (count > 56) {
      AppendBits(value & ((uint64_t{1} << 28) - 1), 28);
      AppendBits(value >> 28, count - 28);
      return;
    }
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

void AppendGrowableSkip(uint32_t count, uint32_t last, size_t docs_bytes,
                        size_t position_bytes, std::string* skips) {
  if (count == 0 || count % kPostingBlock != 0) return;
  AppendFixed32(last, skips);
  AppendFixed32(static_cast<uint32_t>(docs_bytes), skips);
  AppendFixed32(static_cast<uint32_t>(position_bytes), skips);
}

uint32_t SaturationBound(double saturation) {
  return static_cast<uint32_t>(std::clamp<double>(
      std::ceil(saturation * kFullSaturation), 0, kFullSaturation));
}

void PostingWriter::Bound(uint32_t doc, const FieldCounts& counts) {
  if (count_ % kPostingBlock == 0 && count_ / kPostingBlock == bounds_.size()) {
    bounds_.push_back(BlockBound{
        0, basis_ != nullptr ? std::max<uint32_t>(basis_->reference_length, 1)
                             : 1});
  }
  BlockBound& bound = bounds_.back();
  if (basis_ == nullptr || basis_->saturation == nullptr) {
    bound.saturation = kFullSaturation;
    return;
  }
  const LengthBounds* lengths = basis_->lengths;
  const uint16_t length =
      lengths != nullptr && doc < lengths->size() ? (*lengths)[doc] : 0;
  // Against the block's own reference: a resumed block keeps the one it
  // was begun with.
  bound.saturation =
      std::max(bound.saturation,
               SaturationBound(basis_->saturation(WeightedCount(counts), length,
                                                  bound.reference_length)));
}

void PostingWriter::Add(uint32_t doc, const FieldCounts& counts,
                        const std::vector<uint32_t>& positions) {
  Bound(doc, counts);
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

PostingWriter PostingWriter::Resuming(std::string_view blob,
                                      const BlockBasis* basis) {
  PostingWriter w(basis);
  if (blob.empty()) return w;
  const auto* at = reinterpret_cast<const uint8_t*>(blob.data());
  const BlobHeader header = ReadHeader(at);
  for (uint32_t i = 0; i < header.skip_count; ++i, at += kSkipBytes) {
    w.skips_.push_back(
        Skip{ReadFixed32(at), ReadFixed32(at + 4), ReadFixed32(at + 8)});
  }
  w.resumed_skips_ = header.skip_count;
  if (header.skip_count > 0) {
    for (uint32_t i = 0; i <= header.skip_count; ++i, at += kBoundBytes) {
      w.bounds_.push_back(BlockBound{ReadFixed16(at), ReadFixed16(at + 2)});
    }
  } else {
    // One block, stored without its bound: its entries give it (count_ is
    // still 0, so each widens the one bound).
    PostingCursor entries = PostingCursor::OverBlob(blob);
    while (entries.Next()) w.Bound(entries.doc(), entries.counts());
  }
  w.count_ = header.count;
  w.last_ = header.last_doc;
  const char* docs = reinterpret_cast<const char*>(at);
  w.docs_.assign(docs, header.docs_bytes);
  const char* positions = docs + header.docs_bytes;
  const std::string_view coded(
      positions, static_cast<size_t>(blob.data() + blob.size() - positions));
  uint64_t kept_bits = header.position_bits;
  if (header.position_bits > 0 && header.count % kPostingBlock != 0) {
    // The last block is not full: its values are decoded, to be coded
    // again with the entries that fill it, and the bits before it kept.
    PostingCursor last = PostingCursor::OverBlob(blob);
    if (!w.skips_.empty()) {
      kept_bits = w.skips_.back().positions_offset;
      last.SkipTo(w.skips_.back().doc_base + 1);
    } else {
      kept_bits = 0;
      last.Next();
    }
    std::vector<uint32_t> entry;
    do {
      last.ReadPositions(&entry);
      uint32_t previous = 0;
      for (uint32_t position : entry) {
        w.position_gaps_.push_back(position - previous);
        previous = position;
      }
    } while (last.Next());
  }
  w.resumed_position_bits_ = kept_bits;
  w.resumed_positions_.assign(coded.substr(0, (kept_bits + 7) / 8));
  return w;
}

std::string PostingWriter::Finish() {
  BitWriter bits(resumed_positions_, resumed_position_bits_);
  // A list without positions (a bigram ending a segment) codes no blocks.
  const bool has_positions =
      !position_gaps_.empty() || resumed_position_bits_ > 0;
  // The blocks not coded yet: the one being filled when the writer started
  // (when not empty), then one per new skip entry, whose offset turns from
  // an index into position_gaps_ into the bit where its block starts.
  auto code = [&](size_t begin, size_t end) {
    bits.AppendBlock(position_gaps_.data() + begin, end - begin);
  };
  size_t begin = 0;
  for (size_t i = resumed_skips_; i < skips_.size(); ++i) {
    const size_t end = skips_[i].positions_offset;
    if (has_positions && (end > begin || i > resumed_skips_)) code(begin, end);
    skips_[i].positions_offset = static_cast<uint32_t>(bits.size());
    begin = end;
  }
  if (has_positions &&
      (position_gaps_.size() > begin || skips_.size() > resumed_skips_)) {
    code(begin, position_gaps_.size());
  }
  const uint64_t position_bits = bits.size();
  const std::string positions = bits.Finish();

  std::string blob;
  const auto skip_count = static_cast<uint32_t>(skips_.size());
  blob.reserve(16 + skip_count * kSkipBytes + BoundsBytes(skip_count) +
               docs_.size() + positions.size());
  AppendVarint(count_, &blob);
  AppendVarint(last_, &blob);
  AppendVarint(static_cast<uint32_t>(docs_.size()), &blob);
  AppendVarint(static_cast<uint32_t>(skips_.size()), &blob);
  AppendVarint(static_cast<uint32_t>(position_bits), &blob);
  for (const Skip& skip : skips_) {
    AppendFixed32(skip.doc_base, &blob);
    AppendFixed32(skip.docs_offset, &blob);
    AppendFixed32(skip.positions_offset, &blob);
  }
  if (skip_count > 0) {
    for (const BlockBound& bound : bounds_) {
      AppendFixed16(bound.saturation, &blob);
      AppendFixed16(bound.reference_length, &blob);
    }
  }
  blob += docs_;
  blob += positions;
  *this = PostingWriter(basis_);
  return blob;
}

PostingCursor PostingCursor::OverBlob(std::string_view blob) {
  PostingCursor c;
  if (blob.empty()) return c;
  const uint8_t* at = reinterpret_cast<const uint8_t*>(blob.data());
  const BlobHeader header = ReadHeader(at);
  FrozenPositions& positions = c.positions_.emplace<FrozenPositions>();
  positions.stored_count = header.count;
  positions.last_doc = header.last_doc;
  c.docs_.skip_count = header.skip_count;
  c.docs_.skips = at;
  at += static_cast<size_t>(header.skip_count) * kSkipBytes;
  if (header.skip_count > 0) c.docs_.bounds = at;
  at += BoundsBytes(header.skip_count);
  c.docs_.begin = c.docs_.at = at;
  c.docs_.end = at + header.docs_bytes;
  positions.begin = c.docs_.end;
  positions.end = reinterpret_cast<const uint8_t*>(blob.data()) + blob.size();
  return c;
}

PostingCursor PostingCursor::OverStreams(std::string_view docs,
                                         std::string_view positions,
                                         std::string_view skips) {
  PostingCursor c;
  c.docs_.skips = reinterpret_cast<const uint8_t*>(skips.data());
  c.docs_.skip_count = static_cast<uint32_t>(skips.size() / kSkipBytes);
  c.docs_.begin = c.docs_.at = reinterpret_cast<const uint8_t*>(docs.data());
  c.docs_.end = c.docs_.at + docs.size();
  GrowablePositions& growable = std::get<GrowablePositions>(c.positions_);
  growable.begin = growable.at =
      reinterpret_cast<const uint8_t*>(positions.data());
  return c;
}

bool PostingCursor::Next() {
  GrowablePositions* growable = std::get_if<GrowablePositions>(&positions_);
  FrozenPositions* frozen = std::get_if<FrozenPositions>(&positions_);
  if (growable != nullptr) {
    growable->to_skip += growable->unread;
    growable->unread = 0;
  }
  if (docs_.at == docs_.end) {
    valid_ = false;
    return false;
  }
  if (docs_.block_entries == kPostingBlock) {
    if (frozen != nullptr) {
      // Into the next block, whose positions its skip entry locates.
      frozen->EnterBlock(
          ReadFixed32(docs_.skips + docs_.block * kSkipBytes + 8));
    }
    ++docs_.block;
    docs_.block_entries = 0;
  }
  const uint32_t head = ReadVarint(docs_.at);
  doc_ += head >> 2;
  switch (head & 3) {
    case kOneInItems:
      counts_ = {0, 0, 1};
      break;
    case kManyInItems:
      counts_ = {0, 0, static_cast<int32_t>(ReadVarint(docs_.at))};
      break;
    case kOneInHeadline:
      counts_ = {1, 0, 0};
      break;
    default:
      counts_[0] = static_cast<int32_t>(ReadVarint(docs_.at));
      counts_[1] = static_cast<int32_t>(ReadVarint(docs_.at));
      counts_[2] = static_cast<int32_t>(ReadVarint(docs_.at));
      break;
  }
  const auto occurrences =
      static_cast<uint32_t>(counts_[0] + counts_[1] + counts_[2]);
  ++docs_.block_entries;
  if (frozen != nullptr) {
    frozen->entry_value = frozen->block_values;
    frozen->block_values += occurrences;
  } else {
    growable->unread = occurrences;
  }
  valid_ = true;
  return true;
}

void PostingCursor::SeekBlock(uint32_t target) {
  // Blocks are numbered from 0; block b > 0 starts after skip entry b - 1,
  // whose doc is the last of block b - 1. The target's block is the number
  // of entries whose doc is below it.
  uint32_t lo = docs_.block;
  uint32_t hi = docs_.skip_count;
  // Most skips of a dense list land in the block they start in (a phrase's
  // bigrams leapfrogging through common words): one look at the current
  // block's last document spares the search.
  if (lo < hi && ReadFixed32(docs_.skips + lo * kSkipBytes) >= target) return;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (ReadFixed32(docs_.skips + mid * kSkipBytes) < target) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == docs_.block) return;  // the target is in the current block
  EnterBlock(lo);
}

void PostingCursor::EnterBlock(uint32_t block) {
  const uint8_t* skip = docs_.skips + (block - 1) * kSkipBytes;
  docs_.at = docs_.begin + ReadFixed32(skip + 4);
  doc_ = ReadFixed32(skip);
  docs_.block = block;
  docs_.block_entries = 0;
  if (auto* frozen = std::get_if<FrozenPositions>(&positions_)) {
    frozen->EnterBlock(ReadFixed32(skip + 8));
  } else {
    GrowablePositions& growable = std::get<GrowablePositions>(positions_);
    growable.at = growable.begin + ReadFixed32(skip + 8);
    growable.to_skip = 0;
    growable.unread = 0;
  }
  valid_ = false;
}

bool PostingCursor::SkipTo(uint32_t target) {
  if (valid_ && doc_ >= target) return true;
  const auto* frozen = std::get_if<FrozenPositions>(&positions_);
  if (frozen != nullptr && target > frozen->last_doc) {
    // Past the frozen list's last document, which its header gives.
    docs_.at = docs_.end;
    valid_ = false;
    return false;
  }
  if (docs_.skip_count > 0) SeekBlock(target);
  PassEntriesBelow(target);
  while (Next()) {
    if (doc_ >= target) return true;
  }
  return false;
}

bool PostingCursor::CurrentBlockBound(BlockBound* out) const {
  if (!valid_ || docs_.bounds == nullptr) return false;
  const uint8_t* at = docs_.bounds + docs_.block * kBoundBytes;
  out->saturation = ReadFixed16(at);
  out->reference_length = ReadFixed16(at + 2);
  return true;
}

bool PostingCursor::NextBlockBound(BlockBound* out) const {
  if (valid_ || docs_.block_entries != 0 || docs_.at == docs_.end ||
      docs_.bounds == nullptr) {
    return false;
  }
  const uint8_t* at = docs_.bounds + docs_.block * kBoundBytes;
  out->saturation = ReadFixed16(at);
  out->reference_length = ReadFixed16(at + 2);
  return true;
}

bool PostingCursor::NextBlock() {
  if (docs_.block >= docs_.skip_count) {
    docs_.at = docs_.end;
    valid_ = false;
    return false;
  }
  EnterBlock(docs_.block + 1);
  return Next();
}

uint32_t PostingCursor::MarkRestOfBlock(uint64_t* bits) {
  const uint8_t* at = docs_.at;
  uint32_t doc = doc_;
  uint32_t entries = docs_.block_entries;
  const uint32_t first = entries;
  while (at != docs_.end && entries < kPostingBlock) {
    const uint32_t head = ReadVarint(at);
    doc += head >> 2;
    switch (head & 3) {
      case kManyInItems:
        ReadVarint(at);
        break;
      case kAnywhere:
        ReadVarint(at);
        ReadVarint(at);
        ReadVarint(at);
        break;
      default:
        break;
    }
    bits[doc >> 6] |= uint64_t{1} << (doc & 63);
    ++entries;
  }
  if (at == docs_.end) {
    docs_.at = docs_.end;
    valid_ = false;
  } else {
    // Entries follow, so the block is full and the next one has a skip
    // entry: its document base and offsets, as NextBlock would use them.
    EnterBlock(docs_.block + 1);
  }
  return entries - first;
}

void PostingCursor::PassEntriesBelow(uint32_t target) {
  const uint8_t* at = docs_.at;
  uint32_t doc = doc_;
  uint32_t entries = docs_.block_entries;
  uint32_t passed_occurrences = 0;
  while (at != docs_.end && entries < kPostingBlock) {
    const uint8_t* entry = at;
    const uint32_t head = ReadVarint(at);
    const uint32_t next_doc = doc + (head >> 2);
    if (next_doc >= target) {
      at = entry;
      break;
    }
    switch (head & 3) {
      case kOneInItems:
      case kOneInHeadline:
        passed_occurrences += 1;
        break;
      case kManyInItems:
        passed_occurrences += ReadVarint(at);
        break;
      default:
        passed_occurrences += ReadVarint(at);
        passed_occurrences += ReadVarint(at);
        passed_occurrences += ReadVarint(at);
        break;
    }
    doc = next_doc;
    ++entries;
  }
  if (entries == docs_.block_entries) return;
  if (auto* frozen = std::get_if<FrozenPositions>(&positions_)) {
    frozen->block_values += passed_occurrences;
  } else {
    GrowablePositions& growable = std::get<GrowablePositions>(positions_);
    growable.to_skip += growable.unread + passed_occurrences;
    growable.unread = 0;
  }
  docs_.at = at;
  doc_ = doc;
  docs_.block_entries = entries;
  valid_ = false;
}

uint64_t posting_cursor_internal::FrozenPositions::PeekBits(
    uint64_t bit) const {
  return PeekWindow(begin, end, bit);
}

void posting_cursor_internal::FrozenPositions::Load() {
  uint64_t bit = block_bit;
  rice_bits = static_cast<int>(PeekBits(bit) & 31);
  bit += 5;
  // Elias gamma: w - 1 zeros, a one, then the w - 1 bits below it.
  const uint64_t window = PeekBits(bit);
  const auto width_less_one =
      static_cast<uint32_t>(std::min<int>(absl::countr_zero(window), 32));
  bit += width_less_one + 1;
  const uint64_t rest = PeekBits(bit) & ((uint64_t{1} << width_less_one) - 1);
  bit += width_less_one;
  const uint64_t values = ((uint64_t{1} << width_less_one) | rest) - 1;
  low_bit = bit;
  unary_bit = bit + values * static_cast<uint64_t>(rice_bits);
  unary_value = 0;
  loaded = true;
}

void posting_cursor_internal::FrozenPositions::Read(
    uint32_t count, uint32_t up_to, std::vector<uint32_t>* out) {
  if (!loaded) Load();
  // Passing over the quotients of the entries before this one is counting
  // ones, a window at a time: this is what the split layout is for.
  unary_bit = BitAfterOnes(begin, end, unary_bit, entry_value - unary_value);
  out->resize(count);
  const int b = rice_bits;
  const uint64_t mask = (uint64_t{1} << b) - 1;
  uint64_t low = low_bit + static_cast<uint64_t>(entry_value) * b;
  uint32_t position = 0;
  uint32_t read = 0;
  while (read < count) {
    const auto quotient =
        static_cast<uint32_t>(absl::countr_zero(PeekBits(unary_bit)));
    unary_bit += quotient + 1;
    const uint32_t low_bits =
        b == 0 ? 0 : static_cast<uint32_t>(PeekBits(low) & mask);
    low += static_cast<uint64_t>(b);
    position += (quotient << b) | low_bits;
    ++read;
    if (position > up_to) {
      out->resize(read - 1);
      break;
    }
    (*out)[read - 1] = position;
  }
  // The quotients read are passed; the next entry's Read passes the rest.
  unary_value = entry_value + read;
}

void posting_cursor_internal::GrowablePositions::Read(
    uint32_t up_to, std::vector<uint32_t>* out) {
  for (; to_skip > 0; --to_skip) {
    while (*at++ & 0x80) {
    }
  }
  out->resize(unread);
  uint32_t position = 0;
  uint32_t read = 0;
  while (read < out->size()) {
    position += ReadVarint(at);
    ++read;
    if (position > up_to) {
      out->resize(read - 1);
      break;
    }
    (*out)[read - 1] = position;
  }
  // What is left unread, Next adds to what the next Read passes over.
  unread -= read;
}

void PostingCursor::ReadPositions(std::vector<uint32_t>* out, uint32_t up_to) {
  if (auto* frozen = std::get_if<FrozenPositions>(&positions_)) {
    frozen->Read(static_cast<uint32_t>(counts_[0] + counts_[1] + counts_[2]),
                 up_to, out);
  } else {
    std::get<GrowablePositions>(positions_).Read(up_to, out);
  }
}

}  // namespace bulletin
