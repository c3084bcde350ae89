// Bm25's block bounds (scoring.h) against the scores they bound: a frozen
// block keeps the largest Saturation of its entries at a reference length
// (postings.h, rounded by LengthBound and SaturationBound), and a search
// passes over the block when BlockScoreBound of it cannot reach its page.
// If the bound were ever below a score it bounds, a search would drop a
// hit that belongs on its page.

#include "query-service/index/query/scoring.h"

#include <cstdint>
#include <random>

#include "gtest/gtest.h"
#include "query-service/index/postings/postings.h"

namespace bulletin {
namespace {

TEST(ScoringTest, BlockScoreBoundIsNeverBelowTheScoreItBounds) {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> length(0, 70000);
  int widened = 0;
  for (int trial = 0; trial < 200000; ++trial) {
    const double weighted_count = 1 + random() % 400;
    // Lengths from none to past what 16 bits hold; averages both sides of
    // the reference, so that the widening is needed half the time.
    const float document_length = static_cast<float>(
        trial % 10 == 0 ? 0 : length(random) / (1 + random() % 50));
    const uint16_t reference =
        LengthBound(static_cast<float>(1 + random() % 5000));
    const double average_now = (trial % 3 == 0 ? 0.5 : 1.0 + random() % 8000);
    const int64_t documents = 1 + random() % 2000000;
    const Bm25 bm25(documents, average_now);
    const double idf = bm25.Idf(1 + random() % documents);

    const double score = bm25.TermScore(idf, weighted_count, document_length);
    const uint32_t kept = SaturationBound(Bm25::Saturation(
        weighted_count, LengthBound(document_length), reference));
    const double bound = bm25.BlockScoreBound(
        idf, static_cast<double>(kept) / kFullSaturation, reference);
    ASSERT_GE(Bm25::WithRoundingMargin(bound), score)
        << "count " << weighted_count << " length " << document_length
        << " reference " << reference << " average " << average_now;
    ASSERT_LE(bound, Bm25::MostTermScore(idf));
    // Without the widening, a longer average than the reference would let
    // the score pass the kept saturation.
    if (average_now > reference &&
        score > Bm25::MostTermScore(idf) * kept / kFullSaturation) {
      ++widened;
    }
  }
  EXPECT_GT(widened, 1000);
}

}  // namespace
}  // namespace bulletin
