// Turns submitted bytes into UTF-8 text: UTF-8 with or without BOM,
// GB18030/GBK (detected, not declared), UTF-16 with BOM. Rejects what is not
// text, saying what is wrong and where.
//
//   absl::StatusOr<bulletin::parser::DecodedText> text =
//       bulletin::parser::DecodeSubmission(bytes, 4 << 20);
//   if (!text.ok()) return text.status();
//   // text->utf8 has no BOM; text->encoding is "UTF-8", "GB18030", ...
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_DECODE_H_
#define BULLETIN_INGEST_SERVICE_PARSER_DECODE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace bulletin::parser {

struct DecodedText {
  // The text in UTF-8 without its BOM, line endings as sent.
  std::string utf8;
  // "UTF-8", "UTF-8-BOM", "GB18030", "UTF-16LE" or "UTF-16BE".
  std::string encoding;
};

// Fails with RESOURCE_EXHAUSTED when `bytes` is longer than `max_bytes`, and
// with INVALID_ARGUMENT for empty input, NUL bytes, other control characters
// (binary data) and bytes that are neither UTF-8 nor GB18030. Valid UTF-8 is
// taken as UTF-8 even when it would also decode as GB18030: real GB18030
// Chinese text is almost never valid UTF-8.
absl::StatusOr<DecodedText> DecodeSubmission(std::string_view bytes,
                                             size_t max_bytes);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_DECODE_H_
