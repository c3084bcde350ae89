#include "query-service/index/snippet.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <utility>

#include "query-service/index/document_match.h"
#include "query-service/index/fold.h"

namespace bulletin {
namespace {

constexpr std::string_view kOpen = "\xE3\x80\x90";      // 【
constexpr std::string_view kClose = "\xE3\x80\x91";     // 】
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

using Spans = std::vector<std::pair<size_t, size_t>>;

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

// The passage around `spans` (byte spans of `text`, in any order), marked.
std::string Render(std::string_view text, Spans spans) {
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<size_t, size_t>> merged;
  merged.reserve(spans.size());
  for (const auto& span : spans) {
    if (!merged.empty() && span.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, span.second);
    } else {
      merged.push_back(span);
    }
  }
  const size_t start =
      merged.empty()
          ? 0
          : StepCodePoints(text, merged.front().first, -kSnippetContextBefore);
  const size_t end = StepCodePoints(text, start, kSnippetLength);
  std::string out;
  // The passage, two ellipses and a pair of marks per span: one allocation.
  out.reserve(end - start + 2 * kEllipsis.size() +
              merged.size() * (kOpen.size() + kClose.size()));
  if (start > 0) out.append(kEllipsis);
  size_t at = start;
  for (const auto& [b, e] : merged) {
    if (b >= end) break;
    if (b < at) continue;
    const size_t close = std::max(e, b);
    out.append(text.substr(at, b - at));
    out.append(kOpen);
    out.append(text.substr(b, close - b));
    out.append(kClose);
    at = close;
  }
  if (at < end) out.append(text.substr(at, end - at));
  if (std::max(at, end) < text.size()) out.append(kEllipsis);
  return out;
}

}  // namespace

std::string BuildSnippet(std::string_view text,
                         const std::vector<std::string>& folded_terms) {
  // Nothing to mark (a filter-only search): the text need not be folded.
  if (std::all_of(folded_terms.begin(), folded_terms.end(),
                  [](const std::string& term) { return term.empty(); })) {
    return Render(text, {});
  }
  const FoldedWithOffsets folded = FoldWithOffsets(text);
  // Matched spans in original byte offsets.
  Spans spans;
  ForEachMatch(folded.folded, folded_terms, [&](size_t begin, size_t end) {
    spans.emplace_back(folded.begin[begin], folded.end[end - 1]);
  });
  return Render(text, std::move(spans));
}

std::string BuildSnippetOfFoldedText(
    std::string_view text, const std::vector<std::string>& folded_terms) {
  Spans spans;
  ForEachMatch(text, folded_terms, [&](size_t begin, size_t end) {
    spans.emplace_back(begin, end);
  });
  return Render(text, std::move(spans));
}

}  // namespace bulletin
