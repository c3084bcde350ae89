#include "ingest-service/parser/byline.h"

#include <algorithm>
#include <utility>

#include "ingest-service/parser/fold.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

bool IsSeparator(char32_t c) {
  return c == U' ' || c == U'、' || c == U',' || c == U';' || c == U'/' ||
         c == U'|';
}

bool AllHan(std::u32string_view s) {
  for (char32_t c : s) {
    if (!IsHan(c)) return false;
  }
  return !s.empty();
}

// A word of the byline: `text` as written, `folded` in Simplified.
struct Token {
  std::u32string_view text;
  std::u32string_view folded;
  std::u32string role;
};

// True when every character is one minority names without a Han surname
// are written with (才让卓玛, 孟和巴雅尔): such a word is one name, up to
// kMaxMinorityName characters.
constexpr size_t kMaxMinorityName = 6;
bool IsTransliterated(std::u32string_view folded, const Lexicon& lex) {
  for (size_t i = 0; i < folded.size(); ++i) {
    if (!lex.transliteration_chars.Contains(folded.substr(i, 1))) return false;
  }
  return !folded.empty();
}

// Splits a four-character run written without padding into two names when
// both halves start with a surname and the first two characters are not a
// compound surname (欧阳, 司马): 吕静吴林 -> 吕静, 吴林.
bool SplitDoubleName(std::u32string_view folded, const Lexicon& lex) {
  return folded.size() == 4 && !IsTransliterated(folded, lex) &&
         !lex.surnames.Contains(folded.substr(0, 2)) &&
         lex.surnames.Contains(folded.substr(0, 1)) &&
         lex.surnames.Contains(folded.substr(2, 1));
}

}  // namespace

