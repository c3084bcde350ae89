#include "query-service/index/store/stored_record.h"

#include <zstd.h>

#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "query-service/index/text/varint.h"

namespace bulletin {
namespace {

// The text fields outside items, in TextSegmentsOf order.
constexpr TextField kFixedFields[] = {TextField::kKicker, TextField::kHeadline,
                                      TextField::kSubtitle,
                                      TextField::kDateline, TextField::kLead};

struct DecompressorDeleter {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// Readers decode on many threads at once; a context per thread is made
// once and reused (making one allocates about 100 KB).
ZSTD_DCtx* ThreadDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, DecompressorDeleter> context(
      ZSTD_createDCtx());
  if (context == nullptr) throw std::bad_alloc();
  ZSTD_DCtx_reset(context.get(), ZSTD_reset_session_and_parameters);
  return context.get();
}

// Compresses `in` with what is set on `context` and appends the frame.
void AppendFrame(ZSTD_CCtx* context, std::string_view in, std::string* out) {
  const size_t at = out->size();
  out->resize(at + ZSTD_compressBound(in.size()));
  const size_t size = ZSTD_compress2(context, out->data() + at,
                                     out->size() - at, in.data(), in.size());
  // With room for the bound, zstd fails only when it cannot allocate.
  if (ZSTD_isError(size)) throw std::bad_alloc();
  out->resize(at + size);
}

// Frames carry their content size; the rest they need (dictionary, sizes)
// the record knows, so the dictionary id is left out.
void StartFrame(ZSTD_CCtx* context) {
  ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(context, ZSTD_c_dictIDFlag, 0);
}

// Reads a varint of at most 32 bits from [*at, end); false when there is
// none.
bool ReadBoundedVarint(const char** at, const char* end, uint32_t* value) {
  uint32_t v = 0;
  for (int shift = 0; shift < 35 && *at < end; shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(*(*at)++);
    v |= static_cast<uint32_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *value = v;
      return true;
    }
  }
  return false;
}

absl::Status Corrupt(const char* what) {
  return absl::DataLossError(absl::StrCat("stored record: ", what));
}

// A whole zstd frame of `content` bytes, and nothing after it.
bool IsFrame(std::string_view frame, uint32_t content) {
  return ZSTD_findFrameCompressedSize(frame.data(), frame.size()) ==
             frame.size() &&
         ZSTD_getFrameContentSize(frame.data(), frame.size()) == content;
}

}  // namespace

// The text frame's content: the size (varint) of each fixed text field
// (kFixedFields order; 0 when empty), then of each item's text (0 when
// empty), then the non-empty texts back to back in the same order, which
// is TextSegmentsOf's.
std::string StoredRecord::TextPayloadOf(const v1::Bulletin& bulletin) {
  std::string payload;
  size_t text_bytes = 0;
  for (TextField field : kFixedFields) {
    const size_t size = TextOf(bulletin, field, -1).size();
    AppendVarint(static_cast<uint32_t>(size), &payload);
    text_bytes += size;
  }
  for (const v1::Item& item : bulletin.items()) {
    AppendVarint(static_cast<uint32_t>(item.text().size()), &payload);
    text_bytes += item.text().size();
  }
  payload.reserve(payload.size() + text_bytes);
  for (TextField field : kFixedFields) payload += TextOf(bulletin, field, -1);
  for (const v1::Item& item : bulletin.items()) payload += item.text();
  return payload;
}

