#include "ingest-service/parser/markup.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Elements that flow inside a line: no break before or after them.
constexpr std::string_view kInline[] = {
    "a",      "abbr",   "b",    "bdi", "bdo",  "big", "cite", "code",  "del",
    "dfn",    "em",     "font", "i",   "img",  "ins", "kbd",  "label", "mark",
    "o:p",    "q",      "rp",   "rt",  "ruby", "s",   "samp", "small", "span",
    "strike", "strong", "sub",  "sup", "time", "tt",  "u",    "var",   "wbr"};

// Elements whose text is one paragraph: a source line break inside them is
// layout.
constexpr std::string_view kParagraph[] = {
    "p",  "h1", "h2", "h3", "h4",      "h5",         "h6",    "li",
    "td", "th", "dt", "dd", "caption", "figcaption", "title", "blockquote"};

// Every other element HTML defines; with the two lists above, what a tag
// must name for plain text with a stray '<' to count as markup.
constexpr std::string_view kOtherHtml[] = {
    "address",  "article",  "aside", "body",   "br",      "center",  "col",
    "colgroup", "div",      "dl",    "figure", "footer",  "form",    "head",
    "header",   "hr",       "html",  "link",   "main",    "meta",    "nav",
    "noscript", "ol",       "pre",   "script", "section", "style",   "table",
    "tbody",    "template", "tfoot", "thead",  "tr",      "ul",      "input",
    "button",   "iframe",   "video", "audio",  "source",  "picture", "svg"};

// Elements whose content is never text of the bulletin: code, a page's
// navigation and controls, and the metadata fields of a CMS's XML export
// (its source, editor, address, keywords), which would otherwise stand
// above the kicker.
constexpr std::string_view kDropped[] = {
    "script",  "style",  "noscript", "template", "nav",     "aside",
    "footer",  "button", "select",   "iframe",   "svg",     "source",
    "editor",  "url",    "link",     "keywords", "keyword", "category",
    "channel", "guid",   "copyfrom", "tags"};

template <size_t N>
bool In(const std::string_view (&list)[N], std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

bool IsKnownHtml(std::string_view name) {
  return In(kInline, name) || In(kParagraph, name) || In(kOtherHtml, name);
}

// Named references a CMS writes. Others are left as written.
constexpr std::pair<std::string_view, char32_t> kNamed[] = {
    {"nbsp", 0x00A0},
    {"amp", U'&'},
    {"lt", U'<'},
    {"gt", U'>'},
    {"quot", U'"'},
    {"apos", U'\''},
    {"ldquo", 0x201C},
    {"rdquo", 0x201D},
    {"lsquo", 0x2018},
    {"rsquo", 0x2019},
    {"mdash", 0x2014},
    {"ndash", 0x2013},
    {"hellip", 0x2026},
    {"middot", 0x00B7},
    {"bull", 0x2022},
    {"emsp", 0x2003},
    {"ensp", 0x2002},
    {"thinsp", 0x2009},
    {"ideographicspace", 0x3000},
    {"copy", 0x00A9},
    {"reg", 0x00AE},
    {"trade", 0x2122},
    {"times", 0x00D7},
    {"divide", 0x00F7},
    {"deg", 0x00B0},
    {"plusmn", 0x00B1},
    {"laquo", 0x00AB},
    {"raquo", 0x00BB},
    {"yen", 0x00A5},
    {"sect", 0x00A7},
    {"para", 0x00B6},
    {"permil", 0x2030},
    {"lsaquo", 0x2039},
    {"rsaquo", 0x203A},
    {"sbquo", 0x201A},
    {"bdquo", 0x201E},
    {"prime", 0x2032},
    {"zwsp", 0x200B},
    {"shy", 0x00AD},
    {"le", 0x2264},
    {"ge", 0x2265},
    {"larr", 0x2190},
    {"rarr", 0x2192},
    {"uarr", 0x2191},
    {"darr", 0x2193},
    {"sup2", 0x00B2},
    {"frac12", 0x00BD}};

// The code point of the reference starting at text[pos] == '&' and its
// length through ';'. nullopt when none is there.
std::optional<std::pair<char32_t, size_t>> ReferenceAt(std::string_view text,
                                                       size_t pos) {
  constexpr size_t kMaxReference = 32;
  // Looked for only as far as a reference can run, so that text full of
  // '&' costs linear time.
  const size_t found = text.substr(pos, kMaxReference + 1).find(';');
  if (found == std::string_view::npos || found == 1) return std::nullopt;
  const size_t semicolon = pos + found;
  const std::string_view body = text.substr(pos + 1, semicolon - pos - 1);
  const size_t length = semicolon - pos + 1;
  if (body[0] != '#') {
    for (const auto& [name, c] : kNamed) {
      if (body == name) return std::make_pair(c, length);
    }
    return std::nullopt;
  }
  const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
  const std::string_view digits = body.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 7) return std::nullopt;
  uint32_t value = 0;
  for (char d : digits) {
    int v = -1;
    if (d >= '0' && d <= '9') v = d - '0';
    if (hex && d >= 'a' && d <= 'f') v = d - 'a' + 10;
    if (hex && d >= 'A' && d <= 'F') v = d - 'A' + 10;
    if (v < 0) return std::nullopt;
    value = value * (hex ? 16 : 10) + static_cast<uint32_t>(v);
  }
  // What cannot stand in text (NUL, controls, surrogates, beyond Unicode)
  // becomes a space rather than a character the decoder would refuse.
  const bool control = (value < 0x20 && value != '\n' && value != '\t') ||
                       (value >= 0x7F && value < 0xA0);
  if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) || control) {
    value = U' ';
  }
  return std::make_pair(static_cast<char32_t>(value), length);
}

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == ':' || c == '_' || c == '.';
}

