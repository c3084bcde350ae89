#include "query-service/index/query/snippet.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <utility>

#include "query-service/index/query/document_match.h"
#include "query-service/index/text/fold.h"

namespace bulletin {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // …

// Byte offset `n` code points before (n < 0) or after `at` in `text`.
size_t StepCodePoints(std::string_view text, size_t at, int n) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t i = static_cast<int32_t>(at);
  const int32_t length = static_cast<int32_t>(text.size());
  for (; n < 0 && i > 0; ++n) U8_BACK_1(s, 0, i);
  for (; n > 0 && i < length; --n) U8_FWD_1(s, i, length);
  return static_cast<size_t>(i);
}

// Calls add(begin, end) with the folded byte span of each occurrence of
// each term in `folded`.
template <typename Add>
void ForEachMatch(std::string_view folded,
                  const std::vector<std::string>& folded_terms, Add add) {
  for (const std::string& term : folded_terms) {
    if (term.empty()) continue;
    for (size_t at = FindSubstring(folded, term, 0);
         at != std::string_view::npos;
         at = FindSubstring(folded, term, at + 1)) {
      add(at, at + term.size());
    }
  }
}

// Sorts `spans` and merges those that overlap or touch.
MatchedSpans Merge(MatchedSpans spans) {
  std::sort(spans.begin(), spans.end());
  MatchedSpans merged;
  merged.reserve(spans.size());
  for (const auto& span : spans) {
    if (!merged.empty() && span.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, span.second);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

// Appends `text`, HTML-escaped when `escape`.
void AppendText(std::string_view text, bool escape, std::string* out) {
  if (!escape) {
    out->append(text);
    return;
  }
  for (char c : text) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&#39;");
        break;
      default:
        out->push_back(c);
    }
  }
}

// The passage around `merged` (spans of `text` as FindMatchedSpans gives
// them), marked.
std::string Render(std::string_view text, const MatchedSpans& merged,
                   const HighlightMarks& marks) {
  const size_t start =
      merged.empty()
          ? 0
          : StepCodePoints(text, merged.front().first, -kSnippetContextBefore);
  const size_t end = StepCodePoints(text, start, kSnippetLength);
  std::string out;
  // The passage, two ellipses and a pair of marks per span: one allocation
  // when nothing needs escaping.
  out.reserve(end - start + 2 * kEllipsis.size() +
              merged.size() * (marks.open.size() + marks.close.size()));
  if (start > 0) out.append(kEllipsis);
  size_t at = start;
  for (const auto& [b, e] : merged) {
    if (b >= end) break;
    if (b < at) continue;
    AppendText(text.substr(at, b - at), marks.escape_html, &out);
    out.append(marks.open);
    AppendText(text.substr(b, e - b), marks.escape_html, &out);
    out.append(marks.close);
    at = e;
  }
  if (at < end) AppendText(text.substr(at, end - at), marks.escape_html, &out);
  if (std::max(at, end) < text.size()) out.append(kEllipsis);
  return out;
}

}  // namespace

MatchedSpans FindMatchedSpans(std::string_view text,
                              const std::vector<std::string>& folded_terms) {
  // Nothing to find (a filter-only search): the text need not be folded.
  if (std::all_of(folded_terms.begin(), folded_terms.end(),
                  [](const std::string& term) { return term.empty(); })) {
    return {};
  }
  const FoldedWithOffsets folded = FoldWithOffsets(text);
  MatchedSpans spans;
  ForEachMatch(folded.folded, folded_terms, [&](size_t begin, size_t end) {
    spans.emplace_back(folded.begin[begin], folded.end[end - 1]);
  });
  return Merge(std::move(spans));
}

MatchedSpans FindMatchedSpansOfFoldedText(
    std::string_view text, const std::vector<std::string>& folded_terms) {
  MatchedSpans spans;
  ForEachMatch(text, folded_terms, [&](size_t begin, size_t end) {
    spans.emplace_back(begin, end);
  });
  return Merge(std::move(spans));
}

std::string BuildSnippet(std::string_view text,
                         const std::vector<std::string>& folded_terms,
                         const HighlightMarks& marks) {
  return Render(text, FindMatchedSpans(text, folded_terms), marks);
}

std::string BuildSnippetOfFoldedText(
    std::string_view text, const std::vector<std::string>& folded_terms,
    const HighlightMarks& marks) {
  return Render(text, FindMatchedSpansOfFoldedText(text, folded_terms), marks);
}

}  // namespace bulletin
