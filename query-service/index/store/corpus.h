// The documents the index knows, live and dead, numbered in the order they
// were added: the numbers the posting lists hold.
//
//   const DocumentMeta& d = corpus.documents[doc];
//   if (corpus.ranks[doc].live) Use(d.record->Text());
//
// Thread-safety: plain data; BulletinIndex guards it.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_CORPUS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_CORPUS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "query-service/index/store/stored_record.h"

namespace bulletin {

struct DocumentMeta {
  // Null once the document is dead. Shared with checkpoints
  // (BulletinIndex::TakeCheckpoint), which may outlive the document.
  std::shared_ptr<const StoredRecord> record;
  // Filter and facet value ids (value_dictionary.h), ascending.
  std::vector<uint32_t> value_ids;
  // Where the lead and the item segments start among the document's
  // positions (gram_index.h): a phrase's field is known from its start.
  uint32_t lead_start = 0;
  uint32_t item_start = 0;
  // Bytes of the text fields as stored, for Stats.
  uint32_t text_bytes = 0;
  // Bit s set when text segment s (TextSegmentsOf order) is not its own
  // fold; segments from 64 on count as set. A hit's text is matched in the
  // segments that fold to themselves as they stand (the common case:
  // simplified text), so one paragraph with an acronym or in Traditional
  // characters does not cost folding the whole bulletin.
  uint64_t segments_to_fold = ~uint64_t{0};
};

// What ranking reads for every matching document, kept apart from
// DocumentMeta so that scoring a long list touches 16 bytes a document.
struct DocumentRank {
  // record->seq().
  uint64_t seq = 0;
  // Folded length with field weights, for BM25 length normalization.
  float weighted_length = 0;
  bool live = true;
};

struct Corpus {
  std::vector<DocumentMeta> documents;
  // ranks[doc] belongs to documents[doc].
  std::vector<DocumentRank> ranks;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_CORPUS_H_
