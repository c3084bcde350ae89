// Finds the documents containing one folded term, exactly, with how often
// it occurs per ranking field, from the gram index alone.
//
//   TermMatcher term("委员会议", grams, corpus);
//   std::vector<DocumentCounts> all;
//   term.FindAll(&all);                    // every document, ascending
//   // or, for a few candidates in ascending order:
//   FieldCounts counts = term.CountIn(doc);
//   // or, to check candidates cheaply and read positions only for some:
//   FieldCounts bound;
//   if (term.Bound(doc, &bound) && Wanted(bound)) Use(term.Verify(doc));
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

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
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

  // Bound and Verify split CountIn in two, so that a search that needs
  // only the best matches reads positions only for the documents that may
  // make its page (match_finder.h).
  //
  // False when `doc` does not hold the term; else *bound is at least the
  // term's counts in `doc`, field by field: the counts themselves unless
  // NeedsVerify, and for a phrase the fewest of its bigrams' (each
  // occurrence of the phrase is one of each of its bigrams, in the same
  // field). Reads no positions. Successive calls (of Bound and
  // NextCandidate) must ask for ascending documents.
  bool Bound(uint32_t doc, FieldCounts* bound);
  // The term's counts in the document Bound or NextCandidate last found;
  // at most once per such document.
  FieldCounts Verify(uint32_t doc);
  // True when Bound can be more than the counts: a phrase, whose bigrams'
  // positions must line up.
  bool NeedsVerify() const { return code_points_ > 2 && !impossible_; }

  // Reads the term whole now (FindAll), so that Bound walks that list
  // rather than skipping through the bigram lists: for a one-character
  // term, the union of many lists, when it is asked of many documents.
  // Before any Bound or NextCandidate; not for a phrase.
  void Materialize();

  // The next document after the last one found that may hold the term,
  // ascending, with its bound as Bound gives it, or false at the end: the
  // term leading a search. Bigrams and phrases step through their lists
  // (a phrase aligning its bigrams' documents, without positions); a
  // one-character term is read whole first.
  //
  // A bigram or a phrase passes over the rest of a block of its (rarest)
  // list, unread, when `may_make_page` is false of the block's bound: a
  // phrase occurs in a document at most as often as each of its bigrams,
  // field by field, so the bound holds for the phrase too.
  using BlockTest = absl::FunctionRef<bool(const BlockBound&)>;
  bool NextCandidate(uint32_t* doc, FieldCounts* bound,
                     BlockTest may_make_page);
  // Blocks NextCandidate passed over: its documents were not all found.
  uint64_t skipped_blocks() const { return skipped_blocks_; }

  // Whether MarkRestOfBlock may be called: a two-character term, whose
  // candidates hold it, every one.
  bool MarksBlocks() const { return code_points_ == 2 && !impossible_; }
  // For a term leading a search that checks nothing of its candidates but
  // their liveness (match_finder.h): sets in `bits` (bit d % 64 of word
  // d / 64) the bits of the documents after the last candidate in the
  // block of its list it is in, live or dead, reading neither their counts
  // nor their bounds, so that the next NextCandidate gives the first entry
  // of the next block. Returns how many it set. Only when MarksBlocks, after
  // a NextCandidate whose `may_make_page` was asked of that block.
  uint32_t MarkRestOfBlock(uint64_t* bits) {
    return cursors_[0].cursor.MarkRestOfBlock(bits);
  }
  // After MarkRestOfBlock: true, with its bound, when its list's next block
  // is bounded, none of its entries read yet; MarkRestOfBlock then marks
  // it whole, and NextCandidate, if called instead, starts it.
  bool NextBlockBound(BlockBound* out) const {
    return cursors_[0].cursor.NextBlockBound(out);
  }

  // For a search that may pass over blocks (max-score pruning), before any
  // NextCandidate: a one-character term with bounds in the frozen tier
  // (GramIndex::CharacterBoundsOf) is then read a block of documents at a
  // time, its lists skipped to each block whose bound passes
  // `may_make_page`, rather than read whole first.
  void LeadByBlocks();

 private:
  // A cursor over one bigram's list, and where that bigram starts in the
  // term (phrases only).
  struct Part {
    GramIndex::Cursor cursor;
    uint32_t offset;
  };
  // Counts of the phrase in `doc`, which every aligned part's cursor is
  // on; the other parts are moved to it here, as far as they are needed.
  FieldCounts CountPhrase(uint32_t doc);
  void FindAllCodePoint(std::vector<DocumentCounts>* out);
  void FindAllPhrase(std::vector<DocumentCounts>* out);
  // Moves every aligned part to the first document at or after `target`
  // that all of them hold, the lead passing over the blocks
  // `may_make_page` rejects; false when there is none.
  bool AlignParts(uint32_t target, BlockTest may_make_page);
  // Moves the lead past the blocks `may_make_page` rejects, from the one
  // its current entry is in; false at the end.
  bool PassRejectedBlocks(BlockTest may_make_page);
  // The phrase bound of the document every aligned part is on.
  FieldCounts PartsBound() const;
  // NextCandidate after LeadByBlocks.
  bool NextCandidateByBlocks(uint32_t* doc, FieldCounts* bound,
                             BlockTest may_make_page);
  // Reads every list's entries in documents [first, first +
  // kCharacterBlock) into gathered_.
  void Gather(uint32_t first);

  const Corpus* corpus_;
  size_t code_points_ = 0;
  // One code point: the lists of the bigrams it starts, whose cursors are
  // made on the first CountIn. Bigram: one part. Phrase: the covering
  // bigrams, the rarest first.
  std::vector<GramIndex::List> code_point_lists_;
  std::vector<Part> cursors_;
  // A phrase's parts [0, aligned_parts_) are aligned on every candidate
  // (AlignParts, Bound); the rest are in at least half the documents, so
  // skipping them to every candidate would reject few, and CountPhrase
  // moves them only when the rarer parts' positions leave a start open.
  size_t aligned_parts_ = 0;
  bool impossible_ = false;  // some bigram of the term is nowhere
  // After Materialize: the term's documents, and the next one to look at.
  bool materialized_ = false;
  std::vector<DocumentCounts> all_;
  size_t next_ = 0;
  // NextCandidate has moved the cursors (a phrase's, or a bigram's).
  bool started_ = false;
  // What Bound or NextCandidate last gave, which Verify returns when it is
  // exact.
  FieldCounts bound_ = {0, 0, 0};
  uint32_t estimated_documents_ = 0;
  size_t find_all_cost_ = 0;
  uint64_t skipped_blocks_ = 0;
  // After LeadByBlocks: the code point's bounds, the next block of
  // documents, the counts of the block read last (all zero where absent)
  // and the next of them to give, and per list (cursors_) the document its
  // cursor is on (0 before it starts, kExhausted after its end).
  static constexpr uint32_t kBlock = GramIndex::kCharacterBlock;
  static constexpr uint32_t kExhausted = UINT32_MAX;
  GramIndex::CharacterBounds character_bounds_;
  bool by_blocks_ = false;
  uint32_t next_block_ = 0;
  uint32_t gathered_first_ = 0;
  uint32_t gathered_next_ = kBlock;
  std::array<FieldCounts, kBlock> gathered_{};
  std::vector<uint32_t> list_at_;
  // Scratch for CountPhrase, kept to spare an allocation per document: one
  // part's positions in the current document, and the phrase starts still
  // possible.
  std::vector<uint32_t> positions_;
  std::vector<uint32_t> starts_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_TERM_SEARCH_H_
