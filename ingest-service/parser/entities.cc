#include "ingest-service/parser/entities.h"

#include <algorithm>
#include <utility>

#include "ingest-service/parser/fold.h"
#include "ingest-service/parser/series.h"
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
    U"日",   U"月",   U"近日", U"日前", U"连日来", U"近期",
    U"上午", U"下午", U"晚",   U"近来", U"年来",   U"以来"};

size_t SkipTimeClause(std::u32string_view folded) {
  const size_t comma = folded.find(U',');
  if (comma == std::u32string_view::npos || comma > kMaxTimeClause) return 0;
  const std::u32string_view clause = folded.substr(0, comma);
  for (std::u32string_view word : kTimeWords) {
    if (clause.find(word) != std::u32string_view::npos) return comma + 1;
  }
  return 0;
}

// Symbols and numbering that papers put before an item: ■, ●, 一、, (一),
// 1., 1、. The organization comes after them.
size_t SkipListMarker(std::u32string_view folded) {
  constexpr std::u32string_view kBullets = U"■□●○◆◇▲△★☆▶►•·*-";
  size_t i = 0;
  while (i < folded.size() &&
         (kBullets.find(folded[i]) != std::u32string_view::npos ||
          folded[i] == U' ')) {
    ++i;
  }
  if (i > 0) return i;
  // (一) / (1)
  if (!folded.empty() && folded[0] == U'(') {
    const size_t close = folded.find(U')');
    if (close != std::u32string_view::npos && close <= 4 &&
        ParseNumeral(folded.substr(1, close - 1)) > 0) {
      return close + 1;
    }
    return 0;
  }
  // 一、 / 1. / 1、 / 12)
  size_t n = 0;
  while (n < folded.size() && n < 3 &&
         (IsDigit(folded[n]) || ParseNumeral(folded.substr(n, 1)) > 0 ||
          folded[n] == U'十')) {
    ++n;
  }
  if (n > 0 && n < folded.size() && ParseNumeral(folded.substr(0, n)) > 0 &&
      (folded[n] == U'、' || folded[n] == U'.' || folded[n] == U')')) {
    return n + 1;
  }
  return 0;
}

// Cuts what stands between the organization and its verb off the end of
// `prefix`: adverbs (近日, 分别), a date (11月18日), and anything from 在 or
// 于 on ("区政协在区行政中心召开"). Returns the organization's length.
size_t OrganizationLength(std::u32string_view prefix, const Lexicon& lex) {
  size_t end = prefix.size();
  for (size_t i = 2; i < end; ++i) {
    if (prefix[i] == U'在' || prefix[i] == U'于') {
      end = i;
      break;
    }
  }
  bool cut = true;
  while (cut && end > 0) {
    cut = false;
    if (const size_t n = lex.between_words.LongestEndingAt(prefix, end);
        n > 0 && n < end) {
      end -= n;
      cut = true;
    }
    // A date: digits followed by 日 or 号, and 月 before them.
    if (end >= 2 && (prefix[end - 1] == U'日' || prefix[end - 1] == U'号') &&
        IsDigit(prefix[end - 2])) {
      size_t start = end - 1;
      while (start > 0 &&
             (IsDigit(prefix[start - 1]) || prefix[start - 1] == U'月' ||
              prefix[start - 1] == U'年')) {
        --start;
      }
      if (start > 0) {
        end = start;
        cut = true;
      }
    }
    while (end > 0 && prefix[end - 1] == U' ') {
      --end;
      cut = true;
    }
  }
  return end;
}

// A region label that opens an item: 【大渡口】, [江津区], 大渡口区:. Returns
// its length (0 when there is none) and sets *region.
size_t RegionLabel(std::u32string_view folded, const Gazetteer& gaz,
                   const Region** region) {
  constexpr size_t kMaxLabel = 12;
  size_t inner_start = 0;
  size_t inner_end = std::u32string_view::npos;
  size_t length = 0;
  if (!folded.empty() && (folded[0] == U'【' || folded[0] == U'[')) {
    const char32_t close = folded[0] == U'【' ? U'】' : U']';
    inner_start = 1;
    inner_end = folded.find(close);
    if (inner_end == std::u32string_view::npos) return 0;
    length = inner_end + 1;
  } else {
    inner_end = folded.find(U':');
    if (inner_end == std::u32string_view::npos) return 0;
    length = inner_end + 1;
  }
  if (inner_end - inner_start > kMaxLabel) return 0;
  *region = gaz.ResolveLabel(
      TrimSpaces(folded.substr(inner_start, inner_end - inner_start)), "");
  if (*region == nullptr) return 0;
  while (length < folded.size() && folded[length] == U' ') ++length;
  return length;
}

