// A deterministic generator of realistic Chinese news bulletins for the
// index benchmark: round-ups of district meetings across many provinces,
// with officials, titles, reporters, topics and stock phrases drawn from
// Zipf distributions so that some terms are everywhere and many are rare
// (most personal names occur a handful of times). About one bulletin in
// twenty is written in traditional characters, and some text carries Latin
// words and numbers.
//
//   std::vector<v1::Bulletin> corpus = GenerateCorpus({.min_items = 100000});
//
// The same options always give the same corpus, on any machine: the
// generator uses its own PRNG and no std:: distributions (whose output is
// implementation-defined).
//
// Thread-safe: pure function.

#ifndef BULLETIN_BENCH_INDEX_CORPUS_GENERATOR_H_
#define BULLETIN_BENCH_INDEX_CORPUS_GENERATOR_H_

#include <cstdint>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"

namespace bulletin::bench {

struct CorpusOptions {
  // Generate bulletins until their items number at least this many.
  int64_t min_items = 100000;
  uint64_t seed = 20211123;
  // When above 0, stop after this many bulletins even if their items are
  // fewer than min_items: the result is then the first max_bulletins
  // bulletins of the corpus the same options make without it, at the cost
  // of those alone (bench/load takes a few hundred bulletins of a chunk).
  int64_t max_bulletins = 0;
};

// Bulletins with ids "b000000", "b000001", ... and seq 1, 2, ...
std::vector<v1::Bulletin> GenerateCorpus(const CorpusOptions& options);

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_INDEX_CORPUS_GENERATOR_H_
