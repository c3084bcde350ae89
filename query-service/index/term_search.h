// Finds the live documents containing one folded term, exactly, with how
// often it occurs per ranking field.
//
//   TermDocuments hits = FindTerm("委员会议", grams, corpus);
//   for (size_t i = 0; i < hits.documents.size(); ++i)
//     Score(hits.documents[i], hits.counts[i]);
//
// One code point: the union of the lists of the bigrams it starts (their
// counts add up to its occurrences). Two: one list. Longer: the
// intersection of its rarest bigram lists gives candidate segments, each
// verified by searching the term in the folded segment text, so that
// characters scattered across a paragraph never match.
//
// Thread-safety: reads only; the caller holds the index's reader lock.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_TERM_SEARCH_H_
#define BULLETIN_QUERY_SERVICE_INDEX_TERM_SEARCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "query-service/index/corpus.h"
#include "query-service/index/document_match.h"
#include "query-service/index/gram_index.h"

namespace bulletin {

struct TermDocuments {
  // Ascending document numbers.
  std::vector<uint32_t> documents;
  // counts[i]: occurrences in documents[i], per ranking field.
  std::vector<FieldCounts> counts;
};

TermDocuments FindTerm(const std::string& folded_term, const GramIndex& grams,
                       const Corpus& corpus);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_TERM_SEARCH_H_