struct Tag {
  std::string name;  // lower case
  bool closing = false;
  size_t end = 0;  // just past '>'
};

// The tag starting at text[pos] == '<', or nullopt when what follows is no
// tag (a '<' in text). Quoted attribute values may hold '>'.
std::optional<Tag> TagAt(std::string_view text, size_t pos) {
  constexpr size_t kMaxTag = 2000;
  size_t i = pos + 1;
  Tag tag;
  if (i < text.size() && text[i] == '/') {
    tag.closing = true;
    ++i;
  }
  if (i >= text.size() ||
      !absl::ascii_isalpha(static_cast<unsigned char>(text[i]))) {
    return std::nullopt;
  }
  const size_t name_start = i;
  while (i < text.size() && IsNameChar(text[i])) ++i;
  tag.name =
      absl::AsciiStrToLower(ToAbsl(text.substr(name_start, i - name_start)));
  if (i < text.size() && text[i] != '>' && text[i] != '/' &&
      !absl::ascii_isspace(static_cast<unsigned char>(text[i]))) {
    return std::nullopt;
  }
  char quote = 0;
  for (; i < text.size() && i - pos < kMaxTag; ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '<') {
      return std::nullopt;
    } else if (c == '>') {
      tag.end = i + 1;
      return tag;
    }
  }
  return std::nullopt;
}

// Where the construct opened by `open` at `pos` ends (past `close`), or the
// end of the text when it is never closed.
size_t SkipPast(std::string_view text, size_t pos, std::string_view open,
                std::string_view close) {
  const size_t at = text.find(close, pos + open.size());
  return at == std::string_view::npos ? text.size() : at + close.size();
}

bool IsAsciiWord(char32_t c) {
  return c < 0x80 && absl::ascii_isalnum(static_cast<unsigned char>(c));
}

class Converter {
 public:
  // `nested` is true inside a CDATA section, whose own CDATA sections are
  // text: however many a hostile input stacks, one level is read.
  Converter(std::string_view text, bool nested) : text_(text), nested_(nested) {
    const std::string lower = absl::AsciiStrToLower(ToAbsl(text));
    skip_head_ = lower.find("<body") != std::string::npos;
    // A page's <title> repeats its headline (with the site's name).
    skip_title_ = skip_head_ || lower.find("<h1") != std::string::npos;
  }

