#include "query-service/index/stored_record.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace bulletin {

StoredRecord::StoredRecord(v1::Bulletin bulletin) : rest_(std::move(bulletin)) {
  const std::vector<TextSegment> segments = TextSegmentsOf(rest_);
  size_t text_bytes = 0;
  for (const TextSegment& s : segments) text_bytes += s.text.size();
  segment_count_ = static_cast<uint32_t>(segments.size());
  const size_t slots =
      segments.size() + (text_bytes + sizeof(Bounds) - 1) / sizeof(Bounds);
  // Default-initialized: the text slots are written below, not zeroed.
  buffer_.reset(new Bounds[slots]);
  buffer_bytes_ = slots * sizeof(Bounds);
  char* out = reinterpret_cast<char*>(buffer_.get() + segment_count_);
  uint32_t offset = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const TextSegment& s = segments[i];
    buffer_[i] = Bounds{offset, static_cast<uint32_t>(s.text.size()),
                        s.item_index, s.field};
    std::memcpy(out + offset, s.text.data(), s.text.size());
    offset += static_cast<uint32_t>(s.text.size());
  }
  // The views in `segments` point into these strings: cleared only now.
  for (const TextSegment& s : segments) {
    std::string* field = MutableTextOf(&rest_, s.field, s.item_index);
    field->clear();
    field->shrink_to_fit();
  }
}

v1::Bulletin StoredRecord::ToBulletin() const {
  v1::Bulletin whole = rest_;
  for (uint32_t i = 0; i < segment_count_; ++i) {
    const Bounds& b = bounds()[i];
    MutableTextOf(&whole, b.field, b.item_index)
        ->assign(text() + b.offset, b.size);
  }
  return whole;
}

RecordText StoredRecord::Text() const {
  std::vector<TextSegment> segments;
  segments.reserve(segment_count_);
  for (uint32_t i = 0; i < segment_count_; ++i) {
    const Bounds& b = bounds()[i];
    segments.push_back(
        TextSegment{b.field, KindOf(b.field), b.item_index,
                    std::string_view(text() + b.offset, b.size)});
  }
  return RecordText(nullptr, std::move(segments));
}

size_t StoredRecord::SpaceUsed() const {
  return sizeof(*this) + rest_.SpaceUsedLong() - sizeof(rest_) + buffer_bytes_;
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

bool GetBytes(std::string_view* in, uint64_t size, std::string_view* bytes) {
  if (in->size() < size) return false;
  *bytes = in->substr(0, size);
  in->remove_prefix(size);
  return true;
}

}  // namespace

// segment count u32; per segment: offset u32, size u32, item index i32,
// field u8; text bytes u64 and the text; source text size u64 and the
// source text; the rest of the record (without source text), serialized,
// to the end. Native byte order: images are little-endian
// (index_image.cc).
void StoredRecord::AppendEncoded(std::string* out) const {
  Put<uint32_t>(segment_count_, out);
  uint64_t text_bytes = 0;
  for (uint32_t i = 0; i < segment_count_; ++i) {
    const Bounds& b = bounds()[i];
    Put<uint32_t>(b.offset, out);
    Put<uint32_t>(b.size, out);
    Put<int32_t>(b.item_index, out);
    Put<uint8_t>(static_cast<uint8_t>(b.field), out);
    text_bytes = std::max<uint64_t>(text_bytes, uint64_t{b.offset} + b.size);
  }
  Put<uint64_t>(text_bytes, out);
  out->append(text(), text_bytes);
  Put<uint64_t>(rest_.source_text().size(), out);
  out->append(rest_.source_text());
  v1::Bulletin rest = rest_;
  rest.clear_source_text();
  rest.AppendToString(out);
}

absl::StatusOr<std::shared_ptr<const StoredRecord>> StoredRecord::Decode(
    std::string_view in) {
  auto corrupt = [](const char* what) {
    return absl::DataLossError(absl::StrCat("malformed record: ", what));
  };
  uint32_t segment_count = 0;
  if (!Get(&in, &segment_count) || segment_count > in.size() / 13) {
    return corrupt("segment count");
  }
  std::vector<Bounds> bounds(segment_count);
  for (Bounds& b : bounds) {
    uint8_t field = 0;
    Get(&in, &b.offset);
    Get(&in, &b.size);
    Get(&in, &b.item_index);
    Get(&in, &field);
    if (field > static_cast<uint8_t>(TextField::kItem)) {
      return corrupt("segment field");
    }
    b.field = static_cast<TextField>(field);
  }
  uint64_t text_bytes = 0;
  std::string_view text;
  uint64_t source_bytes = 0;
  std::string_view source;
  if (!Get(&in, &text_bytes) || !GetBytes(&in, text_bytes, &text) ||
      !Get(&in, &source_bytes) || !GetBytes(&in, source_bytes, &source)) {
    return corrupt("sizes");
  }
  auto record = std::shared_ptr<StoredRecord>(new StoredRecord);
  if (!record->rest_.ParseFromArray(in.data(), static_cast<int>(in.size()))) {
    return corrupt("fields");
  }
  for (const Bounds& b : bounds) {
    const bool item = b.field == TextField::kItem;
    if (uint64_t{b.offset} + b.size > text_bytes ||
        (item ? b.item_index < 0 || b.item_index >= record->rest_.items_size()
              : b.item_index != -1)) {
      return corrupt("segment bounds");
    }
  }
  record->rest_.set_source_text(std::string(source));
  record->segment_count_ = segment_count;
  const size_t slots =
      segment_count + (text_bytes + sizeof(Bounds) - 1) / sizeof(Bounds);
  record->buffer_.reset(new Bounds[slots]);
  record->buffer_bytes_ = slots * sizeof(Bounds);
  std::copy(bounds.begin(), bounds.end(), record->buffer_.get());
  std::memcpy(reinterpret_cast<char*>(record->buffer_.get() + segment_count),
              text.data(), text.size());
  return std::shared_ptr<const StoredRecord>(std::move(record));
}

}  // namespace bulletin
