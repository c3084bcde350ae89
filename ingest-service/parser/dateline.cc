#include "ingest-service/parser/dateline.h"

#include "absl/strings/str_format.h"
#include "common/time/iso_date.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

bool IsNewsEnd(char32_t c) {
  return c == U'讯' || c == U'訊' || c == U'电' || c == U'電';
}

// Characters after which 讯/电 names a news source: 本报, 日报, 新华社,
// 人民网, 电视台.
bool IsSourceChar(char32_t c) {
  return c == U'报' || c == U'報' || c == U'社' || c == U'网' || c == U'網' ||
         c == U'台';
}

// Longest news-source head: 新华社乌鲁木齐2021年11月18日电 has 22 characters.
constexpr size_t kMaxHead = 24;

// Length of a news-source head (本报讯, 新华社北京11月18日电) at the start,
// or 0. The head is at most kMaxHead characters of Han and digits, names a
// source before its 讯/电, and the 讯/电 is followed by a break, not by more of
// a word (国网重庆电力 is a company, not a dateline).
size_t SourceHead(std::u32string_view p) {
  bool source = false;
  for (size_t i = 0; i < p.size() && i < kMaxHead; ++i) {
    const char32_t c = p[i];
    if (i >= 2 && IsNewsEnd(c) && source) {
      const bool at_break = i + 1 == p.size() || p[i + 1] == U'(' ||
                            p[i + 1] == U' ' || p[i + 1] == U',' ||
                            p[i + 1] == U':' || IsDigit(p[i + 1]);
      if (at_break) return i + 1;
    }
    if (!IsHan(c) && !IsDigit(c)) return 0;
    source |= IsSourceChar(c) || (i == 1 && p[0] == U'本' && c == U'报');
  }
  return 0;
}

// Reads digits at `*pos` into *value; false (and *pos unchanged) if none.
bool ReadNumber(std::u32string_view p, size_t* pos, int* value) {
  size_t i = *pos;
  int v = 0;
  while (i < p.size() && IsDigit(p[i]) && i - *pos < 4) {
    v = v * 10 + static_cast<int>(p[i] - U'0');
    ++i;
  }
  if (i == *pos) return false;
  *pos = i;
  *value = v;
  return true;
}

// A date at `*pos`: (YYYY年)?M月D日, optionally followed by 电 or 讯.
bool ReadDate(std::u32string_view p, size_t* pos, std::string* iso) {
  size_t i = *pos;
  int year = 0;
  int month = 0;
  int day = 0;
  size_t probe = i;
  int value = 0;
  if (ReadNumber(p, &probe, &value) && probe < p.size() && p[probe] == U'年') {
    year = value;
    i = probe + 1;
  }
  if (!ReadNumber(p, &i, &month) || i >= p.size() || p[i] != U'月') {
    return false;
  }
  ++i;
  if (!ReadNumber(p, &i, &day) || i >= p.size() ||
      (p[i] != U'日' && p[i] != U'号')) {
    return false;
  }
  ++i;
  // Without a year, 2月29日 may be any leap year's.
  constexpr int kSomeLeapYear = 2000;
  const bool has_year = year >= 1900 && year <= 2999;
  if (!IsCalendarDate(has_year ? year : kSomeLeapYear, month, day)) {
    return false;
  }
  if (i < p.size() && IsNewsEnd(p[i])) ++i;
  *pos = i;
  if (has_year) {
    *iso = absl::StrFormat("%04d-%02d-%02d", year, month, day);
  }
  return true;
}

// A parenthesized group at `*pos` of at most 40 characters; sets where its
// inside starts and how long it is.
bool ReadParens(std::u32string_view p, size_t* pos, size_t* start,
                size_t* length) {
  if (*pos >= p.size() || p[*pos] != U'(') return false;
  const size_t close = p.find(U')', *pos);
  if (close == std::u32string_view::npos || close - *pos > 40) return false;
  *start = *pos + 1;
  *length = close - *pos - 1;
  *pos = close + 1;
  return true;
}

void SkipSpaces(std::u32string_view p, size_t* pos) {
  while (*pos < p.size() && p[*pos] == U' ') ++*pos;
}

}  // namespace

std::optional<std::string> DateLine(std::u32string_view line) {
  constexpr std::u32string_view kDateChars = U"0123456789-/.: 年月日号时分";
  if (line.empty() || line.size() > 24 || !IsDigit(line[0])) {
    return std::nullopt;
  }
  for (char32_t c : line) {
    if (kDateChars.find(c) == std::u32string_view::npos) return std::nullopt;
  }
  std::string iso;
  size_t pos = 0;
  if (ReadDate(line, &pos, &iso)) {
    return iso.empty() ? std::nullopt : std::optional<std::string>(iso);
  }
  // 2021-11-18, 2021/11/18, 2021.11.18
  int year = 0;
  int month = 0;
  int day = 0;
  pos = 0;
  if (!ReadNumber(line, &pos, &year) || year < 1900 || year > 2999 ||
      pos >= line.size() ||
      (line[pos] != U'-' && line[pos] != U'/' && line[pos] != U'.')) {
    return std::nullopt;
  }
  const char32_t separator = line[pos++];
  if (!ReadNumber(line, &pos, &month) || pos >= line.size() ||
      line[pos++] != separator || !ReadNumber(line, &pos, &day) ||
      !IsCalendarDate(year, month, day)) {
    return std::nullopt;
  }
  return absl::StrFormat("%04d-%02d-%02d", year, month, day);
}

std::optional<Dateline> FindDateline(std::u32string_view paragraph) {
  Dateline d;
  size_t pos = SourceHead(paragraph);
  const bool bare_date = pos == 0;
  // The date may sit inside the head: 新华社武汉2021年11月18日电.
  bool date_in_head = false;
  for (size_t i = 0; i < pos && !date_in_head; ++i) {
    size_t probe = i;
    if (IsDigit(paragraph[i]) && (i == 0 || !IsDigit(paragraph[i - 1]))) {
      date_in_head = ReadDate(paragraph, &probe, &d.iso_date);
    }
  }
  if (bare_date) {
    // A bare date counts only when it ends in 电/讯 (11月18日电): a lead that
    // merely starts with a date keeps it.
    size_t probe = 0;
    std::string iso;
    if (!ReadDate(paragraph, &probe, &iso) ||
        !IsNewsEnd(paragraph[probe - 1])) {
      return std::nullopt;
    }
    pos = probe;
    d.iso_date = iso;
  }
  // Reporters and date, in either order, each at most once.
  bool have_reporters = false;
  bool have_date = bare_date || date_in_head;
  for (int round = 0; round < 2; ++round) {
    size_t probe = pos;
    SkipSpaces(paragraph, &probe);
    std::string iso;
    if (!have_reporters && ReadParens(paragraph, &probe, &d.reporters_start,
                                      &d.reporters_length)) {
      have_reporters = true;
      pos = probe;
    } else if (!have_date && ReadDate(paragraph, &probe, &iso)) {
      d.iso_date = iso;
      have_date = true;
      pos = probe;
    } else {
      break;
    }
  }
  d.length = pos;
  size_t body = pos;
  SkipSpaces(paragraph, &body);
  if (body < paragraph.size() &&
      (paragraph[body] == U',' || paragraph[body] == U':')) {
    ++body;
  }
  SkipSpaces(paragraph, &body);
  d.body_start = body;
  return d;
}

}  // namespace bulletin::parser
