// BM25 relevance with field weights (a BM25F simplification): a term's
// occurrences count 3x in headline fields, 2x in lead fields and 1x in
// items, and document length is weighted the same way.
//
//   Bm25 bm25(/*live_documents=*/n, /*average_length=*/avg);
//   double score = bm25.TermScore(bm25.Idf(df), WeightedCount(counts), len);
//
// Thread-safe: immutable.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_SCORING_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_SCORING_H_

#include <algorithm>
#include <cstdint>

#include "query-service/index/text/text_segments.h"

namespace bulletin {

class Bm25 {
 public:
  Bm25(int64_t live_documents, double average_length)
      : documents_(live_documents),
        average_length_(average_length),
        length_factor_(average_length > 0 ? kK1 * kB / average_length : 0),
        length_base_(average_length > 0 ? kK1 * (1 - kB) : kK1) {}

  // Inverse document frequency of a term found in `df` documents.
  double Idf(int64_t df) const;

  // The contribution of one term to a document's score.
  double TermScore(double idf, double weighted_count,
                   double weighted_length) const {
    if (weighted_count <= 0) return 0;
    // k1 * (1 - b + b * length / average), with the division done once.
    return idf * weighted_count * (kK1 + 1) /
           (weighted_count + length_base_ + length_factor_ * weighted_length);
  }

  // What TermScore approaches as the count grows: more than any document
  // can score for the term.
  static double MostTermScore(double idf) { return idf * (kK1 + 1); }

  // A bound summed apart from the scores it bounds may fall below them by
  // rounding (a few ulps); a search compares this instead.
  static double WithRoundingMargin(double bound) { return bound * (1 + 1e-9); }

  // TermScore / MostTermScore for documents averaging `average_length`:
  // in [0, 1), non-decreasing in the count, non-increasing in the length.
  // What a frozen posting block keeps the largest of (postings.h's
  // Saturation), at the average of its freeze.
  static double Saturation(double weighted_count, double weighted_length,
                           double average_length) {
    if (weighted_count <= 0) return 0;
    return weighted_count /
           (weighted_count + kK1 * (1 - kB) +
            kK1 * kB * weighted_length / std::max(average_length, 1.0));
  }

  // The most TermScore can be in a block whose entries' Saturation at
  // `reference_length` is at most `saturation`. With a longer average now,
  // length weighs less, and a score may be up to average / reference
  // times the block's: the length term shrinks by that ratio at most.
  double BlockScoreBound(double idf, double saturation,
                         double reference_length) const {
    if (average_length_ <= 0) return MostTermScore(idf);
    const double widen =
        std::max(1.0, average_length_ / std::max(reference_length, 1.0));
    return MostTermScore(idf) * std::min(1.0, saturation * widen);
  }

 private:
  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;
  int64_t documents_;
  double average_length_;
  // The length normalization k1 * (1 - b + b * length / average) as
  // base + factor * length (just k1 when there is no average yet).
  double length_factor_;
  double length_base_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_SCORING_H_
