#include "ingest-service/parser/officials.h"

#include <algorithm>

#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// How strongly the text at `pos` shows that a name ended right before it:
// punctuation or the end of the text is certain; a word that follows names
// (主持, 出席; data/name_stops.txt) counts by its length, so that a
// two-character word outweighs a one-character one that may as well be
// part of the name (王为民主持: 为 could end 王为, 主持 settles 王为民),
// except the one-character words that are rarely part of a name
// (data/name_stops_strong.txt: 张强在讲话中 is 张强). 0 when nothing there
// ends a name.
// Above any word's length, below punctuation.
constexpr size_t kStrongStop = 50;

size_t EndEvidence(std::u32string_view text, size_t pos, const Lexicon& lex) {
  constexpr size_t kCertain = 100;
  if (pos >= text.size() || !IsHan(text[pos])) return kCertain;
  const size_t stop = lex.name_stops.LongestAt(text, pos);
  if (stop == 1 && lex.strong_name_stops.LongestAt(text, pos) == 1) {
    return kStrongStop;
  }
  return stop;
}

// True when a word of two or more characters that follows names starts at
// `pos`: a name cannot run over it (谢胜主持 is 谢胜).
bool LongStopAt(std::u32string_view text, size_t pos, const Lexicon& lex) {
  return lex.name_stops.LongestAt(text, pos) >= 2;
}

bool AllHan(std::u32string_view s) {
  return std::all_of(s.begin(), s.end(), IsHan);
}

// Length of the transliterated name starting at `pos` (艾尔肯·吐尼亚孜:
// Han runs joined by kNameDot), or 0. The last run ends at punctuation, at a
// word of two or more characters that follows names (主持) or at a
// one-character one that is rarely part of a name (在).
size_t DottedNameAt(std::u32string_view text, size_t pos, const Lexicon& lex) {
  // Most names have no dot: look no further than a first part can run.
  const std::u32string_view head = text.substr(pos, kMaxNamePart + 1);
  if (head.find(kNameDot) == std::u32string_view::npos) return 0;
  size_t i = pos;
  size_t dots = 0;
  while (true) {
    const size_t part = i;
    size_t run = i;
    while (run < text.size() && IsHan(text[run])) ++run;
    if (run == part) return 0;
    if (run - part <= kMaxNamePart && run + 1 < text.size() &&
        text[run] == kNameDot && IsHan(text[run + 1])) {
      // A title inside means the name starts after it (总领事馆总领事…).
      for (size_t k = part; k < run; ++k) {
        if (lex.titles.LongestAt(text, k) > 0) return 0;
      }
      ++dots;
      i = run + 1;
      continue;
    }
    if (dots == 0) return 0;
    // The last part: its first character always belongs to it; a stop or
    // punctuation ends it, and a run that nothing ends is no name.
    const size_t limit = std::min(run, part + kMaxNamePart);
    i = part + 1;
    while (i < limit && !LongStopAt(text, i, lex) &&
           lex.strong_name_stops.LongestAt(text, i) == 0) {
      ++i;
    }
    if (i == limit && limit < run) return 0;
    return i - pos;
  }
}

// Length of the name starting at `pos` of (folded) `text`, or 0. A name
// with dots is read by DottedNameAt; otherwise the name is a surname and
// one or two characters; which one is settled by what
// follows, and a name that nothing settles is not taken.
size_t NameAt(std::u32string_view text, size_t pos, const Lexicon& lex) {
  if (pos >= text.size() || LongStopAt(text, pos, lex) ||
      lex.not_name_starts.LongestAt(text, pos) > 0 ||
      lex.organ_tokens.LongestAt(text, pos) >= 2) {
    return 0;
  }
  if (const size_t dotted = DottedNameAt(text, pos, lex); dotted > 0) {
    return dotted;
  }
  const size_t surname = lex.surnames.LongestAt(text, pos);
  if (surname == 0) return 0;
  const size_t shorter = surname + 1;
  const size_t longer = surname + 2;
  // A title word inside the candidate means it is a run of titles, not a
  // name ("主席和副主席" holds no person).
  for (size_t k = pos + 1; k < pos + longer && k < text.size(); ++k) {
    if (lex.titles.LongestAt(text, k) > 0) return 0;
  }
  const bool shorter_ok = pos + shorter <= text.size() &&
                          AllHan(text.substr(pos, shorter)) &&
                          !LongStopAt(text, pos + surname, lex);
  const bool longer_ok = shorter_ok && pos + longer <= text.size() &&
                         AllHan(text.substr(pos, longer)) &&
                         !LongStopAt(text, pos + shorter, lex);
  const size_t after_shorter =
      shorter_ok ? EndEvidence(text, pos + shorter, lex) : 0;
  const size_t after_longer =
      longer_ok ? EndEvidence(text, pos + longer, lex) : 0;
  // A character rarely part of a name right after the shorter one ends it
  // there (李华说, 张强在), whatever follows it.
  if (after_shorter == kStrongStop) return shorter;
  if (after_longer > 0 && after_longer >= after_shorter) return longer;
  if (after_shorter > 0) return shorter;
  return after_longer > 0 ? longer : 0;
}

