#include "ingest-service/parser/parse_submission.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/server/error_details.h"
#include "common/text/traditional_simplified.h"
#include "common/time/iso_date.h"
#include "ingest-service/parser/decode.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
#include "ingest-service/parser/markup.h"
#include "ingest-service/parser/normalize.h"
#include "ingest-service/parser/structure.h"

namespace bulletin {

absl::Status LoadParserData() {
  // Built here, not in the first Submit (traditional_simplified.h says what
  // it costs).
  (void)SimplifiedTable::Get();
  if (const auto& lexicon = parser::LoadedLexicon(); !lexicon.ok()) {
    return absl::InternalError(lexicon.status().message());
  }
  if (const auto& gazetteer = parser::LoadedGazetteer(); !gazetteer.ok()) {
    return absl::InternalError(gazetteer.status().message());
  }
  return absl::OkStatus();
}

absl::StatusOr<ParseOptions::ContentType> ContentTypeFromMime(
    std::string_view mime_type) {
  const absl::string_view mime(mime_type.data(), mime_type.size());
  std::string type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
      mime.substr(0, std::min(mime.find(';'), mime.size()))));
  if (type.empty()) return ParseOptions::ContentType::kDetect;
  if (type == "text/plain") return ParseOptions::ContentType::kPlainText;
  if (type == "text/html" || type == "application/xhtml+xml" ||
      type == "application/xml" || type == "text/xml") {
    return ParseOptions::ContentType::kMarkup;
  }
  return AsFieldError(
      absl::InvalidArgumentError(
          absl::StrCat("content_type '", mime,
                       "' is not one ingest reads: give text/plain, text/html, "
                       "application/xhtml+xml, application/xml or text/xml, or "
                       "leave it empty "
                       "to detect it")),
      "content_type");
}

absl::StatusOr<ParsedSubmission> ParseSubmission(std::string_view bytes,
                                                 const ParseOptions& options) {
  if (absl::Status data = LoadParserData(); !data.ok()) return data;
  if (absl::Status date = CheckIsoDate("date", options.date); !date.ok()) {
    return AsFieldError(date, "date");
  }
  absl::StatusOr<parser::DecodedText> decoded =
      parser::DecodeSubmission(bytes, options.max_bytes);
  if (decoded.status().code() == absl::StatusCode::kResourceExhausted) {
    return WithErrorInfo(decoded.status(), kReasonTooLarge,
                         {{"field", "content"},
                          {"bytes", absl::StrCat(bytes.size())},
                          {"limit", absl::StrCat(options.max_bytes)}});
  }
  if (!decoded.ok()) {
    return AsFieldError(decoded.status(), "content", kReasonInvalidContent);
  }
  const bool markup =
      options.content_type == ParseOptions::ContentType::kMarkup ||
      (options.content_type == ParseOptions::ContentType::kDetect &&
       parser::LooksLikeMarkup(decoded->utf8));
  parser::NormalizedText normalized = parser::NormalizeText(
      markup ? parser::MarkupToText(decoded->utf8) : decoded->utf8);
  if (normalized.lines.empty()) {
    return AsFieldError(absl::InvalidArgumentError(
                            "submission is whitespace only: no text to parse"),
                        "content", kReasonInvalidContent);
  }
  ParsedSubmission parsed;
  parser::BuildRecord(normalized.lines, options.date, &parsed.bulletin);
  parsed.bulletin.set_source_text(std::move(decoded->utf8));
  parsed.bulletin.set_source_encoding(std::move(decoded->encoding));
  parsed.normalized_text = std::move(normalized.text);
  return parsed;
}

}  // namespace bulletin
