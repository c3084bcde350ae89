#include "ingest-service/parser/normalize.h"

#include <algorithm>
#include <vector>

#include "common/text/nfkc.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

bool IsLineBreak(char32_t c) {
  return c == U'\n' || c == U'\r' || c == 0x2028 || c == 0x2029 || c == 0x0085;
}

// White_Space characters that survive NFKC, plus the invisible ones that
// editors paste by accident (zero-width space, word joiner, a BOM inside the
// text): none of them carries meaning in a bulletin.
bool IsBlank(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\v' || c == U'\f' || c == 0x00A0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F ||
         c == 0x205F || c == 0x2060 || c == 0x3000 || c == 0xFEFF;
}

// A raw line: its text with whitespace collapsed, and how it was laid out.
struct RawLine {
  std::u32string text;
  bool indented = false;     // started with whitespace
  bool after_blank = false;  // followed one or more blank lines
};

std::vector<RawLine> SplitLines(std::u32string_view text) {
  std::vector<RawLine> lines;
  RawLine line;
  bool at_start = true;
  bool pending_space = false;
  bool blank_seen = false;
  auto finish = [&] {
    if (line.text.empty()) {
      blank_seen = true;
    } else {
      line.after_blank = blank_seen;
      lines.push_back(std::move(line));
      blank_seen = false;
    }
    line = RawLine();
    at_start = true;
    pending_space = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (IsLineBreak(c)) {
      // CRLF is one break, not a break and a blank line.
      if (c == U'\r' && i + 1 < text.size() && text[i + 1] == U'\n') ++i;
      finish();
    } else if (IsBlank(c)) {
      if (at_start) line.indented = true;
      pending_space = !line.text.empty();
    } else {
      if (pending_space) line.text.push_back(U' ');
      pending_space = false;
      at_start = false;
      line.text.push_back(c);
    }
  }
  finish();
  return lines;
}

bool IsChineseNumeral(char32_t c) {
  return std::u32string_view(U"一二三四五六七八九十").find(c) !=
         std::u32string_view::npos;
}

// Puts kNameDot in place of every dot form written between two Han
// characters, spaces around it dropped: 艾尔肯 • 吐尼亚孜 -> 艾尔肯·吐尼亚孜. A
// full stop after a Chinese numeral is a list marker (一.), not a dot.
void UnifyNameDots(std::u32string* line) {
  std::u32string& s = *line;
  if (std::none_of(s.begin(), s.end(),
                   [](char32_t c) { return IsNameDotVariant(c); })) {
    return;
  }
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (IsNameDotVariant(s[i]) && !out.empty()) {
      size_t before = out.size();
      while (before > 0 && out[before - 1] == U' ') --before;
      size_t after = i + 1;
      while (after < s.size() && s[after] == U' ') ++after;
      if (before > 0 && IsHan(out[before - 1]) && after < s.size() &&
          IsHan(s[after]) &&
          !(s[i] == U'.' && IsChineseNumeral(out[before - 1]))) {
        out.resize(before);
        out.push_back(kNameDot);
        i = after - 1;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  s = std::move(out);
}

bool EndsSentence(std::u32string_view line) {
  constexpr std::u32string_view kEnds = U"。!?;:…\"”’』」)】";
  return line.empty() || kEnds.find(line.back()) != std::u32string_view::npos;
}

bool StartsBlock(std::u32string_view line) {
  constexpr std::u32string_view kStarts = U"(【[—-■●◆";
  return kStarts.find(line.front()) != std::u32string_view::npos;
}

bool IsAsciiWordChar(char32_t c) {
  return (c >= U'0' && c <= U'9') || (c >= U'A' && c <= U'Z') ||
         (c >= U'a' && c <= U'z');
}

// Text exported with hard line breaks (e-mail, PDF) wraps every paragraph at
// a fixed width. A line that runs to that width is continued by the next
// line when that starts no new paragraph: no blank line before it, no
// bracket or dash, no indentation where the text indents its paragraphs,
// and, where the text marks paragraphs neither by indentation nor by blank
// lines, no sentence end on the line before it, which must then hold a
// clause break (Chinese prose has a comma every dozen characters). Nothing
// above the first line with a clause break is joined: titles have none.
// Joining is only done when the text shows the pattern at least twice, and
// never when too few lines run to a common width.
std::vector<std::u32string> JoinWrappedLines(std::vector<RawLine> lines) {
  constexpr size_t kMaxWrapWidth = 80;
  constexpr size_t kMinWrapWidth = 20;
  constexpr size_t kWrapSlack = 4;
  constexpr int kMinJoins = 2;
  constexpr int kMinWrappedLines = 3;
  // The wrap width is the length most lines run up to: the width W that
  // the most lines reach within kWrapSlack of without passing it.
  size_t width = 0;
  int best = 0;
  int indented = 0;
  std::vector<int> with_length(kMaxWrapWidth + 1, 0);
  for (const RawLine& l : lines) {
    indented += l.indented ? 1 : 0;
    if (l.text.size() <= kMaxWrapWidth) ++with_length[l.text.size()];
  }
  for (size_t w = kMinWrapWidth; w <= kMaxWrapWidth; ++w) {
    int reaching = 0;
    for (size_t n = w - kWrapSlack; n <= w; ++n) reaching += with_length[n];
    if (reaching >= best && with_length[w] > 0) {
      best = reaching;
      width = w;
    }
  }
  int blank_separated = 0;
  for (const RawLine& l : lines) blank_separated += l.after_blank ? 1 : 0;
  const bool indents_paragraphs = indented >= 2;
  const bool blank_lines_separate = blank_separated >= 2;
  std::vector<bool> continues(lines.size(), false);
  int joins = 0;
  size_t first_prose = lines.size();
  for (size_t i = 0; i < lines.size() && first_prose == lines.size(); ++i) {
    const std::u32string& t = lines[i].text;
    if (std::any_of(t.begin(), t.end(), IsClauseBreak)) first_prose = i;
  }
  if (best >= kMinWrappedLines) {
    for (size_t i = first_prose; i + 1 < lines.size(); ++i) {
      const RawLine& next = lines[i + 1];
      const std::u32string& text = lines[i].text;
      const bool marked_paragraphs = indents_paragraphs || blank_lines_separate;
      continues[i + 1] =
          text.size() + kWrapSlack >= width && text.size() <= width &&
          !next.after_blank && !StartsBlock(next.text) &&
          !(indents_paragraphs && next.indented) &&
          (marked_paragraphs ||
           (!EndsSentence(text) &&
            std::any_of(text.begin(), text.end(), IsClauseBreak)));
      joins += continues[i + 1] ? 1 : 0;
    }
  }
  std::vector<std::u32string> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (joins >= kMinJoins && continues[i] && !out.empty()) {
      std::u32string& last = out.back();
      if (IsAsciiWordChar(last.back()) && IsAsciiWordChar(lines[i].text[0])) {
        last.push_back(U' ');
      }
      last += lines[i].text;
    } else {
      out.push_back(std::move(lines[i].text));
    }
  }
  return out;
}

}  // namespace

NormalizedText NormalizeText(std::string_view utf8) {
  const std::u32string text = ToU32(NormalizeNfkc(ToAbsl(utf8)));
  NormalizedText out;
  out.lines = JoinWrappedLines(SplitLines(text));
  for (std::u32string& line : out.lines) UnifyNameDots(&line);
  for (const std::u32string& line : out.lines) {
    if (!out.text.empty()) out.text.push_back('\n');
    for (char32_t c : line) AppendUtf8(c, &out.text);
  }
  return out;
}

}  // namespace bulletin::parser
