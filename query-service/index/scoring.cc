#include "query-service/index/scoring.h"

#include <cmath>

namespace bulletin {

double WeightedCount(const FieldCounts& counts) {
  double sum = 0;
  for (int k = 0; k < kFieldKindCount; ++k) {
    sum += FieldWeight(static_cast<FieldKind>(k)) * counts[k];
  }
  return sum;
}

double Bm25::Idf(int64_t df) const {
  const double n = static_cast<double>(documents_);
  const double d = static_cast<double>(df);
  return std::log(1.0 + (n - d + 0.5) / (d + 0.5));
}

double Bm25::TermScore(double idf, double weighted_count,
                       double weighted_length) const {
  if (weighted_count <= 0) return 0;
  const double norm =
      average_length_ > 0 ? weighted_length / average_length_ : 1.0;
  return idf * weighted_count * (kK1 + 1) /
         (weighted_count + kK1 * (1 - kB + kB * norm));
}

}  // namespace bulletin
