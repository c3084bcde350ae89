// The parser's domain knowledge, loaded once from the data files (data/):
// surnames, title words, organ tokens, byline roles, event verbs, words that
// end a name, and organization-kind keywords (see data/README.md).
//
//   const bulletin::parser::Lexicon& lex = bulletin::parser::DefaultLexicon();
//   size_t n = lex.titles.LongestEndingAt(text, end);  // "书记" -> 2
//
// DefaultLexicon() builds the tables on first use and never changes them
// after; the returned reference is valid for the whole program and safe to
// share between threads.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_LEXICON_H_
#define BULLETIN_INGEST_SERVICE_PARSER_LEXICON_H_

#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"
#include "ingest-service/parser/data_files.h"

namespace bulletin::parser {

// A set of words with longest-match lookups at a position. Lookups cost one
// bitmap test for most positions: only characters that start (or end) some
// word go on to hash lookups.
class WordSet {
 public:
  void Add(std::u32string_view word);
  bool Contains(std::u32string_view word) const;
  // Length of the longest word that starts at `pos`; 0 if none.
  size_t LongestAt(std::u32string_view text, size_t pos) const;
  // Length of the longest word that ends right before `end`; 0 if none.
  size_t LongestEndingAt(std::u32string_view text, size_t end) const;
  bool empty() const { return words_.empty(); }

 private:
  static constexpr size_t kBmp = 0x10000;
  bool MayStart(char32_t c) const { return c >= kBmp || first_[c]; }
  bool MayEnd(char32_t c) const { return c >= kBmp || last_[c]; }
  // Whether a word of two or more characters may have `c` second (or
  // second to last): most positions then need no lookup beyond one
  // character.
  bool MaySecond(char32_t c) const { return c >= kBmp || second_[c]; }
  bool MayPenultimate(char32_t c) const { return c >= kBmp || penultimate_[c]; }

  // Words stored as the raw bytes of their UTF-32 form, so that lookups can
  // use a string_view into the text without allocating.
  absl::flat_hash_set<std::string> words_;
  size_t max_length_ = 0;
  std::bitset<kBmp> first_;
  std::bitset<kBmp> last_;
  std::bitset<kBmp> second_;
  std::bitset<kBmp> penultimate_;
};

struct EventVerb {
  enum class Kind {
    // The words after the verb name the meeting or event (召开, 举行).
    kEvent,
    // They name what was done (传达, 学习).
    kAction,
    // An official before the verb only attended (出席, 参加).
    kAttend,
  };
  std::u32string verb;
  Kind kind = Kind::kAction;
};

struct Lexicon {
  WordSet surnames;
  WordSet titles;
  WordSet organ_tokens;
  WordSet byline_roles;
  // Words a byline may end with (报道, 摄): kept as warnings.
  WordSet byline_trailers;
  WordSet name_stops;
  // One-character stops that are rarely part of a name (在, 对).
  WordSet strong_name_stops;
  // Openings that speak of many bodies at once (我市, 各地): no organization.
  WordSet collective_subjects;
  // Words between an organization and its verb (近日, 于): not its name.
  WordSet between_words;
  // Words that never occur inside an organization's name (的, 要).
  WordSet not_in_names;
  // Labels of metadata lines (来源, 责任编辑).
  WordSet metadata_labels;
  // Kinds of management areas, long and short (高新技术产业开发区, 高新区).
  WordSet zone_types;
  // Title words of membership in a CPPCC or congress (委员, 代表).
  WordSet membership_titles;
  // Words that end a work unit's name before a job title (中心, 公司).
  WordSet unit_suffixes;
  // Words before a title that make it speak of many people (全体, 广大).
  WordSet collective_quantifiers;
  // Words no name starts with: verbs and adverbs (verbs.txt), the event
  // verbs and the words never inside an organization's name.
  WordSet not_name_starts;
  // Characters of minority names written without a Han surname.
  WordSet transliteration_chars;
  // In priority order: the first verb whose prefix is an organization wins.
  std::vector<EventVerb> event_verbs;
  // In file order: the first keyword an organization's name contains decides
  // its kind.
  std::vector<std::pair<std::u32string, v1::Organization::Kind>> kinds;
};

// Builds the lexicon from `files`; fails naming the file (NOT_FOUND) or the
// file and line (INVALID_ARGUMENT: an unknown kind, a missing field) of
// what is wrong.
absl::StatusOr<Lexicon> LoadLexicon(const DataFiles& files);

// The lexicon of the embedded data, or why it failed to load; loaded on
// first use.
const absl::StatusOr<Lexicon>& LoadedLexicon();

// The embedded lexicon. Aborts with the load error when LoadedLexicon()
// failed: callers check LoadParserData (parse_submission.h) at start.
const Lexicon& DefaultLexicon();

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_LEXICON_H_
