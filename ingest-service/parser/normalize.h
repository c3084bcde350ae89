// Normalizes decoded text into the lines the parser reads: NFKC (width and
// compatibility forms, through common/text/nfkc.h), every line ending (LF,
// CRLF, CR, U+2028, U+2029, U+0085) as one break, runs of whitespace
// (including the full-width space U+3000 and zero-width spaces) as one ASCII
// space, lines trimmed, blank lines dropped, and paragraphs that were
// hard-wrapped at a fixed width joined again.
//
//   bulletin::parser::NormalizedText n =
//       bulletin::parser::NormalizeText("　标题\r\n\r\n（三）正文");
//   // n.lines == {"标题", "(三)正文"}, n.text == "标题\n(三)正文"
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_NORMALIZE_H_
#define BULLETIN_INGEST_SERVICE_PARSER_NORMALIZE_H_

#include <string>
#include <string_view>
#include <vector>

namespace bulletin::parser {

struct NormalizedText {
  // Non-blank lines, in order, each in UTF-32 for the parser's rules.
  std::vector<std::u32string> lines;
  // The lines joined with '\n', in UTF-8: what the content id hashes.
  std::string text;
};

NormalizedText NormalizeText(std::string_view utf8);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_NORMALIZE_H_
