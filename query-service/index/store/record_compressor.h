// Makes the index's stored records (stored_record.h), and keeps the zstd
// dictionary they are compressed with trained on the corpus: first once
// `first_training` records have been stored, then each time the count has
// doubled, on a sample of the records stored since the last training. A
// record keeps the dictionary it was compressed with; a new one serves the
// records stored after it.
//
//   RecordCompressor compressor;             // RecordCompressor::Options{}
//   std::shared_ptr<const StoredRecord> stored =
//       compressor.Store(std::move(bulletin));
//
// Why retrain: what bulletins share (bodies, places, the genre's phrases)
// drifts as an archive grows; a dictionary from the first thousand
// compresses the millionth less well. Doubling bounds the trainings to
// about 20 in a replica's life, each on at most max_sample_bytes.
//
// Thread-safety: not thread-safe; one thread (the index's applier) uses it.
// The records it makes are immutable and shared freely.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_RECORD_COMPRESSOR_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_RECORD_COMPRESSOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"
#include "query-service/index/store/store_dictionary.h"
#include "query-service/index/store/stored_record.h"

namespace bulletin {

class RecordCompressor {
 public:
  // The defaults are what bench/store measured best on the load corpus
  // (docs/benchmarks.md, "Replica memory").
  struct Options {
    // Records stored before the first training.
    uint64_t first_training = 1000;
    // zstd levels of the text frames (with the dictionary) and of the rest
    // frames.
    int text_level = 3;
    int rest_level = 3;
    // The largest dictionary trained, and the most text a training reads
    // (zstd's trainer takes time in proportion; it gains little from more).
    size_t dictionary_bytes = 64 << 10;
    size_t max_sample_bytes = 1 << 20;
  };

  RecordCompressor() : RecordCompressor(Options{}) {}
  explicit RecordCompressor(const Options& options);
  ~RecordCompressor();
  RecordCompressor(const RecordCompressor&) = delete;
  RecordCompressor& operator=(const RecordCompressor&) = delete;

  // `bulletin` as a stored record; trains a dictionary first when it is
  // time (which takes up to about a second).
  std::shared_ptr<const StoredRecord> Store(v1::Bulletin bulletin);

  // Goes on as if it had stored `records` records, the last ones with
  // `dictionary` (null: none): after a snapshot load.
  void Resume(std::shared_ptr<const StoreDictionary> dictionary,
              uint64_t records);

  // The dictionary new records get; null until the first training.
  const std::shared_ptr<const StoreDictionary>& dictionary() const {
    return dictionary_;
  }

 private:
  void Use(std::shared_ptr<const StoreDictionary> dictionary);
  void TrainIfDue();

  const Options options_;
  ZSTD_CCtx_s* context_;
  std::shared_ptr<const StoreDictionary> dictionary_;
  // dictionary_ digested for compression; null with it.
  ZSTD_CDict_s* digested_ = nullptr;
  uint64_t stored_ = 0;
  uint64_t next_training_;
  // Every sample_stride_-th text payload since the last training, up to
  // options_.max_sample_bytes.
  std::vector<std::string> samples_;
  size_t sample_bytes_ = 0;
  uint64_t sample_stride_ = 1;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_RECORD_COMPRESSOR_H_