  std::string Run() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == '<') {
        i = Markup(i);
      } else if (c == '&') {
        if (auto ref = ReferenceAt(text_, i)) {
          Emit(ref->first);
          i += ref->second;
        } else {
          Emit(U'&');
          ++i;
        }
      } else if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < text_.size() && text_[i + 1] == '\n') ++i;
        ++i;
        SourceBreak();
      } else {
        const size_t start = i;
        while (i < text_.size() && text_[i] != '<' && text_[i] != '&' &&
               text_[i] != '\r' && text_[i] != '\n') {
          ++i;
        }
        EmitRaw(text_.substr(start, i - start));
      }
    }
    return std::move(out_);
  }

 private:
  // Handles what starts at text_[pos] == '<'; returns where text resumes.
  size_t Markup(size_t pos) {
    const std::string_view rest = text_.substr(pos);
    if (rest.substr(0, 4) == "<!--") return SkipPast(text_, pos, "<!--", "-->");
    if (rest.substr(0, 9) == "<![CDATA[") {
      const size_t close = text_.find("]]>", pos + 9);
      const size_t inner_end =
          close == std::string_view::npos ? text_.size() : close;
      const std::string_view inner = text_.substr(pos + 9, inner_end - pos - 9);
      Break();
      EmitRaw(!nested_ && LooksLikeMarkup(inner)
                  ? Converter(inner, /*nested=*/true).Run()
                  : std::string(inner));
      Break();
      return close == std::string_view::npos ? text_.size() : close + 3;
    }
    if (rest.substr(0, 2) == "<?") return SkipPast(text_, pos, "<?", "?>");
    if (rest.substr(0, 2) == "<!") return SkipPast(text_, pos, "<!", ">");
    std::optional<Tag> tag = TagAt(text_, pos);
    if (!tag) {
      EmitRaw("<");
      return pos + 1;
    }
    const bool dropped = In(kDropped, tag->name) ||
                         (skip_head_ && tag->name == "head") ||
                         (skip_title_ && tag->name == "title");
    if (dropped && !tag->closing) {
      const std::string close = "</" + tag->name;
      size_t at = tag->end;
      while (true) {
        at = never_closed_.contains(tag->name) ? std::string_view::npos
                                               : FindCaseless(close, at);
        // Never closed (HTML's void <source> and <link>): only the tag goes,
        // and the next such tag need not look again.
        if (at == std::string_view::npos) {
          never_closed_.insert(tag->name);
          return tag->end;
        }
        if (std::optional<Tag> end = TagAt(text_, at)) return end->end;
        at += close.size();
      }
    }
    if (In(kInline, tag->name)) return tag->end;
    if (In(kParagraph, tag->name)) {
      paragraph_depth_ = tag->closing ? std::max(0, paragraph_depth_ - 1)
                                      : paragraph_depth_ + 1;
    }
    Break();
    return tag->end;
  }

  size_t FindCaseless(std::string_view needle, size_t from) const {
    for (size_t i = from; i + needle.size() <= text_.size(); ++i) {
      bool equal = true;
      for (size_t k = 0; k < needle.size() && equal; ++k) {
        equal = absl::ascii_tolower(static_cast<unsigned char>(text_[i + k])) ==
                needle[k];
      }
      if (equal) return i;
    }
    return std::string_view::npos;
  }

  // A line break in the source: a break outside paragraphs, layout inside.
  void SourceBreak() {
    if (paragraph_depth_ == 0) {
      Break();
    } else {
      pending_join_ = true;
    }
  }

  void Break() {
    pending_join_ = false;
    out_.push_back('\n');
    last_ = U'\n';
  }

  void Emit(char32_t c) {
    if (pending_join_) {
      // Indentation after a joined line break is layout too.
      if (c == U' ' || c == U'\t') return;
      pending_join_ = false;
      if (IsAsciiWord(last_) && IsAsciiWord(c)) out_.push_back(' ');
    }
    AppendUtf8(c, &out_);
    last_ = c;
  }

  void EmitRaw(std::string_view utf8) {
    for (char32_t c : ToU32(utf8)) Emit(c);
  }

  std::string_view text_;
  const bool nested_;
  // Dropped elements with no closing tag after the last one looked up.
  absl::flat_hash_set<std::string> never_closed_;
  bool skip_head_ = false;
  bool skip_title_ = false;
  std::string out_;
  int paragraph_depth_ = 0;
  bool pending_join_ = false;
  char32_t last_ = U'\n';
};

}  // namespace

bool LooksLikeMarkup(std::string_view text) {
  absl::flat_hash_set<std::string> looked_up;
  // Two memchr-backed cursors: find_first_of would search its set anew for
  // every byte of the text.
  size_t next_tag = text.find('<');
  size_t next_reference = text.find('&');
  while (next_tag != std::string_view::npos ||
         next_reference != std::string_view::npos) {
    const size_t pos = std::min(next_tag, next_reference);
    if (pos == next_tag) {
      next_tag = text.find('<', pos + 1);
    } else {
      next_reference = text.find('&', pos + 1);
    }
    if (text[pos] == '&') {
      if (ReferenceAt(text, pos)) return true;
      continue;
    }
    const std::string_view rest = text.substr(pos);
    if (rest.substr(0, 5) == "<?xml" || rest.substr(0, 4) == "<!--" ||
        rest.substr(0, 9) == "<![CDATA[" ||
        absl::AsciiStrToLower(ToAbsl(rest.substr(0, 9))) == "<!doctype") {
      return true;
    }
    std::optional<Tag> tag = TagAt(text, pos);
    if (!tag) continue;
    if (IsKnownHtml(tag->name)) return true;
    // Each name is looked for closed once: text full of '<x' stays linear.
    if (!tag->closing && looked_up.insert(tag->name).second &&
        text.find("</" + tag->name + ">", tag->end) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

std::string MarkupToText(std::string_view text) {
  std::string out = Converter(text, /*nested=*/false).Run();
  // Markup escaped inside markup (an XML field holding &lt;p&gt;…, a CMS
  // that escaped its &nbsp; twice as &amp;nbsp;) is read once more.
  if ((out.find('<') != std::string::npos ||
       out.find('&') != std::string::npos) &&
      LooksLikeMarkup(out)) {
    out = Converter(out, /*nested=*/true).Run();
  }
  return out;
}

}  // namespace bulletin::parser
