#include "query-service/index/query/hit_builder.h"

#include <unicode/utf8.h>

#include <string>
#include <string_view>

namespace bulletin {
namespace {

int32_t DefaultSnippetSegment(const std::vector<TextSegment>& segments) {
  for (FieldKind kind : {FieldKind::kLead, FieldKind::kItem}) {
    for (size_t s = 0; s < segments.size(); ++s) {
      if (segments[s].kind == kind) return static_cast<int32_t>(s);
    }
  }
  return segments.empty() ? -1 : 0;
}

// MatchSpan.field: the Bulletin field's name.
const char* FieldName(TextField field) {
  switch (field) {
    case TextField::kKicker:
      return "kicker";
    case TextField::kHeadline:
      return "headline";
    case TextField::kSubtitle:
      return "subtitle";
    case TextField::kDateline:
      return "dateline";
    case TextField::kLead:
      return "lead";
    case TextField::kItem:
      return "items";
  }
  return "";
}

// FoldDocument views the text itself where it is its own fold.
bool IsOwnFold(const FoldedDocument& document, size_t segment) {
  return document.folded[segment].data() ==
         document.segments[segment].text.data();
}

// Appends the matched spans of every segment to hit.matches, in segment
// order, up to kMaxMatchSpans; code point offsets are counted as the spans
// go, so each text is walked once.
void AddMatches(const ParsedQuery& query, const FoldedDocument& document,
                v1::Hit* hit) {
  for (size_t s = 0; s < document.segments.size(); ++s) {
    const TextSegment& segment = document.segments[s];
    const std::string_view text = segment.text;
    const MatchedSpans spans =
        IsOwnFold(document, s) ? FindMatchedSpansOfFoldedText(text, query.terms)
                               : FindMatchedSpans(text, query.terms);
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const int32_t length = static_cast<int32_t>(text.size());
    int32_t byte = 0;
    int32_t code_point = 0;
    auto advance_to = [&](size_t to) {
      while (byte < static_cast<int32_t>(to) && byte < length) {
        U8_FWD_1(bytes, byte, length);
        ++code_point;
      }
    };
    for (const auto& [begin, end] : spans) {
      if (hit->matches_size() >= kMaxMatchSpans) return;
      v1::MatchSpan* match = hit->add_matches();
      match->set_field(FieldName(segment.field));
      match->set_item_index(segment.item_index < 0 ? 0 : segment.item_index);
      advance_to(begin);
      match->set_begin_byte(byte);
      match->set_begin_code_point(code_point);
      advance_to(end);
      match->set_end_byte(byte);
      match->set_end_code_point(code_point);
    }
  }
}

}  // namespace

v1::Hit MakeHit(const v1::Bulletin& bulletin, const ParsedQuery& query,
                const FoldedDocument& document, int32_t snippet_segment,
                const std::vector<int32_t>& item_indexes,
                const HitOptions& options) {
  v1::Hit hit;
  hit.set_bulletin_id(bulletin.id());
  hit.set_seq(bulletin.seq());
  hit.set_date(bulletin.date());
  for (int32_t item : item_indexes) hit.add_item_indexes(item);
  const std::vector<TextSegment>& segments = document.segments;
  for (const TextSegment& s : segments) {
    if (s.field == TextField::kHeadline) {
      hit.set_headline(s.text.data(), s.text.size());
      break;
    }
  }
  if (snippet_segment < 0) snippet_segment = DefaultSnippetSegment(segments);
  if (snippet_segment >= 0) {
    const std::string_view text = segments[snippet_segment].text;
    hit.set_snippet(
        IsOwnFold(document, snippet_segment)
            ? BuildSnippetOfFoldedText(text, query.terms, options.marks)
            : BuildSnippet(text, query.terms, options.marks));
  }
  if (options.include_matches) AddMatches(query, document, &hit);
  return hit;
}

}  // namespace bulletin
