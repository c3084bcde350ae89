// The image of an index that a snapshot holds (docs/index-format.md,
// "Snapshots"): BulletinIndex's documents, records, filter values and
// posting lists as bytes, and back. A load reads the posting lists as they
// were merged, rather than building them again from the records: what
// makes a restart from a snapshot a small part of a replay.
//
//   IndexImage image = ...;          // taken under the index's lock
//   absl::Status written = WriteIndexImage(image, write);
//   ...
//   absl::StatusOr<ReadImage> read = ReadIndexImage(read_bytes, seq);
//
// Thread-safety: functions of their arguments.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_INDEX_IMAGE_H_
#define BULLETIN_QUERY_SERVICE_INDEX_INDEX_IMAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "query-service/index/postings/gram_index.h"
#include "query-service/index/store/corpus.h"
#include "query-service/index/store/store_dictionary.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {

// A bulletin retracted and not brought back since (BulletinIndex::
// ChangesSince): its id and the retraction's seq.
struct RetractedBulletin {
  std::string id;
  uint64_t seq = 0;
};

// An index as one moment left it: its tiers not yet merged.
struct IndexImage {
  // Every document numbered, live or dead.
  std::vector<DocumentRank> ranks;
  // The live ones, ascending, each with its meta (record included).
  std::vector<uint32_t> live_documents;
  std::vector<DocumentMeta> live_metas;
  GramIndex::Tiers grams;
  ValueDictionary::Contents dictionary;
  std::vector<RetractedBulletin> retracted;
};

// Merges `image`'s tiers, dropping the dead documents' postings, and
// writes it through `write`.
absl::Status WriteIndexImage(
    const IndexImage& image,
    absl::FunctionRef<absl::Status(absl::string_view bytes)> write);

// An image read back, checked to fit together; what an empty index takes.
struct ReadImage {
  // documents sized as ranks; the live ones with their records.
  Corpus corpus;
  std::shared_ptr<const GramIndex::FrozenTier> grams;
  std::string dictionary_arena;
  std::vector<ValueDictionary::Value> dictionary_values;
  std::shared_ptr<const ValueDictionary::FrozenLists> dictionary_lists;
  // The dictionaries the records were compressed with.
  std::vector<std::shared_ptr<const StoreDictionary>> store_dictionaries;
  std::vector<RetractedBulletin> retracted;
};

// Reads an image through `read` (which fills `size` bytes at `into`, or
// fails). DATA_LOSS when the bytes do not make one, or when a record's or a
// retraction's seq is above `applied_seq`.
absl::StatusOr<ReadImage> ReadIndexImage(
    absl::FunctionRef<absl::Status(char* into, size_t size)> read,
    uint64_t applied_seq);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_INDEX_IMAGE_H_