std::optional<Byline> ParseBylineContent(std::u32string_view content,
                                         std::u32string_view folded,
                                         const Lexicon& lex) {
  std::vector<Token> tokens;
  std::u32string role;
  bool any_role = false;
  size_t i = 0;
  while (i < content.size()) {
    while (i < content.size() && IsSeparator(content[i])) ++i;
    size_t end = i;
    while (end < content.size() && !IsSeparator(content[end])) ++end;
    if (end == i) break;
    std::u32string_view word = content.substr(i, end - i);
    std::u32string_view folded_word = folded.substr(i, end - i);
    i = end;
    // A role may name the paper it works for (重庆日报记者, 华龙网通讯员):
    // the whole word is the role.
    constexpr size_t kMaxRole = 10;
    if (folded_word.size() <= kMaxRole && folded_word.size() > 1 &&
        AllHan(folded_word) &&
        lex.byline_roles.LongestEndingAt(folded_word, folded_word.size()) > 0 &&
        lex.byline_roles.LongestAt(folded_word, 0) < folded_word.size()) {
      role = std::u32string(word);
      any_role = true;
      continue;
    }
    // A role may be glued to the name after it (记者张三).
    if (const size_t r = lex.byline_roles.LongestAt(folded_word, 0); r > 0) {
      role = std::u32string(word.substr(0, r));
      any_role = true;
      word.remove_prefix(r);
      folded_word.remove_prefix(r);
      if (word.empty()) continue;
    }
    // A trailing 报道 or 摄 may be glued to the last name (张三报道).
    std::u32string_view trailer;
    if (const size_t t = lex.byline_trailers.LongestEndingAt(
            folded_word, folded_word.size());
        t > 0 && t + 2 <= word.size()) {
      trailer = word.substr(word.size() - t);
      word.remove_suffix(t);
      folded_word.remove_suffix(t);
    }
    tokens.push_back(Token{word, folded_word, role});
    if (!trailer.empty()) {
      tokens.push_back(Token{
          trailer, folded.substr(end - trailer.size(), trailer.size()), role});
    }
  }

  Byline byline;
  auto add = [&](std::u32string_view name, const std::u32string& role_of) {
    v1::Reporter reporter;
    reporter.set_name(ToUtf8(name));
    reporter.set_role(ToUtf8(role_of));
    byline.reporters.push_back(std::move(reporter));
  };
  bool all_names_known = true;
  for (size_t t = 0; t < tokens.size(); ++t) {
    const Token& token = tokens[t];
    // A transliterated name (阿依努尔·吐尔逊) is a name beyond doubt.
    if (IsDottedName(token.text)) {
      add(token.text, token.role);
      continue;
    }
    const bool long_minority_name = token.text.size() <= kMaxMinorityName &&
                                    IsTransliterated(token.folded, lex);
    if (!AllHan(token.text) || (token.text.size() > 4 && !long_minority_name) ||
        lex.byline_trailers.Contains(token.folded)) {
      byline.unplaced.emplace_back(token.text);
      all_names_known = false;
      continue;
    }
    if (token.text.size() == 1) {
      // Padded two-character name: pair with the next single character of
      // the same role.
      if (t + 1 < tokens.size() && tokens[t + 1].text.size() == 1 &&
          tokens[t + 1].role == token.role && AllHan(tokens[t + 1].text)) {
        add(std::u32string(token.text) + std::u32string(tokens[t + 1].text),
            token.role);
        all_names_known &= lex.surnames.Contains(token.folded);
        ++t;
      } else if (t + 1 < tokens.size() && tokens[t + 1].text.size() == 2 &&
                 tokens[t + 1].role == token.role &&
                 AllHan(tokens[t + 1].text) &&
                 lex.surnames.Contains(token.folded)) {
        // A surname set apart from a two-character given name (杨 铌紫).
        add(std::u32string(token.text) + std::u32string(tokens[t + 1].text),
            token.role);
        ++t;
      } else {
        byline.unplaced.emplace_back(token.text);
        all_names_known = false;
      }
      continue;
    }
    if (token.text.size() == 2 && lex.surnames.Contains(token.folded) &&
        t + 1 < tokens.size() && tokens[t + 1].text.size() == 1 &&
        tokens[t + 1].role == token.role && AllHan(tokens[t + 1].text)) {
      // A compound surname padded like a single one (欧阳 娜).
      add(std::u32string(token.text) + std::u32string(tokens[t + 1].text),
          token.role);
      ++t;
      continue;
    }
    if (SplitDoubleName(token.folded, lex)) {
      add(token.text.substr(0, 2), token.role);
      add(token.text.substr(2), token.role);
      continue;
    }
    all_names_known &= lex.surnames.LongestAt(token.folded, 0) > 0 ||
                       IsTransliterated(token.folded, lex);
    add(token.text, token.role);
  }
  if (byline.reporters.empty()) return std::nullopt;
  if (!any_role && !all_names_known) return std::nullopt;
  return byline;
}

std::optional<Byline> ParseBylineLine(std::u32string_view line,
                                      std::u32string_view folded,
                                      const Lexicon& lex) {
  if (line.size() >= 2 && line.front() == U'(' && line.back() == U')') {
    const std::u32string_view inner = line.substr(1, line.size() - 2);
    if (inner.find_first_of(U"()") != std::u32string_view::npos) {
      return std::nullopt;
    }
    return ParseBylineContent(inner, folded.substr(1, inner.size()), lex);
  }
  if (lex.byline_roles.LongestAt(folded, 0) > 0 && line.size() <= 60 &&
      line.find(U'。') == std::u32string_view::npos) {
    // Unbracketed, the line must be nothing but roles and names, and at
    // most a trailing 报道: "记者从区政协获悉" starts with a role but is a
    // sentence.
    std::optional<Byline> byline = ParseBylineContent(line, folded, lex);
    if (byline && std::all_of(byline->unplaced.begin(), byline->unplaced.end(),
                              [&](const std::u32string& word) {
                                return lex.byline_trailers.Contains(
                                    FoldToSimplified(word));
                              })) {
      return byline;
    }
  }
  return std::nullopt;
}

}  // namespace bulletin::parser
