// Parses the query language of docs/query-language.md into folded terms.
//
//   absl::StatusOr<ParsedQuery> q = ParseQuery("會議 \"Li Ming\" -政协");
//   // q->terms == {"会议", "li ming"}, q->excluded == {"政协"}
//
// Terms are separated by white space and ANDed; "..." (or “...”) quotes a
// phrase that may contain spaces; a leading '-' excludes a term or phrase.
// Every term is folded (see fold.h), so it matches as an exact substring of
// folded text. Duplicate terms are kept once.
//
// Thread-safe: pure function.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_QUERY_PARSER_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_QUERY_PARSER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace bulletin {

struct ParsedQuery {
  // Folded UTF-8 terms a bulletin must all contain.
  std::vector<std::string> terms;
  // Folded UTF-8 terms a bulletin must not contain.
  std::vector<std::string> excluded;
};

// Limits that keep one query from costing the replica much.
inline constexpr size_t kMaxQueryTerms = 32;
inline constexpr size_t kMaxTermBytes = 512;

// INVALID_ARGUMENT for an unbalanced quote or a query over the limits.
absl::StatusOr<ParsedQuery> ParseQuery(std::string_view query);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_QUERY_PARSER_H_
