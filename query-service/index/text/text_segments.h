// The searchable text of a bulletin, as a list of segments: one per text
// field (kicker, headline, subtitle, dateline, lead, each item). A term
// matches inside one segment, never across two.
//
//   for (const TextSegment& s : TextSegmentsOf(bulletin)) {
//     Index(s.kind, s.item_index, s.text);
//   }
//
// The segments point into the bulletin: it must outlive them.
// Thread-safe: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_TEXT_TEXT_SEGMENTS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_TEXT_TEXT_SEGMENTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"

namespace bulletin {

// Which ranking field a segment belongs to.
enum class FieldKind : uint8_t {
  kHeadline = 0,  // kicker, headline, subtitle
  kLead = 1,      // dateline, lead
  kItem = 2,      // items[].text
};
inline constexpr int kFieldKindCount = 3;

// How often a term occurs in each ranking field, indexed by FieldKind.
using FieldCounts = std::array<int32_t, kFieldKindCount>;

// True when the term occurs in some field.
inline bool OccursAnywhere(const FieldCounts& counts) {
  return counts[0] != 0 || counts[1] != 0 || counts[2] != 0;
}

// The record field a segment holds.
enum class TextField : uint8_t {
  kKicker = 0,
  kHeadline,
  kSubtitle,
  kDateline,
  kLead,
  kItem,
};

struct TextSegment {
  TextField field;
  FieldKind kind;
  // Index into Bulletin.items for kItem; -1 otherwise.
  int32_t item_index;
  std::string_view text;
};

// The non-empty text fields of `bulletin`, headline fields first, then lead
// fields, then items in order.
std::vector<TextSegment> TextSegmentsOf(const v1::Bulletin& bulletin);

// The text of `field` (of items[item_index] for kItem).
const std::string& TextOf(const v1::Bulletin& bulletin, TextField field,
                          int32_t item_index);

// The same, to write: StoredRecord takes the text out and puts it back.
std::string* MutableTextOf(v1::Bulletin* bulletin, TextField field,
                           int32_t item_index);

// The ranking field of a record field.
FieldKind KindOf(TextField field);

// Ranking weight of a field: headline above lead above item.
constexpr double FieldWeight(FieldKind kind) {
  return kind == FieldKind::kHeadline ? 3.0
         : kind == FieldKind::kLead   ? 2.0
                                      : 1.0;
}

// Occurrences weighted by field: what BM25 scores (scoring.h), and what a
// frozen posting block bounds (postings.h). Inline: Search calls it for
// every matching document.
inline double WeightedCount(const FieldCounts& counts) {
  return FieldWeight(FieldKind::kHeadline) * counts[0] +
         FieldWeight(FieldKind::kLead) * counts[1] +
         FieldWeight(FieldKind::kItem) * counts[2];
}

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_TEXT_TEXT_SEGMENTS_H_