// Puts the label's region in front of an organization that names none:
// 【大渡口】区政协党组 -> 大渡口区政协党组.
std::u32string WithRegion(const Region& region, std::u32string organization,
                          const Gazetteer& gaz) {
  if (gaz.FindMostSpecific(FoldToSimplified(organization), "").has_value()) {
    return organization;
  }
  const std::u32string name = ToU32(region.name);
  if (!organization.empty() && organization.front() == name.back()) {
    organization.erase(0, 1);
  }
  return name + organization;
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
// not speak of many bodies at once (我市, 各地, or 贵州省各区县: a region
// and then many bodies in it), and contains an organization keyword or a
// region.
bool NamesBody(std::u32string_view folded_prefix, const Lexicon& lex,
               const Gazetteer& gaz) {
  if (folded_prefix.empty() || folded_prefix.size() > kMaxOrganization) {
    return false;
  }
  for (char32_t c : folded_prefix) {
    if (!IsHan(c) && c != U'(' && c != U')' && !IsDigit(c)) return false;
  }
  if (lex.collective_subjects.LongestAt(folded_prefix, 0) > 0) return false;
  for (size_t i = 2; i < folded_prefix.size(); ++i) {
    if (lex.collective_subjects.LongestAt(folded_prefix, i) > 0 &&
        gaz.LongestNameEndingAt(folded_prefix, i) == i) {
      return false;
    }
  }
  for (size_t i = 0; i < folded_prefix.size(); ++i) {
    if (lex.not_in_names.LongestAt(folded_prefix, i) > 0) return false;
  }
  if (KindOf(folded_prefix, lex) != v1::Organization::OTHER) return true;
  // A management area not in the statistical codes (两江新区).
  const size_t zone =
      lex.zone_types.LongestEndingAt(folded_prefix, folded_prefix.size());
  if (zone > 0 && zone + 2 <= folded_prefix.size()) return true;
  return gaz.FindMostSpecific(folded_prefix, "").has_value();
}

// The body of an official who opens the paragraph. In a profile (no event
// verb follows the name), the CPPCC or people's congress they are a member
// of (委员, 常委, 代表: data/membership_titles.txt), the body the paragraph
// introduces them by (江北区政协常委、区工商联副主席、某某集团董事长周建华
// 积极… -> 江北区政协). Otherwise the organ of their last title that is a
// known body, the capacity they act in (合川区委常委、区政协党组书记叶华主持
// 召开 -> 区政协党组; 卡若区委常委、统战部部长格桑曲珍带领 -> 统战部), else of
// their last title that has one. The region written at the start of the
// chain is put in front when the organ lacks it (合川区政协党组), and the
// first title's organ when the body is named without its level
// (卡若区委统战部).
std::u32string BodyOfOfficial(const Official& official, bool acts,
                              const Lexicon& lex) {
  auto kind_of_organ = [&](const Title& title) {
    std::u32string folded = title.organ;
    for (char32_t& c : folded) c = FoldChar(c);
    return KindOf(folded, lex);
  };
  const Title* body = nullptr;
  if (!acts) {
    for (const Title& title : official.titles) {
      const v1::Organization::Kind kind = kind_of_organ(title);
      const size_t word = title.written.size() - title.organ.size();
      if ((kind == v1::Organization::CPPCC ||
           kind == v1::Organization::PEOPLES_CONGRESS) &&
          lex.membership_titles.Contains(
              FoldToSimplified(std::u32string_view(title.written)
                                   .substr(title.written.size() - word)))) {
        body = &title;
        break;
      }
    }
  }
  for (auto it = official.titles.rbegin();
       body == nullptr && it != official.titles.rend(); ++it) {
    if (!it->organ.empty() && kind_of_organ(*it) != v1::Organization::OTHER) {
      body = &*it;
    }
  }
  for (auto it = official.titles.rbegin();
       body == nullptr && it != official.titles.rend(); ++it) {
    if (!it->organ.empty()) body = &*it;
  }
  if (body == nullptr) return U"";
  const std::u32string& organ = body->organ;
  const Title& first = official.titles.front();
  if (first.region_prefix == 0 || body->unit ||
      first.written.substr(0, first.region_prefix) ==
          organ.substr(0, first.region_prefix)) {
    return organ;
  }
  const std::u32string region = first.written.substr(0, first.region_prefix);
  // An organ named without its level (统战部) belongs to the first title's
  // organ (区委).
  if (!organ.empty() && !IsDivisionSuffix(FoldChar(organ.front())) &&
      &first != body && !first.organ.empty()) {
    return first.organ + organ;
  }
  return region + organ;
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

namespace {

// Reads who acted in the clause starting at `start`: an official who opens
// it and acts (主持召开, 带领) speaks for the organ of their title; one who
// only attends (出席), or heads a list of officials
// (区委书记李明,区长张强出席), makes no organization of the paragraph.
// Otherwise the organization stands before a verb; with `events_only`, only
// before one that names an event (召开), as a clause after an opening phrase
// needs. Returns true when the clause settles the question, with or without an
// organization.
bool ReadActor(std::u32string_view text, std::u32string_view folded,
               size_t start, bool events_only, const Lexicon& lex,
               const Gazetteer& gaz, ItemEntities* item) {
  for (const Official& opener : item->officials) {
    if (opener.start != start) continue;
    const size_t after = opener.end;
    const EventVerb* verb = nullptr;
    for (const EventVerb& v : lex.event_verbs) {
      if (folded.substr(after, v.verb.size()) == v.verb &&
          (verb == nullptr || v.verb.size() > verb->verb.size())) {
        verb = &v;
      }
    }
    // A comma or 、 after the name lists more officials; a colon quotes
    // this one, who speaks for their body.
    const bool listed = after >= folded.size() ||
                        (IsClauseBreak(folded[after]) && folded[after] != U':');
    if (listed || (verb != nullptr && verb->kind == EventVerb::Kind::kAttend)) {
      return true;
    }
    item->organization = BodyOfOfficial(opener, verb != nullptr, lex);
    if (verb != nullptr && verb->kind == EventVerb::Kind::kEvent) {
      item->event = EventAfter(text, after + verb->verb.size());
    }
    return true;
  }
  const std::u32string_view rest = folded.substr(start);
  for (const EventVerb& verb : lex.event_verbs) {
    if (verb.kind == EventVerb::Kind::kAttend ||
        (events_only && verb.kind != EventVerb::Kind::kEvent)) {
      continue;
    }
    const size_t at = rest.find(verb.verb);
    if (at == std::u32string_view::npos) continue;
    const size_t length = OrganizationLength(rest.substr(0, at), lex);
    if (!NamesBody(TrimSpaces(rest.substr(0, length)), lex, gaz)) continue;
    item->organization = std::u32string(TrimSpaces(text.substr(start, length)));
    if (verb.kind == EventVerb::Kind::kEvent) {
      item->event = EventAfter(text, start + at + verb.verb.size());
    }
    return true;
  }
  return false;
}

}  // namespace

ItemEntities ReadItem(std::u32string_view text, std::u32string_view folded,
                      const Lexicon& lex, const Gazetteer& gaz) {
  // Clauses after an opening phrase that are still tried for the actor
  // ("为深入学习贯彻全会精神,大渡口区政协党组召开…"), and how long that
  // phrase may be.
  constexpr int kLaterClauses = 2;
  constexpr size_t kMaxOpeningPhrase = 30;

  ItemEntities item;
  item.officials = FindOfficials(text, folded, lex, gaz);
  size_t start = SkipListMarker(folded);
  const Region* label = nullptr;
  start += RegionLabel(folded.substr(start), gaz, &label);
  start += SkipTimeClause(folded.substr(start));

  bool settled = ReadActor(text, folded, start, false, lex, gaz, &item);
  const size_t sentence_end = std::min(folded.find(U'。'), folded.size());
  size_t clause = start;
  for (int tries = 0; !settled && tries < kLaterClauses; ++tries) {
    const size_t comma = folded.find(U',', clause);
    if (comma == std::u32string_view::npos || comma > sentence_end ||
        comma - clause > kMaxOpeningPhrase) {
      break;
    }
    clause = comma + 1;
    settled = ReadActor(text, folded, clause, true, lex, gaz, &item);
  }
  if (label != nullptr && !item.organization.empty()) {
    item.organization = WithRegion(*label, std::move(item.organization), gaz);
  }
  item.organization_folded = std::u32string(item.organization);
  for (char32_t& c : item.organization_folded) c = FoldChar(c);
  return item;
}

}  // namespace bulletin::parser
