#include "query-service/index/text_segments.h"

namespace bulletin {

std::vector<TextSegment> TextSegmentsOf(const v1::Bulletin& bulletin) {
  std::vector<TextSegment> segments;
  segments.reserve(5 + bulletin.items_size());
  auto add = [&segments](FieldKind kind, int32_t item, std::string_view text) {
    if (!text.empty()) segments.push_back(TextSegment{kind, item, text});
  };
  add(FieldKind::kHeadline, -1, bulletin.kicker());
  add(FieldKind::kHeadline, -1, bulletin.headline());
  add(FieldKind::kHeadline, -1, bulletin.subtitle());
  add(FieldKind::kLead, -1, bulletin.dateline());
  add(FieldKind::kLead, -1, bulletin.lead());
  for (int i = 0; i < bulletin.items_size(); ++i) {
    add(FieldKind::kItem, i, bulletin.items(i).text());
  }
  return segments;
}

double FieldWeight(FieldKind kind) {
  switch (kind) {
    case FieldKind::kHeadline:
      return 3.0;
    case FieldKind::kLead:
      return 2.0;
    case FieldKind::kItem:
      return 1.0;
  }
  return 1.0;
}

}  // namespace bulletin
