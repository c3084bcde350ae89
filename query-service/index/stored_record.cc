#include "query-service/index/stored_record.h"

#include <cstring>
#include <string>
#include <utility>

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

std::vector<TextSegment> StoredRecord::Segments() const {
  std::vector<TextSegment> segments;
  segments.reserve(segment_count_);
  for (uint32_t i = 0; i < segment_count_; ++i) {
    const Bounds& b = bounds()[i];
    segments.push_back(
        TextSegment{b.field, KindOf(b.field), b.item_index,
                    std::string_view(text() + b.offset, b.size)});
  }
  return segments;
}

size_t StoredRecord::SpaceUsed() const {
  return sizeof(*this) + rest_.SpaceUsedLong() - sizeof(rest_) + buffer_bytes_;
}

}  // namespace bulletin
