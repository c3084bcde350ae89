// Random bulletins, changes and queries for the index tests that check it
// against a brute-force scan (randomized_test.cc) or against another index
// built from the same bulletins (snapshot round trips): a small alphabet so
// that random terms often hit, simplified and traditional forms of the same
// words, Latin in both cases and widths, digits, punctuation and spaces.
//
//   std::mt19937 rng(1);
//   uint64_t seq = 0;
//   for (int i = 0; i < 100; ++i) index.Apply(RandomChange(rng, ++seq));
//   request.set_query(RandomQuery(rng).text);
//
// Thread-safety: pure functions of the generator they are given.

#ifndef BULLETIN_TESTS_INDEX_RANDOM_CORPUS_H_
#define BULLETIN_TESTS_INDEX_RANDOM_CORPUS_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bulletin/v1/log.pb.h"
#include "query-service/index/text/fold.h"
#include "tests/index/test_records.h"

namespace bulletin::testing {

inline const std::vector<std::string>& RandomAlphabet() {
  static const auto* alphabet = new std::vector<std::string>{
      "会", "會", "议", "議", "委", "员", "員", "政", "协",
      "協", "区", "區", "县", "縣", "刘", "朦", "濛", "a",
      "A",  "Ａ", "b",  "1",  "１", " ",  "，", "。", "的"};
  return *alphabet;
}

// Regions as written, two of them the same region in either script.
inline const std::vector<std::string>& RandomRegions() {
  static const auto* regions =
      new std::vector<std::string>{"忠县", "忠縣", "大渡口区", "江北区"};
  return *regions;
}

inline std::string RandomText(std::mt19937& rng, int max_len) {
  std::uniform_int_distribution<int> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, RandomAlphabet().size() - 1);
  std::string s;
  for (int n = len(rng); n > 0; --n) s += RandomAlphabet()[pick(rng)];
  return s;
}

// Publication dates, few enough that many bulletins share one (the date
// orders break those ties by seq), and none (undated: last in both).
inline const std::vector<std::string>& RandomDates() {
  static const auto* dates = new std::vector<std::string>{
      "", "2021-11-18", "2021-11-19", "2021-11-20", "2022-01-03"};
  return *dates;
}

// One change to a corpus of at most `ids` ids (doc0 .. doc149 by default): a
// retraction one time in eight, else a new bulletin or a correction, dated
// or not, with up to three items, each by an organization in a random
// region.
inline v1::LogRecord RandomChange(std::mt19937& rng, uint64_t seq,
                                  uint32_t ids = 150) {
  const std::string id = "doc" + std::to_string(rng() % ids);
  if (rng() % 8 == 0) return Retract(seq, id);
  std::vector<std::string> items;
  for (int n = rng() % 4; n > 0; --n) items.push_back(RandomText(rng, 30));
  v1::Bulletin b =
      MakeBulletin(id, RandomText(rng, 8), RandomText(rng, 20), items);
  b.set_date(RandomDates()[rng() % RandomDates().size()]);
  for (int i = 0; i < b.items_size(); ++i) {
    b.mutable_items(i)->mutable_organization()->set_region(
        RandomRegions()[rng() % RandomRegions().size()]);
  }
  return Upsert(seq, b);
}

// A query of one or two quoted terms of up to four characters, and one time
// in three an excluded term of one to three characters (a phrase's
// exclusion reads positions); with the terms and exclusion folded.
struct RandomQueryText {
  std::string text;
  std::vector<std::string> folded_terms;
  std::vector<std::string> folded_excluded;
};

inline RandomQueryText RandomQuery(std::mt19937& rng) {
  RandomQueryText query;
  for (int n = 1 + rng() % 2; n > 0; --n) {
    std::string term = RandomText(rng, 4);
    while (!term.empty() && term.back() == ' ') term.pop_back();
    while (!term.empty() && term.front() == ' ') term.erase(0, 1);
    if (term.empty()) term = "会";
    query.folded_terms.push_back(FoldText(term));
    query.text += "\"" + term + "\" ";
  }
  if (rng() % 3 == 0) {
    std::string term;
    for (int n = 1 + rng() % 3; n > 0; --n)
      term += RandomAlphabet()[rng() % 17];
    query.folded_excluded.push_back(FoldText(term));
    query.text += "-" + term;
  }
  return query;
}

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INDEX_RANDOM_CORPUS_H_
