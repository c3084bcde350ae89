#include "query-service/index/query/query_parser.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/text/nfkc.h"
#include "query-service/index/text/fold.h"

namespace bulletin {
namespace {

constexpr std::string_view kLeftQuote = "\xE2\x80\x9C";   // “
constexpr std::string_view kRightQuote = "\xE2\x80\x9D";  // ”

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

void AddTerm(std::string_view raw, bool exclude, ParsedQuery* query) {
  std::string folded = FoldQueryText(raw);
  if (folded.empty()) return;
  std::vector<std::string>& list = exclude ? query->excluded : query->terms;
  if (std::find(list.begin(), list.end(), folded) == list.end()) {
    list.push_back(std::move(folded));
  }
}

}  // namespace

absl::StatusOr<ParsedQuery> ParseQuery(std::string_view query) {
  if (!IsValidUtf8(absl::string_view(query.data(), query.size()))) {
    return absl::InvalidArgumentError("query is not valid UTF-8");
  }
  // NFKC first so that full-width quotes and minus signs act as syntax.
  const std::string text =
      NormalizeNfkc(absl::string_view(query.data(), query.size()));
  ParsedQuery parsed;
  size_t i = 0;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    bool exclude = false;
    if (text[i] == '-' && i + 1 < text.size() && !IsSpace(text[i + 1])) {
      exclude = true;
      ++i;
    }
    std::string_view rest = std::string_view(text).substr(i);
    std::string_view close;
    size_t open_size = 0;
    if (rest.front() == '"') {
      close = "\"";
      open_size = 1;
    } else if (rest.substr(0, kLeftQuote.size()) == kLeftQuote) {
      close = kRightQuote;
      open_size = kLeftQuote.size();
    }
    if (open_size > 0) {
      const size_t end = rest.find(close, open_size);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("unbalanced quote at byte ", i, " of the query"));
      }
      AddTerm(rest.substr(open_size, end - open_size), exclude, &parsed);
      i += end + close.size();
      continue;
    }
    size_t end = 0;
    while (end < rest.size() && !IsSpace(rest[end])) ++end;
    AddTerm(rest.substr(0, end), exclude, &parsed);
    i += end;
  }
  if (parsed.terms.size() + parsed.excluded.size() > kMaxQueryTerms) {
    return absl::InvalidArgumentError(
        absl::StrCat("query has more than ", kMaxQueryTerms, " terms"));
  }
  for (const auto* list : {&parsed.terms, &parsed.excluded}) {
    for (const std::string& term : *list) {
      if (term.size() > kMaxTermBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            "a query term is longer than ", kMaxTermBytes, " bytes"));
      }
    }
  }
  return parsed;
}

}  // namespace bulletin
