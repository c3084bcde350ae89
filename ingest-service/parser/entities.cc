#include "ingest-service/parser/entities.h"

#include "ingest-service/parser/fold.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Longest organization name the parser accepts; longer prefixes are
// sentences, not names.
constexpr size_t kMaxOrganization = 40;
// Longest opening time clause skipped before the organization ("日前,").
constexpr size_t kMaxTimeClause = 12;

// Words that make a short opening clause a time adverbial: "日前,",
// "11月18日,", "连日来,". The body that acted comes after it.
constexpr std::u32string_view kTimeWords[] = {
    U"日",   U"月",   U"近日", U"日前", U"连日来",
    U"近期", U"上午", U"下午", U"晚",   U"近来"};

size_t SkipTimeClause(std::u32string_view folded) {
  const size_t comma = folded.find(U',');
  if (comma == std::u32string_view::npos || comma > kMaxTimeClause) return 0;
  const std::u32string_view clause = folded.substr(0, comma);
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

// A prefix names a body when it is short, has no clause punctuation, does
// not speak of many bodies at once (我市, 各地), and contains an
// organization keyword or a region.
bool NamesBody(std::u32string_view folded_prefix, const Lexicon& lex,
               const Gazetteer& gaz) {
  if (folded_prefix.empty() || folded_prefix.size() > kMaxOrganization) {
    return false;
  }
  for (char32_t c : folded_prefix) {
    if (!IsHan(c) && c != U'(' && c != U')' && !IsDigit(c)) return false;
  }
  if (lex.collective_subjects.LongestAt(folded_prefix, 0) > 0) return false;
  if (KindOf(folded_prefix, lex) != v1::Organization::OTHER) return true;
  return gaz.FindMostSpecific(folded_prefix, "").has_value();
}

// The body of an official who opens the paragraph: the organ of their last
// title that has one, with the region written at the start of the chain put
// in front when the organ lacks it (合川区委常委、区政协党组书记 ->
// 合川区政协党组).
std::u32string BodyOfOfficial(const Official& official) {
  std::u32string organ;
  for (auto it = official.titles.rbegin(); it != official.titles.rend(); ++it) {
    if (!it->organ.empty()) {
      organ = it->organ;
      break;
    }
  }
  if (organ.empty()) return organ;
  const Title& first = official.titles.front();
  if (first.region_prefix == 0 ||
      first.written.substr(0, first.region_prefix) ==
          organ.substr(0, first.region_prefix)) {
    return organ;
  }
  return first.written.substr(0, first.region_prefix) + organ;
}

}  // namespace

v1::Organization::Kind KindOf(std::u32string_view folded_organization,
                              const Lexicon& lex) {
  for (const auto& [keyword, kind] : lex.kinds) {
    if (folded_organization.find(keyword) != std::u32string_view::npos) {
      return kind;
    }
  }
  return v1::Organization::OTHER;
}

ItemEntities ReadItem(std::u32string_view text, std::u32string_view folded,
                      const Lexicon& lex, const Gazetteer& gaz) {
  ItemEntities item;
  item.officials = FindOfficials(text, folded, lex, gaz);
  const size_t start = SkipTimeClause(folded);

  // An official who opens the paragraph and convenes something (主持召开,
  // 召开) speaks for the organ of their title; one who merely attends does
  // not make an organization of the paragraph.
  const EventVerb* convened = nullptr;
  if (!item.officials.empty() && item.officials.front().start == start) {
    const size_t after = item.officials.front().end;
    for (const EventVerb& verb : lex.event_verbs) {
      if (verb.names_event &&
          folded.substr(after, verb.verb.size()) == verb.verb) {
        convened = &verb;
        break;
      }
    }
  }
  if (convened != nullptr) {
    const Official& opener = item.officials.front();
    item.organization = BodyOfOfficial(opener);
    item.event = EventAfter(text, opener.end + convened->verb.size());
  } else {
    const std::u32string_view rest = folded.substr(start);
    for (const EventVerb& verb : lex.event_verbs) {
      const size_t at = rest.find(verb.verb);
      if (at == std::u32string_view::npos) continue;
      if (!NamesBody(TrimSpaces(rest.substr(0, at)), lex, gaz)) continue;
      item.organization = std::u32string(TrimSpaces(text.substr(start, at)));
      if (verb.names_event) {
        item.event = EventAfter(text, start + at + verb.verb.size());
      }
      break;
    }
  }
  item.organization_folded = std::u32string(item.organization);
  for (char32_t& c : item.organization_folded) c = FoldChar(c);
  return item;
}

}  // namespace bulletin::parser
