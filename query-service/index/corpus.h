// The documents and text segments the index knows, live and dead, numbered
// in the order they were added. The gram index refers to segments by
// number; a segment knows its document and which field of the record it
// holds, so its text can be read back from the stored record.
//
//   const SegmentMeta& s = corpus.segments[n];
//   std::string_view text = corpus.SegmentText(n);
//
// Thread-safety: plain data; BulletinIndex guards it.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_CORPUS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_CORPUS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"
#include "query-service/index/text_segments.h"

namespace bulletin {

struct DocumentMeta {
  std::shared_ptr<const v1::Bulletin> record;
  // Filter and facet value ids (value_dictionary.h), ascending.
  std::vector<uint32_t> value_ids;
  // record->seq(), here so that ranking does not touch the record.
  uint64_t seq = 0;
  uint32_t first_segment = 0;
  uint32_t segment_count = 0;
  // Where the lead and the item segments start among the document's
  // positions (gram_index.h): a phrase's field is known from its start.
  uint32_t lead_start = 0;
  uint32_t item_start = 0;
  // Folded length with field weights, for BM25 length normalization.
  float weighted_length = 0;
  bool live = true;
};

class SegmentMeta {
 public:
  SegmentMeta(uint32_t doc, const std::string* text, TextField field,
              int32_t item_index, bool folds_to_itself)
      : text_(text),
        doc_(doc),
        bits_((static_cast<uint32_t>(field) << 29) |
              (folds_to_itself ? 1u << 28 : 0u) |
              static_cast<uint32_t>(item_index < 0 ? 0 : item_index)) {}

  // The field's text inside the stored record (which never changes while
  // the index holds it), kept here so that verifying a candidate costs one
  // memory access rather than a walk through the record.
  std::string_view text() const { return *text_; }
  uint32_t doc() const { return doc_; }
  void set_doc(uint32_t doc) { doc_ = doc; }
  TextField field() const { return static_cast<TextField>(bits_ >> 29); }
  int32_t item_index() const {
    return field() == TextField::kItem ? static_cast<int32_t>(bits_ & kItemMask)
                                       : -1;
  }
  // True when the stored text is already folded, so that a folded term can
  // be searched in it byte for byte.
  bool folds_to_itself() const { return (bits_ >> 28) & 1; }

 private:
  static constexpr uint32_t kItemMask = (1u << 28) - 1;
  const std::string* text_;
  uint32_t doc_;
  uint32_t bits_;
};

struct Corpus {
  std::vector<DocumentMeta> documents;
  std::vector<SegmentMeta> segments;

  std::string_view SegmentText(uint32_t segment) const {
    return segments[segment].text();
  }
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_CORPUS_H_
