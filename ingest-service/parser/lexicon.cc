#include "ingest-service/parser/lexicon.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "ingest-service/parser/embedded_data.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

absl::string_view Key(std::u32string_view word) {
  return absl::string_view(reinterpret_cast<const char*>(word.data()),
                           word.size() * sizeof(char32_t));
}

void LoadWords(std::string_view file, WordSet* set) {
  for (std::string_view line : DataLines(EmbeddedDataFile(file))) {
    set->Add(ToU32(line));
  }
}

v1::Organization::Kind KindByName(std::string_view name) {
  v1::Organization::Kind kind = v1::Organization::KIND_UNSPECIFIED;
  v1::Organization::Kind_Parse(std::string(name), &kind);
  return kind;
}

Lexicon BuildLexicon() {
  Lexicon lex;
  LoadWords("surnames.txt", &lex.surnames);
  LoadWords("surnames_extra.txt", &lex.surnames);
  LoadWords("titles.txt", &lex.titles);
  LoadWords("organ_tokens.txt", &lex.organ_tokens);
  LoadWords("byline_roles.txt", &lex.byline_roles);
  LoadWords("byline_trailers.txt", &lex.byline_trailers);
  LoadWords("name_stops.txt", &lex.name_stops);
  LoadWords("name_stops_strong.txt", &lex.strong_name_stops);
  // A strong stop ends a name wherever a stop does.
  LoadWords("name_stops_strong.txt", &lex.name_stops);
  LoadWords("collective_subjects.txt", &lex.collective_subjects);
  LoadWords("between_words.txt", &lex.between_words);
  LoadWords("not_in_names.txt", &lex.not_in_names);
  LoadWords("metadata_labels.txt", &lex.metadata_labels);
  LoadWords("unit_suffixes.txt", &lex.unit_suffixes);
  // A management area's kind is an organ in a title: 高新区党工委书记.
  for (std::string_view line : DataLines(EmbeddedDataFile("zone_types.tsv"))) {
    for (absl::string_view word : absl::StrSplit(
             ToAbsl(line), absl::ByAnyChar("\t,"), absl::SkipEmpty())) {
      lex.organ_tokens.Add(ToU32(ToStd(word)));
      lex.zone_types.Add(ToU32(ToStd(word)));
    }
  }
  LoadWords("collective_quantifiers.txt", &lex.collective_quantifiers);
  // A verb ends a name (王小明长期…) and never starts one.
  LoadWords("verbs.txt", &lex.name_stops);
  LoadWords("verbs.txt", &lex.not_name_starts);
  LoadWords("not_in_names.txt", &lex.not_name_starts);
  for (std::string_view line :
       DataLines(EmbeddedDataFile("transliteration_chars.txt"))) {
    for (char32_t c : ToU32(line)) {
      lex.transliteration_chars.Add(std::u32string_view(&c, 1));
    }
  }
  for (std::string_view line : DataLines(EmbeddedDataFile("event_verbs.tsv"))) {
    std::vector<absl::string_view> fields = absl::StrSplit(ToAbsl(line), '\t');
    EventVerb verb;
    verb.verb = ToU32(ToStd(fields[0]));
    const absl::string_view kind = fields.size() > 1 ? fields[1] : "";
    verb.kind = kind == "event"    ? EventVerb::Kind::kEvent
                : kind == "attend" ? EventVerb::Kind::kAttend
                                   : EventVerb::Kind::kAction;
    lex.not_name_starts.Add(verb.verb);
    lex.event_verbs.push_back(std::move(verb));
  }
  for (std::string_view line :
       DataLines(EmbeddedDataFile("organization_kinds.tsv"))) {
    std::vector<absl::string_view> fields = absl::StrSplit(ToAbsl(line), '\t');
    if (fields.size() < 2) continue;
    lex.kinds.emplace_back(ToU32(ToStd(fields[0])),
                           KindByName(ToStd(fields[1])));
  }
  return lex;
}

}  // namespace

void WordSet::Add(std::u32string_view word) {
  if (word.empty()) return;
  words_.insert(std::string(Key(word)));
  if (word.size() > max_length_) max_length_ = word.size();
  if (word.front() < kBmp) first_.set(word.front());
  if (word.back() < kBmp) last_.set(word.back());
}

bool WordSet::Contains(std::u32string_view word) const {
  return words_.contains(Key(word));
}

size_t WordSet::LongestAt(std::u32string_view text, size_t pos) const {
  if (pos >= text.size() || !MayStart(text[pos])) return 0;
  size_t limit = std::min(max_length_, text.size() - pos);
  for (size_t n = limit; n > 0; --n) {
    if (words_.contains(Key(text.substr(pos, n)))) return n;
  }
  return 0;
}

size_t WordSet::LongestEndingAt(std::u32string_view text, size_t end) const {
  if (end == 0 || end > text.size() || !MayEnd(text[end - 1])) return 0;
  size_t limit = std::min(max_length_, end);
  for (size_t n = limit; n > 0; --n) {
    if (words_.contains(Key(text.substr(end - n, n)))) return n;
  }
  return 0;
}

std::vector<std::string_view> DataLines(std::string_view contents) {
  std::vector<std::string_view> lines;
  for (absl::string_view line : absl::StrSplit(ToAbsl(contents), '\n')) {
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    lines.push_back(ToStd(line));
  }
  return lines;
}

const Lexicon& DefaultLexicon() {
  static const Lexicon* const lexicon = new Lexicon(BuildLexicon());
  return *lexicon;
}

}  // namespace bulletin::parser