// Length of a name without a Han surname (次仁卓嘎, 洛桑江村, 巴特尔) at
// `pos`, right after a title, or 0. Taken only where the structure leaves
// no doubt: two to six characters, every one of them a character such
// names are written with (data/transliteration_chars.txt), not starting
// with a verb or function word, and ended by punctuation or a word that
// follows names. A stop that is certain (punctuation, 主持, 在) wins over
// a one-character one that may be part of the name (和 of 苏和).
size_t BareNameAt(std::u32string_view text, size_t pos, const Lexicon& lex) {
  constexpr size_t kMinBareName = 2;
  constexpr size_t kMaxBareName = 6;
  if (pos >= text.size() || lex.not_name_starts.LongestAt(text, pos) > 0 ||
      LongStopAt(text, pos, lex)) {
    return 0;
  }
  size_t certain = 0;
  size_t weak = 0;
  for (size_t e = pos; e < text.size() && e - pos <= kMaxBareName; ++e) {
    const bool han = IsHan(text[e]);
    if (e - pos >= kMinBareName) {
      const size_t evidence = EndEvidence(text, e, lex);
      if (evidence > 1) certain = e;
      if (evidence == 1) weak = e;
    }
    if (!han || e - pos == kMaxBareName ||
        !lex.transliteration_chars.Contains(text.substr(e, 1)) ||
        (e > pos && LongStopAt(text, e, lex)) ||
        lex.titles.LongestAt(text, e) > 0) {
      break;
    }
  }
  if (certain > 0) return certain - pos;
  return weak > 0 ? weak - pos : 0;
}

// Length (three) of a two-character name padded with a space to the width
// of a three-character one (马 丽), as papers pad names in bylines, at
// `pos`; 0 when there is none. Punctuation or a word that follows names
// must end it.
size_t PaddedNameAt(std::u32string_view text, size_t pos, const Lexicon& lex) {
  constexpr size_t kPadded = 3;
  if (pos + kPadded > text.size() || text[pos + 1] != U' ' ||
      !IsHan(text[pos + 2]) || !lex.surnames.Contains(text.substr(pos, 1)) ||
      lex.not_name_starts.LongestAt(text, pos + 2) > 0 ||
      LongStopAt(text, pos + 2, lex)) {
    return 0;
  }
  return EndEvidence(text, pos + kPadded, lex) > 1 ? kPadded : 0;
}

// The name of `length` characters at `pos` of `text`: as written, less the
// padding of a padded one (马 丽 -> 马丽).
std::u32string NameText(std::u32string_view text, size_t pos, size_t length) {
  std::u32string name(text.substr(pos, length));
  if (length == 3 && name[1] == U' ') name.erase(1, 1);
  return name;
}

// Where a title runs back to: `start`, and whether it is a job in a work
// unit.
struct TitleSpan {
  size_t start = 0;
  bool unit = false;
};

// True when the words before a unit's name suffix read as a name: no verb,
// function word, stop or collective word inside (a title may be: 律师 of
// 律师事务所).
bool ReadsAsUnitName(std::u32string_view name, const Lexicon& lex) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (lex.not_name_starts.LongestAt(name, i) > 0 ||
        LongStopAt(name, i, lex) ||
        lex.collective_subjects.LongestAt(name, i) > 0) {
      return false;
    }
  }
  return true;
}

// The title whose title word ends at `end` and is `word` long, extended
// backwards over organ tokens and region names; when that stops at the end
// of a work unit's name (中心, 公司; data/unit_suffixes.txt), over the whole
// name back to the punctuation before it: 镇农业服务中心主任.
TitleSpan TitleStart(std::u32string_view folded, size_t end, size_t word,
                     const Lexicon& lex, const Gazetteer& gaz) {
  // No organ's name in a title runs longer than this; the cap also keeps
  // a run of organ tokens from being walked again for every title in it.
  constexpr size_t kMaxTitle = 30;
  size_t start = end - word;
  while (start > 0 && end - start < kMaxTitle) {
    const size_t n = std::max(lex.organ_tokens.LongestEndingAt(folded, start),
                              gaz.LongestNameEndingAt(folded, start));
    // A longer unit's name ends here (团 of 集团): the unit, not an organ.
    if (n == 0 || lex.unit_suffixes.LongestEndingAt(folded, start) > n) break;
    start -= n;
  }
  if (start == 0 || lex.unit_suffixes.LongestEndingAt(folded, start) == 0) {
    return {start, false};
  }
  size_t unit_start = start;
  while (unit_start > 0 && IsHan(folded[unit_start - 1]) &&
         end - unit_start < kMaxTitle) {
    --unit_start;
  }
  if (unit_start > 0 && IsHan(folded[unit_start - 1])) return {start, false};
  if (!ReadsAsUnitName(folded.substr(unit_start, start - unit_start), lex)) {
    return {start, false};
  }
  return {unit_start, true};
}

