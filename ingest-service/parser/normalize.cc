#include "ingest-service/parser/normalize.h"

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

}  // namespace

NormalizedText NormalizeText(std::string_view utf8) {
  const std::u32string text = ToU32(NormalizeNfkc(ToAbsl(utf8)));
  NormalizedText out;
  std::u32string line;
  bool pending_space = false;
  auto finish_line = [&] {
    if (!line.empty()) {
      if (!out.text.empty()) out.text.push_back('\n');
      for (char32_t c : line) AppendUtf8(c, &out.text);
      out.lines.push_back(std::move(line));
    }
    line.clear();
    pending_space = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (IsLineBreak(c)) {
      // CRLF is one break; blank lines vanish in finish_line.
      finish_line();
    } else if (IsBlank(c)) {
      pending_space = !line.empty();
    } else {
      if (pending_space) line.push_back(U' ');
      pending_space = false;
      line.push_back(c);
    }
  }
  finish_line();
  return out;
}

}  // namespace bulletin::parser
