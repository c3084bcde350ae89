// A bulletin as the index keeps it: its text fields (the segments of
// text_segments.h) laid out one after another in a single buffer, and the
// rest of the record (id, seq, date, organizations, people, ...) as a
// protobuf whose text fields are empty.
//
//   StoredRecord stored(std::move(bulletin));
//   RecordText text = stored.Text();
//   for (const TextSegment& s : text.segments()) Scan(s.text);
//   v1::Bulletin whole = stored.ToBulletin();  // as it was given
//
// Why: a page of hits reads every text segment of ten records nobody has
// touched for a while. As a protobuf each segment is a chain of dependent
// loads (items array, Item, string header, bytes) into allocations spread
// over the heap, and hit building waited on those cache misses more than it
// computed. Here the segments' bounds sit at the start of one buffer and
// their text follows in order, so reading a record's text is one stream the
// hardware prefetches. The text is moved, not copied: no byte is kept twice.
//
// Thread-safety: immutable after construction; any number of threads may
// read it.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORED_RECORD_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORED_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"
#include "query-service/index/text_segments.h"

namespace bulletin {

// A stored record's text fields, read out of it: the segments of
// text_segments.h, in TextSegmentsOf order, viewing text this object holds
// (or the record's own, which must then outlive it). Move-only.
class RecordText {
 public:
  RecordText(std::unique_ptr<char[]> buffer, std::vector<TextSegment> segments)
      : buffer_(std::move(buffer)), segments_(std::move(segments)) {}

  const std::vector<TextSegment>& segments() const { return segments_; }

 private:
  std::unique_ptr<char[]> buffer_;
  std::vector<TextSegment> segments_;
};

class StoredRecord {
 public:
  // Takes the text fields out of `bulletin` into the buffer.
  explicit StoredRecord(v1::Bulletin bulletin);

  StoredRecord(const StoredRecord&) = delete;
  StoredRecord& operator=(const StoredRecord&) = delete;

  // The record as it was given.
  v1::Bulletin ToBulletin() const;

  // What filters, ranking and hits read of every record, without reading
  // the rest of it.
  std::string_view id() const { return rest_.id(); }
  uint64_t seq() const { return rest_.seq(); }
  std::string_view date() const { return rest_.date(); }
  int items_size() const { return rest_.items_size(); }

  // TextSegmentsOf(the record as given). Its segments may point into this
  // object: the record must outlive it.
  RecordText Text() const;

  // Heap bytes held, for Stats.
  size_t SpaceUsed() const;

  // The record as a snapshot image holds it (docs/index-format.md): the
  // segments' bounds and text as they lie here, the source text, and the
  // rest as a protobuf. Decode takes the text back as bytes, so a load
  // copies it rather than parsing and validating it as UTF-8 again.
  void AppendEncoded(std::string* out) const;
  // DATA_LOSS when `bytes` are not what AppendEncoded wrote.
  static absl::StatusOr<std::shared_ptr<const StoredRecord>> Decode(
      std::string_view bytes);

 private:
  // Where segment i's text lies in the buffer, and what it is. 32-bit
  // offsets: a record arrives in one gRPC message, far below 4 GiB.
  struct Bounds {
    uint32_t offset;
    uint32_t size;
    int32_t item_index;
    TextField field;
  };

  StoredRecord() = default;

  const Bounds* bounds() const { return buffer_.get(); }
  const char* text() const {
    return reinterpret_cast<const char*>(buffer_.get() + segment_count_);
  }

  v1::Bulletin rest_;
  uint32_t segment_count_ = 0;
  // segment_count_ Bounds, then the segments' text back to back. Allocated
  // as Bounds so that they are aligned; the text is read through char
  // pointers, which may alias any storage.
  std::unique_ptr<Bounds[]> buffer_;
  size_t buffer_bytes_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORED_RECORD_H_
