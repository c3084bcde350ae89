// From submitted bytes to a parsed bulletin record: decode (UTF-8 with or
// without BOM, GB18030/GBK, UTF-16 with BOM; any line endings), read HTML or
// XML as its text (markup.h), normalize (NFKC, whitespace), and parse into
// bulletin.v1.Bulletin. The same code serves ingest-service's Submit and Parse
// and `bulletinctl parse`.
//
//   bulletin::ParseOptions options;
//   absl::StatusOr<bulletin::ParsedSubmission> parsed =
//       bulletin::ParseSubmission(bytes, options);
//   if (!parsed.ok()) return parsed.status();   // INVALID_ARGUMENT, ...
//   const bulletin::v1::Bulletin& record = parsed->bulletin;
//
// Thread-safe: may be called from any number of threads at once.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_PARSE_SUBMISSION_H_
#define BULLETIN_INGEST_SERVICE_PARSER_PARSE_SUBMISSION_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"

namespace bulletin {

struct ParseOptions {
  // What the submission is, when the submitter says so; kDetect decides by
  // content (markup.h): a CMS's HTML or XML export is read as its text.
  enum class ContentType { kDetect, kPlainText, kMarkup };
  ContentType content_type = ContentType::kDetect;
  // Submissions larger than this many bytes fail with RESOURCE_EXHAUSTED.
  size_t max_bytes = 4 << 20;
  // Publication date (YYYY-MM-DD) given by the submitter; overrides the
  // dateline's. Empty when not given.
  std::string date;
};

// The ContentType for a MIME type a submitter states: empty is kDetect;
// text/plain is kPlainText; text/html, application/xhtml+xml,
// application/xml and text/xml are kMarkup. Parameters (; charset=...) and
// case are ignored: the encoding is detected from the bytes. Anything else
// is INVALID_ARGUMENT naming the accepted types.
absl::StatusOr<ParseOptions::ContentType> ContentTypeFromMime(
    std::string_view mime);

struct ParsedSubmission {
  // Every part of the bulletin, source_text and source_encoding set; id, seq
  // and ingested_at_micros are left for ingest to fill.
  v1::Bulletin bulletin;
  // The normalized text the parts were cut from. Its hash is the bulletin's
  // content id, so the same bulletin in another encoding or with other line
  // endings gets the same id.
  std::string normalized_text;
};

// Loads the parser's data (data/, compiled in: lexicons, gazetteer) and
// the Traditional-to-Simplified table it folds with, and says what is wrong
// with the data, naming the file, or the file and line. Call it at start so
// that bad data stops the program there and the first submission pays for
// no loading; until it is ok, ParseSubmission fails with INTERNAL and the
// same message. Cheap after the first call.
absl::Status LoadParserData();

// Decodes, normalizes and parses `bytes`. Fails with INVALID_ARGUMENT for
// empty, whitespace-only, binary or undecodable input and for an
// options.date that is not YYYY-MM-DD, with RESOURCE_EXHAUSTED
// for input over options.max_bytes; the message says what is wrong and where.
// Anything that decodes parses: what the parser cannot place becomes a
// warning in the record, never an error.
absl::StatusOr<ParsedSubmission> ParseSubmission(std::string_view bytes,
                                                 const ParseOptions& options);

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_PARSER_PARSE_SUBMISSION_H_
