#include "ingest-service/parser/lexicon.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

absl::string_view Key(std::u32string_view word) {
  return absl::string_view(reinterpret_cast<const char*>(word.data()),
                           word.size() * sizeof(char32_t));
}

absl::Status LoadWords(const DataFiles& files, std::string_view file,
                       const std::vector<WordSet*>& sets) {
  absl::StatusOr<std::vector<DataLine>> lines = ReadDataLines(files, file);
  if (!lines.ok()) return lines.status();
  for (const DataLine& line : *lines) {
    for (WordSet* set : sets) set->Add(ToU32(line.text));
  }
  return absl::OkStatus();
}

absl::Status LoadEventVerbs(const DataFiles& files, Lexicon* lex) {
  absl::StatusOr<std::vector<DataLine>> lines =
      ReadDataLines(files, "event_verbs.tsv");
  if (!lines.ok()) return lines.status();
  for (const DataLine& line : *lines) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(ToAbsl(line.text), '\t');
    if (fields.size() != 2 || fields[0].empty()) {
      return DataError(line, "want a verb and its kind, separated by a tab");
    }
    EventVerb verb;
    verb.verb = ToU32(ToStd(fields[0]));
    if (fields[1] == "event") {
      verb.kind = EventVerb::Kind::kEvent;
    } else if (fields[1] == "action") {
      verb.kind = EventVerb::Kind::kAction;
    } else if (fields[1] == "attend") {
      verb.kind = EventVerb::Kind::kAttend;
    } else {
      return DataError(line, absl::StrCat("unknown kind \"", fields[1],
                                          "\" (event, action or attend)"));
    }
    lex->not_name_starts.Add(verb.verb);
    lex->event_verbs.push_back(std::move(verb));
  }
  return absl::OkStatus();
}

absl::Status LoadKinds(const DataFiles& files, Lexicon* lex) {
  absl::StatusOr<std::vector<DataLine>> lines =
      ReadDataLines(files, "organization_kinds.tsv");
  if (!lines.ok()) return lines.status();
  for (const DataLine& line : *lines) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(ToAbsl(line.text), '\t');
    if (fields.size() != 2 || fields[0].empty()) {
      return DataError(line, "want a keyword and a kind, separated by a tab");
    }
    v1::Organization::Kind kind = v1::Organization::KIND_UNSPECIFIED;
    if (!v1::Organization::Kind_Parse(std::string(fields[1]), &kind) ||
        kind == v1::Organization::KIND_UNSPECIFIED) {
      return DataError(
          line, absl::StrCat("unknown kind \"", fields[1],
                             "\" (a bulletin.v1.Organization.Kind name)"));
    }
    lex->kinds.emplace_back(ToU32(ToStd(fields[0])), kind);
  }
  return absl::OkStatus();
}

absl::Status LoadZoneTypes(const DataFiles& files, Lexicon* lex) {
  absl::StatusOr<std::vector<DataLine>> lines =
      ReadDataLines(files, "zone_types.tsv");
  if (!lines.ok()) return lines.status();
  // A management area's kind is an organ in a title: 高新区党工委书记.
  for (const DataLine& line : *lines) {
    for (absl::string_view word : absl::StrSplit(
             ToAbsl(line.text), absl::ByAnyChar("\t,"), absl::SkipEmpty())) {
      lex->organ_tokens.Add(ToU32(ToStd(word)));
      lex->zone_types.Add(ToU32(ToStd(word)));
    }
  }
  return absl::OkStatus();
}

