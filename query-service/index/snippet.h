// Snippets: a passage of a text field around the query's matches, with each
// matched span wrapped in 【 and 】, in the text as written (traditional
// characters and case kept).
//
//   BuildSnippet("連日來，區縣政協組織學習", {"政协"});
//   // "連日來，區縣【政協】組織學習"
//
// Thread-safe: pure function.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_SNIPPET_H_
#define BULLETIN_QUERY_SERVICE_INDEX_SNIPPET_H_

#include <string>
#include <string_view>
#include <vector>

namespace bulletin {

// Code points of context kept before the first match.
inline constexpr int kSnippetContextBefore = 20;
// Longest snippet, in code points of the original text (marks excluded).
inline constexpr int kSnippetLength = 100;

// `text` is a field as stored; `folded_terms` are folded query terms. With no
// match (or no terms), returns the start of the text unmarked. A passage cut
// short is marked with "…" at the cut.
std::string BuildSnippet(std::string_view text,
                         const std::vector<std::string>& folded_terms);

// The same for a field known to be its own fold (FoldText(text) == text),
// which needs no folding to find the matches: the common case, and what a
// results page does for each hit.
std::string BuildSnippetOfFoldedText(
    std::string_view text, const std::vector<std::string>& folded_terms);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_SNIPPET_H_
