#include "ingest-service/parser/parse_submission.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ingest-service/parser/decode.h"
#include "ingest-service/parser/normalize.h"
#include "ingest-service/parser/structure.h"

namespace bulletin {

namespace {

// YYYY-MM-DD with a month and day that can exist.
bool IsIsoDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (date[i] < '0' || date[i] > '9') return false;
  }
  const int month = (date[5] - '0') * 10 + (date[6] - '0');
  const int day = (date[8] - '0') * 10 + (date[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

}  // namespace

absl::StatusOr<ParsedSubmission> ParseSubmission(std::string_view bytes,
                                                 const ParseOptions& options) {
  if (!options.date.empty() && !IsIsoDate(options.date)) {
    return absl::InvalidArgumentError(
        absl::StrCat("date \"", options.date, "\" is not YYYY-MM-DD"));
  }
  absl::StatusOr<parser::DecodedText> decoded =
      parser::DecodeSubmission(bytes, options.max_bytes);
  if (!decoded.ok()) return decoded.status();
  parser::NormalizedText normalized = parser::NormalizeText(decoded->utf8);
  if (normalized.lines.empty()) {
    return absl::InvalidArgumentError(
        "submission is whitespace only: no text to parse");
  }
  ParsedSubmission parsed;
  parser::BuildRecord(normalized.lines, options.date, &parsed.bulletin);
  parsed.bulletin.set_source_text(std::move(decoded->utf8));
  parsed.bulletin.set_source_encoding(std::move(decoded->encoding));
  parsed.normalized_text = std::move(normalized.text);
  return parsed;
}

}  // namespace bulletin