absl::Status LoadTransliterationChars(const DataFiles& files, Lexicon* lex) {
  absl::StatusOr<std::vector<DataLine>> lines =
      ReadDataLines(files, "transliteration_chars.txt");
  if (!lines.ok()) return lines.status();
  for (const DataLine& line : *lines) {
    for (char32_t c : ToU32(line.text)) {
      if (!IsHan(c)) return DataError(line, "want Han characters only");
      lex->transliteration_chars.Add(std::u32string_view(&c, 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void WordSet::Add(std::u32string_view word) {
  if (word.empty()) return;
  words_.insert(std::string(Key(word)));
  if (word.size() > max_length_) max_length_ = word.size();
  if (word.front() < kBmp) first_.set(word.front());
  if (word.back() < kBmp) last_.set(word.back());
  if (word.size() >= 2) {
    if (word[1] < kBmp) second_.set(word[1]);
    if (word[word.size() - 2] < kBmp) penultimate_.set(word[word.size() - 2]);
  }
}

bool WordSet::Contains(std::u32string_view word) const {
  return words_.contains(Key(word));
}

size_t WordSet::LongestAt(std::u32string_view text, size_t pos) const {
  if (pos >= text.size() || !MayStart(text[pos])) return 0;
  size_t limit = std::min(max_length_, text.size() - pos);
  if (limit >= 2 && !MaySecond(text[pos + 1])) limit = 1;
  for (size_t n = limit; n > 0; --n) {
    if (words_.contains(Key(text.substr(pos, n)))) return n;
  }
  return 0;
}

size_t WordSet::LongestEndingAt(std::u32string_view text, size_t end) const {
  if (end == 0 || end > text.size() || !MayEnd(text[end - 1])) return 0;
  size_t limit = std::min(max_length_, end);
  if (limit >= 2 && !MayPenultimate(text[end - 2])) limit = 1;
  for (size_t n = limit; n > 0; --n) {
    if (words_.contains(Key(text.substr(end - n, n)))) return n;
  }
  return 0;
}

absl::StatusOr<Lexicon> LoadLexicon(const DataFiles& files) {
  Lexicon lex;
  const std::pair<std::string_view, std::vector<WordSet*>> words[] = {
      {"surnames.txt", {&lex.surnames}},
      {"surnames_extra.txt", {&lex.surnames}},
      {"titles.txt", {&lex.titles}},
      {"organ_tokens.txt", {&lex.organ_tokens}},
      {"byline_roles.txt", {&lex.byline_roles}},
      {"byline_trailers.txt", {&lex.byline_trailers}},
      {"name_stops.txt", {&lex.name_stops}},
      // A strong stop ends a name wherever a stop does.
      {"name_stops_strong.txt", {&lex.strong_name_stops, &lex.name_stops}},
      {"collective_subjects.txt", {&lex.collective_subjects}},
      {"between_words.txt", {&lex.between_words}},
      {"not_in_names.txt", {&lex.not_in_names, &lex.not_name_starts}},
      {"metadata_labels.txt", {&lex.metadata_labels}},
      {"unit_suffixes.txt", {&lex.unit_suffixes}},
      {"membership_titles.txt", {&lex.membership_titles}},
      {"collective_quantifiers.txt", {&lex.collective_quantifiers}},
      // A verb ends a name (王小明长期…) and never starts one.
      {"verbs.txt", {&lex.name_stops, &lex.not_name_starts}}};
  for (const auto& [file, sets] : words) {
    if (absl::Status s = LoadWords(files, file, sets); !s.ok()) return s;
  }
  for (auto load :
       {LoadEventVerbs, LoadKinds, LoadZoneTypes, LoadTransliterationChars}) {
    if (absl::Status s = load(files, &lex); !s.ok()) return s;
  }
  return lex;
}

const absl::StatusOr<Lexicon>& LoadedLexicon() {
  static const absl::StatusOr<Lexicon>* const lexicon =
      new absl::StatusOr<Lexicon>(LoadLexicon(EmbeddedDataFiles()));
  return *lexicon;
}

const Lexicon& DefaultLexicon() {
  const absl::StatusOr<Lexicon>& lexicon = LoadedLexicon();
  if (!lexicon.ok()) {
    // LoadParserData reports this at start; reaching here means a caller
    // parsed without checking it.
    std::fprintf(stderr, "bulletin parser: %s\n",
                 std::string(lexicon.status().message()).c_str());
    std::abort();
  }
  return *lexicon;
}

}  // namespace bulletin::parser
