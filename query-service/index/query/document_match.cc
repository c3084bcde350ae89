#include "query-service/index/query/document_match.h"

#include <string.h>

#include <utility>

#include "query-service/index/text/fold.h"
#include "query-service/index/text/substring_searcher.h"

namespace bulletin {

FoldedDocument FoldDocument(const v1::Bulletin& bulletin) {
  return FoldDocument(bulletin, ~uint64_t{0});
}

FoldedDocument FoldDocument(const v1::Bulletin& bulletin,
                            uint64_t segments_to_fold) {
  return FoldDocument(TextSegmentsOf(bulletin), segments_to_fold);
}

FoldedDocument FoldDocument(std::vector<TextSegment> segments,
                            uint64_t segments_to_fold) {
  FoldedDocument doc;
  doc.segments = std::move(segments);
  const size_t count = doc.segments.size();
  auto folds = [segments_to_fold](size_t i) {
    return i >= 64 || (segments_to_fold >> i & 1) != 0;
  };
  size_t to_fold = 0;
  for (size_t i = 0; i < count; ++i) to_fold += folds(i) ? 1 : 0;
  // Reserved up front: `folded` points into `owned`, which must not move.
  doc.owned.reserve(to_fold);
  doc.folded.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (!folds(i)) {
      doc.folded.push_back(doc.segments[i].text);
    } else {
      doc.owned.push_back(FoldText(doc.segments[i].text));
      doc.folded.push_back(doc.owned.back());
    }
  }
  return doc;
}

size_t FindSubstring(std::string_view text, std::string_view term,
                     size_t from) {
  if (from > text.size()) return std::string_view::npos;
  // glibc's memmem is much faster than std::string_view::find on CJK text,
  // whose UTF-8 lead bytes repeat so often that find's first-byte scan
  // stops at nearly every character.
  const void* at =
      memmem(text.data() + from, text.size() - from, term.data(), term.size());
  return at == nullptr
             ? std::string_view::npos
             : static_cast<size_t>(static_cast<const char*>(at) - text.data());
}

DocumentMatch MatchDocument(const ParsedQuery& query,
                            const FoldedDocument& document) {
  DocumentMatch match;
  for (const std::string& term : query.excluded) {
    for (std::string_view text : document.folded) {
      if (FindSubstring(text, term, 0) != std::string_view::npos) return match;
    }
  }
  match.term_counts.assign(query.terms.size(), FieldCounts{});
  match.item_indexes.reserve(document.folded.size());
  std::vector<SubstringSearcher> searchers;
  searchers.reserve(query.terms.size());
  for (const std::string& term : query.terms) searchers.emplace_back(term);
  int32_t best_distinct = 0;
  for (size_t s = 0; s < document.folded.size(); ++s) {
    int32_t distinct = 0;
    for (size_t t = 0; t < query.terms.size(); ++t) {
      const int32_t n =
          static_cast<int32_t>(searchers[t].Count(document.folded[s]));
      if (n == 0) continue;
      ++distinct;
      match.term_counts[t][static_cast<int>(document.segments[s].kind)] += n;
    }
    if (distinct == 0) continue;
    if (distinct > best_distinct) {
      best_distinct = distinct;
      match.snippet_segment = static_cast<int32_t>(s);
    }
    const int32_t item = document.segments[s].item_index;
    if (item >= 0) match.item_indexes.push_back(item);
  }
  for (const FieldCounts& counts : match.term_counts) {
    if (counts[0] + counts[1] + counts[2] == 0) return DocumentMatch{};
  }
  match.matched = true;
  return match;
}

}  // namespace bulletin