std::shared_ptr<const StoredRecord> StoredRecord::Make(
    v1::Bulletin bulletin, const RecordCompression& compression) {
  const std::string text = TextPayloadOf(bulletin);
  std::shared_ptr<StoredRecord> record(new StoredRecord);
  record->dictionary_ = compression.dictionary;
  record->seq_ = bulletin.seq();
  record->items_size_ = static_cast<uint32_t>(bulletin.items_size());
  record->id_size_ = static_cast<uint32_t>(bulletin.id().size());
  record->date_size_ = static_cast<uint32_t>(bulletin.date().size());
  record->text_size_ = static_cast<uint32_t>(text.size());

  std::string bytes = bulletin.id() + bulletin.date();
  ZSTD_CCtx* context = compression.context;
  StartFrame(context);
  if (compression.text_dictionary != nullptr) {
    ZSTD_CCtx_refCDict(context, compression.text_dictionary);
  } else {
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, compression.level);
  }
  AppendFrame(context, text, &bytes);
  record->text_frame_size_ = static_cast<uint32_t>(
      bytes.size() - record->id_size_ - record->date_size_);

  // The rest: what the plain fields and the text frame do not hold, but
  // the source text, which the log keeps.
  bulletin.clear_source_text();
  bulletin.clear_id();
  bulletin.clear_seq();
  bulletin.clear_date();
  for (TextField field : kFixedFields) {
    MutableTextOf(&bulletin, field, -1)->clear();
  }
  for (v1::Item& item : *bulletin.mutable_items()) item.clear_text();
  std::string rest;
  AppendVarint(static_cast<uint32_t>(bulletin.ByteSizeLong()), &rest);
  // An empty source text follows the fields, as it did when it was kept:
  // the layout records of older snapshots have.
  bulletin.AppendToString(&rest);
  record->rest_size_ = static_cast<uint32_t>(rest.size());
  StartFrame(context);
  ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, compression.level);
  ZSTD_CCtx_refPrefix(context, text.data(), text.size());
  const size_t before = bytes.size();
  AppendFrame(context, rest, &bytes);
  record->rest_frame_size_ = static_cast<uint32_t>(bytes.size() - before);

  record->bytes_.reset(new char[bytes.size()]);
  std::memcpy(record->bytes_.get(), bytes.data(), bytes.size());
  return record;
}

absl::Status StoredRecord::DecodeTextFrame(char* buffer) const {
  ZSTD_DCtx* context = ThreadDecompressor();
  if (dictionary_ != nullptr) {
    ZSTD_DCtx_refDDict(context, dictionary_->decompression());
  }
  const size_t size = ZSTD_decompressDCtx(context, buffer, text_size_,
                                          text_frame(), text_frame_size_);
  if (ZSTD_isError(size) || size != text_size_) {
    return Corrupt("the text frame does not decode");
  }
  return absl::OkStatus();
}

absl::StatusOr<RecordText> StoredRecord::Text() const {
  // One byte more than the text: a record with none still has a buffer.
  std::unique_ptr<char[]> buffer(new char[text_size_ + 1]);
  if (absl::Status decoded = DecodeTextFrame(buffer.get()); !decoded.ok()) {
    return decoded;
  }
  const char* at = buffer.get();
  const char* const end = at + text_size_;
  const uint32_t count = 5 + items_size_;
  std::vector<uint32_t> sizes(count);
  for (uint32_t& size : sizes) {
    if (!ReadBoundedVarint(&at, end, &size)) return Corrupt("segment sizes");
  }
  std::vector<TextSegment> segments;
  segments.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (sizes[i] > static_cast<size_t>(end - at)) {
      return Corrupt("segment sizes");
    }
    if (sizes[i] == 0) continue;
    const TextField field = i < 5 ? kFixedFields[i] : TextField::kItem;
    segments.push_back(TextSegment{field, KindOf(field),
                                   i < 5 ? -1 : static_cast<int32_t>(i - 5),
                                   std::string_view(at, sizes[i])});
    at += sizes[i];
  }
  if (at != end) return Corrupt("segment sizes");
  return RecordText(std::move(buffer), std::move(segments));
}

