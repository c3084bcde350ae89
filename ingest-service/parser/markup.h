// Turns HTML or XML that a CMS exports into the plain text the parser reads:
// tags removed, character references decoded, block elements as line
// breaks. Whether a submission is markup is decided by its content (or by
// the submitter, ParseOptions.content_type).
//
//   std::string_view in = "<h1>标题</h1><p>连日来,&ldquo;我市&rdquo;…</p>";
//   if (bulletin::parser::LooksLikeMarkup(in)) {
//     std::string text = bulletin::parser::MarkupToText(in);
//     // "\n标题\n\n连日来,“我市”…\n"
//   }
//
// The rules (docs/parsing.md, "Markup"):
// - p, div, br, h1-h6, li, tr, td, title, … and every element HTML does not
//   know (an XML export's <headline>, <content>) break the line; inline
//   elements (span, strong, a, font, …) do not;
// - inside a paragraph element (p, h1-h6, li, td, …) a line break of the
//   source is layout, not a break: it joins the words on either side, with a
//   space only between Latin letters or digits;
// - script, style, navigation (nav, aside, footer) and controls, the metadata
//   fields of an XML export (source, editor, url, keywords, category,
//   channel, …), comments, processing instructions and the document type
//   are dropped, and so is <head> when the document has a <body>, and
//   <title> when it has a <body> or an <h1> (it repeats the headline);
// - CDATA sections are text, read again as markup when they hold some;
// - named references (&nbsp; &ldquo; &mdash; …) and numeric ones (&#8220;
//   &#x201C;) are decoded; an unknown or broken reference stays as written.
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_MARKUP_H_
#define BULLETIN_INGEST_SERVICE_PARSER_MARKUP_H_

#include <string>
#include <string_view>

namespace bulletin::parser {

// True when UTF-8 `text` is HTML or XML: it holds an XML declaration, a
// document type, a comment or a CDATA section, a tag of an HTML element, an
// element opened and closed by name (<headline>…</headline>), or a
// character reference (&nbsp; &#12288;).
bool LooksLikeMarkup(std::string_view text);

// The text of UTF-8 markup `text`, in UTF-8, laid out in lines as above.
std::string MarkupToText(std::string_view text);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_MARKUP_H_