// True when an organ's name starts inside [begin, end) and runs past
// `end`: in 市人大常委会主任 the title word 常委 is part of 常委会.
bool OrganCrosses(std::u32string_view text, size_t begin, size_t end,
                  const Lexicon& lex) {
  for (size_t pos = begin; pos < end; ++pos) {
    if (pos + lex.organ_tokens.LongestAt(text, pos) > end) return true;
  }
  return false;
}

Title MakeTitle(std::u32string_view text, std::u32string_view folded,
                TitleSpan span, size_t end, size_t word, const Gazetteer& gaz) {
  const size_t start = span.start;
  Title title;
  title.unit = span.unit;
  title.written = std::u32string(text.substr(start, end - start));
  title.region_prefix =
      span.unit ? 0 : gaz.RegionPrefixLength(folded.substr(start, end - start));
  title.text = title.written.substr(title.region_prefix);
  title.organ = title.written.substr(0, title.written.size() - word);
  return title;
}

// True when the title ending at `end` speaks of many people (全体委员,
// 广大政协委员): no name follows it.
bool SpeaksOfMany(std::u32string_view folded, size_t end, size_t word,
                  const Lexicon& lex, const Gazetteer& gaz) {
  const size_t start = TitleStart(folded, end, word, lex, gaz).start;
  return lex.collective_quantifiers.LongestEndingAt(folded, start) > 0 ||
         lex.collective_quantifiers.LongestEndingAt(folded, end - word) > 0;
}

}  // namespace

std::vector<Official> FindOfficials(std::u32string_view text,
                                    std::u32string_view folded,
                                    const Lexicon& lex, const Gazetteer& gaz) {
  std::vector<Official> found;
  size_t end = 1;
  while (end <= folded.size()) {
    const size_t word = lex.titles.LongestEndingAt(folded, end);
    // One space may stand between a title and its name (区委书记 李明).
    const size_t gap = end < folded.size() && folded[end] == U' ' ? 1 : 0;
    size_t name = word > 0 ? NameAt(folded, end + gap, lex) : 0;
    if (word > 0 && name == 0) name = BareNameAt(folded, end + gap, lex);
    if (word > 0 && name == 0) name = PaddedNameAt(folded, end + gap, lex);
    if (name == 0 || gaz.NameCrosses(folded, end - word, end) ||
        OrganCrosses(folded, end - word, end, lex) ||
        SpeaksOfMany(folded, end, word, lex, gaz)) {
      ++end;
      continue;
    }
    Official official;
    official.name = NameText(text, end + gap, name);
    official.end = end + gap + name;
    // Walk the chain of titles joined by 、 backwards from the name.
    size_t title_end = end;
    size_t title_word = word;
    std::vector<Title> reversed;
    while (true) {
      const TitleSpan span =
          TitleStart(folded, title_end, title_word, lex, gaz);
      const size_t start = span.start;
      reversed.push_back(
          MakeTitle(text, folded, span, title_end, title_word, gaz));
      official.start = start;
      // Titles of one person are joined by 、 or 兼 (…部长兼区总工会主席),
      // or by a comma after a clause that is only a title (北碚区政协委员,
      // 西南大学教授谢德体).
      if (start < 2 ||
          (folded[start - 1] != U'、' && folded[start - 1] != U'兼' &&
           folded[start - 1] != U',')) {
        break;
      }
      const size_t previous = lex.titles.LongestEndingAt(folded, start - 1);
      if (previous == 0) break;
      if (folded[start - 1] == U',') {
        const size_t clause =
            TitleStart(folded, start - 1, previous, lex, gaz).start;
        if (clause > 0 && !IsClauseBreak(folded[clause - 1])) break;
      }
      title_end = start - 1;
      title_word = previous;
    }
    official.titles.assign(reversed.rbegin(), reversed.rend());
    // Names listed after the first with 、 share its titles:
    // 区政协副主席李四、王五 names two vice-chairs.
    size_t next = official.end;
    std::vector<Official> listed;
    while (next + 1 < folded.size() && folded[next] == U'、') {
      size_t length = NameAt(folded, next + 1, lex);
      if (length == 0) length = BareNameAt(folded, next + 1, lex);
      if (length == 0) length = PaddedNameAt(folded, next + 1, lex);
      if (length == 0) break;
      Official more;
      more.name = NameText(text, next + 1, length);
      more.titles = official.titles;
      more.start = next + 1;
      more.end = next + 1 + length;
      next = more.end;
      listed.push_back(std::move(more));
    }
    found.push_back(std::move(official));
    for (Official& more : listed) found.push_back(std::move(more));
    end = found.back().end + 1;
  }
  return found;
}

}  // namespace bulletin::parser
