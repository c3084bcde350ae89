#include "ingest-service/parser/entities.h"

#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Longest organization name the parser accepts; longer prefixes are
// sentences, not names.
constexpr size_t kMaxOrganization = 40;

// Words that make a short opening clause a time adverbial: "日前,",
// "11月18日,", "连日来,". The body that acted comes after it.
constexpr std::u32string_view kTimeWords[] = {
    U"日",   U"月",   U"近日", U"日前", U"连日来", U"近期",
    U"上午", U"下午", U"晚",   U"近来", U"日來",   U"連日來"};

size_t SkipTimeClause(std::u32string_view text) {
  const size_t comma = text.find(U',');
  if (comma == std::u32string_view::npos || comma > 12) return 0;
  const std::u32string_view clause = text.substr(0, comma);
  for (std::u32string_view word : kTimeWords) {
    if (clause.find(word) != std::u32string_view::npos) return comma + 1;
  }
  return 0;
}

bool IsEventEnd(char32_t c) {
  return c == U',' || c == U'。' || c == U';' || c == U':' || c == U'!' ||
         c == U'?';
}

std::u32string EventAfter(std::u32string_view text, size_t pos) {
  size_t end = pos;
  while (end < text.size() && !IsEventEnd(text[end])) ++end;
  return std::u32string(TrimSpaces(text.substr(pos, end - pos)));
}

// A prefix names a body when it is short, has no clause punctuation, and
// contains an organization keyword or a region.
bool NamesBody(std::u32string_view prefix, const Lexicon& lex,
               const Gazetteer& gaz) {
  if (prefix.empty() || prefix.size() > kMaxOrganization) return false;
  for (char32_t c : prefix) {
    if (!IsHan(c) && c != U'(' && c != U')' && !IsDigit(c)) return false;
  }
  if (KindOf(prefix, lex) != v1::Organization::OTHER) return true;
  return gaz.FindMostSpecific(prefix, "").has_value();
}

// The body of an official who opens the paragraph: the organ of their last
// title that has one, with the region written at the start of the chain put
// in front when the organ lacks it (合川区委常委、区政协党组书记 ->
// 合川区政协党组).
std::u32string BodyOfOfficial(const Official& official, const Gazetteer& gaz) {
  std::u32string organ;
  for (auto it = official.titles.rbegin(); it != official.titles.rend(); ++it) {
    if (!it->organ.empty()) {
      organ = it->organ;
      break;
    }
  }
  if (organ.empty()) return organ;
  if (gaz.FindMostSpecific(organ, "").has_value()) return organ;
  const std::u32string& first = official.titles.front().written;
  const size_t bare = gaz.RegionPrefixLength(first);
  if (bare == 0) return organ;
  return first.substr(0, bare) + organ;
}

}  // namespace

v1::Organization::Kind KindOf(std::u32string_view organization,
                              const Lexicon& lex) {
  for (const auto& [keyword, kind] : lex.kinds) {
    if (organization.find(keyword) != std::u32string_view::npos) return kind;
  }
  return v1::Organization::OTHER;
}

ItemEntities ReadItem(std::u32string_view text, const Lexicon& lex,
                      const Gazetteer& gaz) {
  ItemEntities item;
  item.officials = FindOfficials(text, lex, gaz);
  const size_t start = SkipTimeClause(text);
  const std::u32string_view rest = text.substr(start);

  if (!item.officials.empty() && item.officials.front().start == start) {
    const Official& opener = item.officials.front();
    item.organization = BodyOfOfficial(opener, gaz);
    const size_t after = opener.end - start;
    for (const EventVerb& verb : lex.event_verbs) {
      if (!verb.names_event) continue;
      if (rest.substr(after, verb.verb.size()) == verb.verb) {
        item.event = EventAfter(rest, after + verb.verb.size());
        break;
      }
    }
    return item;
  }
  for (const EventVerb& verb : lex.event_verbs) {
    const size_t at = rest.find(verb.verb);
    if (at == std::u32string_view::npos) continue;
    const std::u32string_view prefix = TrimSpaces(rest.substr(0, at));
    if (!NamesBody(prefix, lex, gaz)) continue;
    item.organization = std::u32string(prefix);
    if (verb.names_event) {
      item.event = EventAfter(rest, at + verb.verb.size());
    }
    break;
  }
  return item;
}

}  // namespace bulletin::parser
