// Bulletins to submit and searches to run under load, drawn from
// bench/index's deterministic corpus generator so that the load bench and the
// index bench see the same kind of text.
//
//   std::vector<bulletin::load::Submission> texts =
//       bulletin::load::MakeSubmissions(/*first=*/0, /*count=*/100000);
//   std::vector<bulletin::v1::SearchRequest> searches =
//       bulletin::load::MakeSearches(1000);
//
// Submission n is the same on every run and machine. Every submission is a
// new bulletin: its text carries a token unique to n ("LD" and eight digits)
// and its external_id is unique to n, so no submit is a duplicate and a
// search for the token finds exactly that bulletin. Each call generates only
// the bulletins it draws from, so a short run starts in a fraction of a
// second, and gets the bulletins a long one would.
//
// Thread-safety: pure functions.

#ifndef BULLETIN_BENCH_LOAD_CORPUS_TEXTS_H_
#define BULLETIN_BENCH_LOAD_CORPUS_TEXTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bulletin/v1/query.pb.h"

namespace bulletin::load {

struct Submission {
  std::string external_id;
  // YYYY-MM-DD.
  std::string date;
  // The bulletin as a newsroom would write it: kicker, headline, lead, one
  // paragraph per item, the reporters' names in parentheses.
  std::string content;
  // Occurs in this bulletin's text and in no other submission's.
  std::string token;
};

// Submissions first .. first + count - 1.
std::vector<Submission> MakeSubmissions(int64_t first, int64_t count);

// The kinds of search MakeSearches makes. The first kSearchKinds make the
// readers' mix; the rest are asked for one at a time, by bench/scale, to see
// how each kind's cost grows with the archive (issue 19's list: one
// character, a common two-character term, a rare name (kPerson), a common
// phrase of four or more, a filter alone (kRegionFilter), two terms
// (kRegionMeeting), a common term with a region facet).
enum class SearchKind {
  kPerson = 0,               // a person's name
  kOrganization = 1,         // an organization's name
  kRegionMeeting = 2,        // a region and a kind of meeting, two terms
  kRegionFilter = 3,         // a region filter, no text, newest first
  kOneCharacter = 4,         // the first character of a kind of meeting
  kCommonTwoCharacters = 5,  // the first two characters of a kind of meeting
  kCommonPhrase = 6,  // a kind of meeting, whole (four characters or more)
  kTermWithRegionFacet = 7,  // kCommonTwoCharacters, counting regions
};
constexpr int kSearchKinds = 4;
constexpr int kAllSearchKinds = 8;

// `count` searches such as readers send, each asking for the first 10 hits:
// of `kind`, or (kind < 0) cycling through every kind. Their terms come from
// the bulletins at the start of the submission sequence.
std::vector<v1::SearchRequest> MakeSearches(int count, int kind = -1);

}  // namespace bulletin::load

#endif  // BULLETIN_BENCH_LOAD_CORPUS_TEXTS_H_
