// A zstd dictionary for the stored records' text (stored_record.h), trained
// on a sample of the corpus: what one bulletin shares with the others
// (phrases of the genre, names of bodies and places, protobuf field tags)
// is kept once here instead of once per record, which per-record frames
// could not find on their own.
//
//   absl::StatusOr<std::shared_ptr<const StoreDictionary>> dictionary =
//       StoreDictionary::Train(samples, /*generation=*/1);
//   ZSTD_DCtx_refDDict(dctx, (*dictionary)->decompression());
//
// It holds what decompression needs; the one compressor of an index
// (record_compressor.h) digests its newest dictionary for compression.
//
// Thread-safety: immutable after construction; any number of threads may
// use it at once (zstd's digested dictionaries are read-only).

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_STORE_DICTIONARY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_STORE_DICTIONARY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

struct ZSTD_DDict_s;

namespace bulletin {

class StoreDictionary {
 public:
  // Trains a dictionary of at most `max_bytes` on `samples`.
  // FAILED_PRECONDITION when zstd finds too little in them to train on (too
  // few or too small).
  static absl::StatusOr<std::shared_ptr<const StoreDictionary>> Train(
      const std::vector<std::string>& samples, size_t max_bytes,
      uint32_t generation);

  // A dictionary as bytes() gave it (a snapshot), DATA_LOSS when zstd
  // refuses them.
  static absl::StatusOr<std::shared_ptr<const StoreDictionary>> FromBytes(
      std::string bytes, uint32_t generation);

  ~StoreDictionary();
  StoreDictionary(const StoreDictionary&) = delete;
  StoreDictionary& operator=(const StoreDictionary&) = delete;

  const std::string& bytes() const { return bytes_; }
  // Trainings are numbered from 1 as the corpus grows: a later one was
  // trained on more of it.
  uint32_t generation() const { return generation_; }
  const ZSTD_DDict_s* decompression() const { return ddict_; }

  // Heap bytes held, for Stats.
  size_t SpaceUsed() const;

 private:
  StoreDictionary(std::string bytes, uint32_t generation);

  std::string bytes_;
  uint32_t generation_;
  ZSTD_DDict_s* ddict_ = nullptr;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_STORE_DICTIONARY_H_
