// Snippets: a passage of a text field around the query's matches, with each
// matched span wrapped in highlight marks (【 and 】 unless the request
// names others), in the text as written (traditional characters and case
// kept); and the matched spans themselves, which Hit.matches reports.
//
//   BuildSnippet("連日來，區縣政協組織學習", {"政协"});
//   // "連日來，區縣【政協】組織學習"
//   BuildSnippet("<b>政協</b>", {"政协"}, {"<em>", "</em>", true});
//   // "&lt;b&gt;<em>政協</em>&lt;/b&gt;"
//
// Thread-safe: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_SNIPPET_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_SNIPPET_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulletin {

// Code points of context kept before the first match.
inline constexpr int kSnippetContextBefore = 20;
// Longest snippet, in code points of the original text (marks excluded).
inline constexpr int kSnippetLength = 100;

// How matched spans are marked. The views must outlive the snippet's
// building.
struct HighlightMarks {
  std::string_view open = "\xE3\x80\x90";   // 【
  std::string_view close = "\xE3\x80\x91";  // 】
  // HTML-escape the text (& < > " '), not the marks.
  bool escape_html = false;
};

// Byte spans [first, second) of a text, ascending, none overlapping or
// touching another.
using MatchedSpans = std::vector<std::pair<size_t, size_t>>;

// Where `folded_terms` (folded query terms) occur in the fold of `text` (a
// field as stored), as byte spans of `text`: every occurrence of every
// term, occurrences that overlap or touch merged into one span.
MatchedSpans FindMatchedSpans(std::string_view text,
                              const std::vector<std::string>& folded_terms);

// The same for a field known to be its own fold (FoldText(text) == text),
// which needs no folding: the common case.
MatchedSpans FindMatchedSpansOfFoldedText(
    std::string_view text, const std::vector<std::string>& folded_terms);

// `text` is a field as stored; `folded_terms` are folded query terms. With no
// match (or no terms), returns the start of the text unmarked. A passage cut
// short is marked with "…" at the cut (escaped or not, "…" is not markup).
std::string BuildSnippet(std::string_view text,
                         const std::vector<std::string>& folded_terms,
                         const HighlightMarks& marks = {});

// The same for a field known to be its own fold, which needs no folding to
// find the matches: what a results page does for most hits.
std::string BuildSnippetOfFoldedText(
    std::string_view text, const std::vector<std::string>& folded_terms,
    const HighlightMarks& marks = {});

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_SNIPPET_H_
