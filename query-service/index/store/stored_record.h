// A bulletin as the index keeps it: compressed, in two zstd frames, with
// what every search reads beside them in the clear.
//
//   std::shared_ptr<const StoredRecord> stored =
//       StoredRecord::Make(std::move(bulletin), compression);
//   if (filters.MatchesDate(stored->date())) ...         // no decoding
//   absl::StatusOr<RecordText> text = stored->Text();    // one frame
//   for (const TextSegment& s : text->segments()) Scan(s.text);
//   absl::StatusOr<v1::Bulletin> whole = stored->ToBulletin();  // no source
//
// Why: a replica holds every bulletin, and as protobufs they took 4.6 times
// their text (docs/benchmarks.md, "Replica memory"): the source text
// (nearly the text again), the parsed fields (names and titles the text
// also holds) and each message's own overhead. Here
// - the source text is not kept at all: a read that asks for it gets it
//   from the ingest log (query-service/source_text_reader.h), the one place
//   that has it for every version;
// - id, seq, date and the item count, which filters, ranking and every hit
//   read, are plain fields;
// - the text frame holds the text fields (the segments of text_segments.h:
//   their sizes, then their text), compressed with a dictionary trained on
//   the corpus (store_dictionary.h): what a hit's snippet and its exact
//   match need, decoded for the few records of a page;
// - the rest frame holds everything else (the parsed fields as a protobuf,
//   then a source text, empty since replicas stopped keeping it),
//   compressed with the text as its prefix, so that what repeats the text
//   (names, titles) costs a reference. Only a read of the whole record
//   (Get, include_bulletins) decodes it. A record loaded from a snapshot
//   written before then still holds its source there, and is read as any
//   other: without it (see ToBulletin).
//
// Thread-safety: immutable after construction; any number of threads may
// read it (each decodes with a zstd context of its own).

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_STORED_RECORD_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_STORED_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"
#include "query-service/index/store/store_dictionary.h"
#include "query-service/index/text/text_segments.h"

struct ZSTD_CCtx_s;
struct ZSTD_CDict_s;

namespace bulletin {

// A stored record's text fields, read out of it: the segments of
// text_segments.h, in TextSegmentsOf order, viewing text this object holds.
// Move-only.
class RecordText {
 public:
  RecordText(std::unique_ptr<char[]> buffer, std::vector<TextSegment> segments)
      : buffer_(std::move(buffer)), segments_(std::move(segments)) {}

  const std::vector<TextSegment>& segments() const { return segments_; }

 private:
  friend class StoredRecord;
  // The text frame's content, decoded: the rest frame's prefix.
  std::unique_ptr<char[]> buffer_;
  std::vector<TextSegment> segments_;
};

// What StoredRecord::Make compresses with; the caller owns it all
// (record_compressor.h) and uses it from one thread at a time.
struct RecordCompression {
  ZSTD_CCtx_s* context = nullptr;
  // The zstd level of the rest frame, and of the text frame when there is
  // no dictionary.
  int level = 3;
  // The text frame's dictionary, digested for compression, and the one it
  // was digested from; both null for none.
  const ZSTD_CDict_s* text_dictionary = nullptr;
  std::shared_ptr<const StoreDictionary> dictionary;
};

class StoredRecord {
 public:
  // `bulletin` (seq set) compressed with `compression`, without its
  // source_text. zstd fails here only when it cannot allocate: that throws
  // std::bad_alloc, as any allocation does.
  static std::shared_ptr<const StoredRecord> Make(
      v1::Bulletin bulletin, const RecordCompression& compression);

  // What the text frame holds of `bulletin` before compression: what a
  // store dictionary is trained on.
  static std::string TextPayloadOf(const v1::Bulletin& bulletin);

  StoredRecord(const StoredRecord&) = delete;
  StoredRecord& operator=(const StoredRecord&) = delete;

  // What filters, ranking and hits read of every record, without decoding.
  std::string_view id() const {
    return std::string_view(bytes_.get(), id_size_);
  }
  uint64_t seq() const { return seq_; }
  std::string_view date() const {
    return std::string_view(bytes_.get() + id_size_, date_size_);
  }
  int items_size() const { return static_cast<int>(items_size_); }

  // TextSegmentsOf(the record as given), decoded from the text frame.
  // DATA_LOSS when the frame does not decode (memory damaged since it was
  // checked).
  absl::StatusOr<RecordText> Text() const;

  // The record as it was given, without source_text: both frames decoded.
  // A source text still in the rest frame (a record from an older snapshot)
  // is left out too, so that every read of source_text goes to the log and
  // a replica answers alike whatever its records' age. DATA_LOSS as for
  // Text.
  absl::StatusOr<v1::Bulletin> ToBulletin() const;

  // The dictionary of the text frame; null for none.
  const std::shared_ptr<const StoreDictionary>& dictionary() const {
    return dictionary_;
  }

  // Heap bytes held, for Stats (the dictionary, shared, is not counted).
  size_t SpaceUsed() const;

  // The record as a snapshot image holds it (docs/index-format.md): its
  // plain fields and both frames as they lie here; the dictionary is the
  // image's to write.
  void AppendEncoded(std::string* out) const;
  // DATA_LOSS when `bytes` are not what AppendEncoded wrote (sizes that
  // disagree, frames that are not whole zstd frames of the sizes given).
  // `dictionary` is the one the record was encoded with.
  static absl::StatusOr<std::shared_ptr<const StoredRecord>> Decode(
      std::string_view bytes,
      std::shared_ptr<const StoreDictionary> dictionary);

 private:
  StoredRecord() = default;

  // Decodes the text frame into `buffer` (text_size_ bytes).
  absl::Status DecodeTextFrame(char* buffer) const;
  const char* text_frame() const {
    return bytes_.get() + id_size_ + date_size_;
  }
  const char* rest_frame() const { return text_frame() + text_frame_size_; }

  std::shared_ptr<const StoreDictionary> dictionary_;
  uint64_t seq_ = 0;
  uint32_t items_size_ = 0;
  // Sizes of the frames' contents, decoded.
  uint32_t text_size_ = 0;
  uint32_t rest_size_ = 0;
  uint32_t text_frame_size_ = 0;
  uint32_t rest_frame_size_ = 0;
  uint32_t id_size_ = 0;
  uint32_t date_size_ = 0;
  // The id, the date, the text frame, the rest frame, back to back.
  std::unique_ptr<char[]> bytes_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_STORED_RECORD_H_
