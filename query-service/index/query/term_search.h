// Finds the documents containing one folded term, exactly, with how often
// it occurs per ranking field, from the gram index alone.
//
//   TermMatcher term("委员会议", grams, corpus);
//   std::vector<DocumentCounts> all;
//   term.FindAll(&all);                    // every document, ascending
//   // or, for a few candidates in ascending order:
//   FieldCounts counts = term.CountIn(doc);
//
// One code point: the union of the lists of the bigrams it starts (their
// counts add up to its occurrences). Two: one list. Longer: the positions
// of a set of its bigrams that covers every code point (the rarest one
// among them) must line up at the same start; since positions separate
// segments, characters scattered across a paragraph or split between two
// never match.
//
// Ownership: the matcher points into the index and the corpus, which must
// not change while it is used. Thread-safety: one thread per matcher; the
// caller holds the index's reader lock.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_TERM_SEARCH_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_TERM_SEARCH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "query-service/index/postings/gram_index.h"
#include "query-service/index/postings/postings.h"
#include "query-service/index/store/corpus.h"

namespace bulletin {

struct DocumentCounts {
  uint32_t doc;
  FieldCounts counts;
};

class TermMatcher {
 public:
  TermMatcher(std::string_view folded_term, const GramIndex& grams,
              const Corpus& corpus);
  TermMatcher(TermMatcher&&) = default;
  TermMatcher& operator=(TermMatcher&&) = default;

  // An upper bound on the documents holding the term (live or not), from
  // the lists' sizes; exact for a term of two code points. BM25's document
  // frequency, and what orders the terms of a query.
  uint32_t EstimatedDocuments() const { return estimated_documents_; }

  // What FindAll costs, and what one CountIn costs, in bytes of postings
  // read (roughly): the planner compares the two.
  size_t FindAllCost() const { return find_all_cost_; }
  size_t CountInCost() const {
    return 24 *
           (code_points_ == 1 ? code_point_lists_.size() : cursors_.size());
  }

  // Appends every live document holding the term, ascending, with its
  // counts. Call once, and not after CountIn.
  void FindAll(std::vector<DocumentCounts>* out);

  // The term's counts in `doc`, all zero when it is absent. Successive
  // calls must ask for ascending documents.
  FieldCounts CountIn(uint32_t doc);

 private:
  // A cursor over one bigram's list, and where that bigram starts in the
  // term (phrases only).
  struct Part {
    GramIndex::Cursor cursor;
    uint32_t offset;
  };
  // Counts of the phrase in the document every part's cursor is on.
  FieldCounts CountPhrase(uint32_t doc);
  void FindAllCodePoint(std::vector<DocumentCounts>* out);
  void FindAllPhrase(std::vector<DocumentCounts>* out);

  const Corpus* corpus_;
  size_t code_points_ = 0;
  // One code point: the lists of the bigrams it starts, whose cursors are
  // made on the first CountIn. Bigram: one part. Phrase: the covering
  // bigrams, the rarest first.
  std::vector<GramIndex::List> code_point_lists_;
  std::vector<Part> cursors_;
  bool impossible_ = false;  // some bigram of the term is nowhere
  uint32_t estimated_documents_ = 0;
  size_t find_all_cost_ = 0;
  // Scratch for CountPhrase, kept to spare an allocation per document: one
  // part's positions in the current document, and the phrase starts still
  // possible.
  std::vector<uint32_t> positions_;
  std::vector<uint32_t> starts_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_TERM_SEARCH_H_