absl::StatusOr<v1::Bulletin> StoredRecord::ToBulletin() const {
  absl::StatusOr<RecordText> text = Text();
  if (!text.ok()) return text.status();
  std::string rest(rest_size_, '\0');
  ZSTD_DCtx* context = ThreadDecompressor();
  ZSTD_DCtx_refPrefix(context, text->buffer_.get(), text_size_);
  const size_t size = ZSTD_decompressDCtx(context, rest.data(), rest.size(),
                                          rest_frame(), rest_frame_size_);
  if (ZSTD_isError(size) || size != rest_size_) {
    return Corrupt("the rest frame does not decode");
  }
  const char* at = rest.data();
  const char* const end = at + rest.size();
  uint32_t fields_size = 0;
  if (!ReadBoundedVarint(&at, end, &fields_size) ||
      fields_size > static_cast<size_t>(end - at)) {
    return Corrupt("the size of the fields");
  }
  v1::Bulletin bulletin;
  if (!bulletin.ParseFromArray(at, static_cast<int>(fields_size)) ||
      bulletin.items_size() != static_cast<int>(items_size_)) {
    return Corrupt("the fields");
  }
  // What follows the fields is the source text of a record from an older
  // snapshot, or nothing: not returned (see the header).
  bulletin.set_id(id().data(), id().size());
  bulletin.set_seq(seq_);
  bulletin.set_date(date().data(), date().size());
  for (const TextSegment& s : text->segments()) {
    MutableTextOf(&bulletin, s.field, s.item_index)
        ->assign(s.text.data(), s.text.size());
  }
  return bulletin;
}

size_t StoredRecord::SpaceUsed() const {
  return sizeof(*this) + id_size_ + date_size_ + text_frame_size_ +
         rest_frame_size_;
}

namespace {

template <typename T>
void Put(T value, std::string* out) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
bool Get(std::string_view* in, T* value) {
  if (in->size() < sizeof(T)) return false;
  std::memcpy(value, in->data(), sizeof(T));
  in->remove_prefix(sizeof(T));
  return true;
}

}  // namespace

// seq u64; item count, text size, rest size, id size, date size, text
// frame size, rest frame size (u32 each); then the id, the date, the text
// frame and the rest frame, to the record's end. Native byte order: images
// are little-endian (index_image.cc).
void StoredRecord::AppendEncoded(std::string* out) const {
  Put<uint64_t>(seq_, out);
  for (uint32_t value : {items_size_, text_size_, rest_size_, id_size_,
                         date_size_, text_frame_size_, rest_frame_size_}) {
    Put<uint32_t>(value, out);
  }
  out->append(bytes_.get(),
              id_size_ + date_size_ + text_frame_size_ + rest_frame_size_);
}

absl::StatusOr<std::shared_ptr<const StoredRecord>> StoredRecord::Decode(
    std::string_view in, std::shared_ptr<const StoreDictionary> dictionary) {
  std::shared_ptr<StoredRecord> record(new StoredRecord);
  StoredRecord& r = *record;
  if (!Get(&in, &r.seq_) || !Get(&in, &r.items_size_) ||
      !Get(&in, &r.text_size_) || !Get(&in, &r.rest_size_) ||
      !Get(&in, &r.id_size_) || !Get(&in, &r.date_size_) ||
      !Get(&in, &r.text_frame_size_) || !Get(&in, &r.rest_frame_size_)) {
    return Corrupt("its sizes are cut short");
  }
  if (uint64_t{r.id_size_} + r.date_size_ + r.text_frame_size_ +
          r.rest_frame_size_ !=
      in.size()) {
    return Corrupt("its sizes disagree with its bytes");
  }
  const std::string_view text_frame =
      in.substr(r.id_size_ + r.date_size_, r.text_frame_size_);
  const std::string_view rest_frame = in.substr(
      r.id_size_ + r.date_size_ + r.text_frame_size_, r.rest_frame_size_);
  // Each segment's size takes a byte at least.
  if (!IsFrame(text_frame, r.text_size_) ||
      !IsFrame(rest_frame, r.rest_size_) ||
      r.text_size_ < 5 + uint64_t{r.items_size_}) {
    return Corrupt("its frames");
  }
  r.dictionary_ = std::move(dictionary);
  r.bytes_.reset(new char[in.size()]);
  std::memcpy(r.bytes_.get(), in.data(), in.size());
  return std::shared_ptr<const StoredRecord>(std::move(record));
}

}  // namespace bulletin
