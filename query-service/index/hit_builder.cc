#include "query-service/index/hit_builder.h"

#include "query-service/index/snippet.h"

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

}  // namespace

v1::Hit MakeHit(const v1::Bulletin& bulletin, const ParsedQuery& query,
                const FoldedDocument& document, int32_t snippet_segment,
                const std::vector<int32_t>& item_indexes) {
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
    // FoldDocument views the text itself where it is its own fold.
    const bool own_fold =
        document.folded[snippet_segment].data() == text.data();
    hit.set_snippet(own_fold ? BuildSnippetOfFoldedText(text, query.terms)
                             : BuildSnippet(text, query.terms));
  }
  return hit;
}

}  // namespace bulletin
