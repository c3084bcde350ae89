#include "query-service/index/text/text_segments.h"

namespace bulletin {

std::vector<TextSegment> TextSegmentsOf(const v1::Bulletin& bulletin) {
  std::vector<TextSegment> segments;
  segments.reserve(5 + bulletin.items_size());
  auto add = [&](TextField field, int32_t item) {
    std::string_view text = TextOf(bulletin, field, item);
    if (!text.empty()) {
      segments.push_back(TextSegment{field, KindOf(field), item, text});
    }
  };
  add(TextField::kKicker, -1);
  add(TextField::kHeadline, -1);
  add(TextField::kSubtitle, -1);
  add(TextField::kDateline, -1);
  add(TextField::kLead, -1);
  for (int i = 0; i < bulletin.items_size(); ++i) add(TextField::kItem, i);
  return segments;
}

const std::string& TextOf(const v1::Bulletin& bulletin, TextField field,
                          int32_t item_index) {
  switch (field) {
    case TextField::kKicker:
      return bulletin.kicker();
    case TextField::kHeadline:
      return bulletin.headline();
    case TextField::kSubtitle:
      return bulletin.subtitle();
    case TextField::kDateline:
      return bulletin.dateline();
    case TextField::kLead:
      return bulletin.lead();
    case TextField::kItem:
      return bulletin.items(item_index).text();
  }
  return bulletin.headline();
}

std::string* MutableTextOf(v1::Bulletin* bulletin, TextField field,
                           int32_t item_index) {
  switch (field) {
    case TextField::kKicker:
      return bulletin->mutable_kicker();
    case TextField::kHeadline:
      return bulletin->mutable_headline();
    case TextField::kSubtitle:
      return bulletin->mutable_subtitle();
    case TextField::kDateline:
      return bulletin->mutable_dateline();
    case TextField::kLead:
      return bulletin->mutable_lead();
    case TextField::kItem:
      return bulletin->mutable_items(item_index)->mutable_text();
  }
  return bulletin->mutable_headline();
}

FieldKind KindOf(TextField field) {
  switch (field) {
    case TextField::kKicker:
    case TextField::kHeadline:
    case TextField::kSubtitle:
      return FieldKind::kHeadline;
    case TextField::kDateline:
    case TextField::kLead:
      return FieldKind::kLead;
    case TextField::kItem:
      return FieldKind::kItem;
  }
  return FieldKind::kItem;
}

}  // namespace bulletin
