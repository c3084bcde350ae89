#include "query-service/index/query/scoring.h"

#include <cmath>

namespace bulletin {

double Bm25::Idf(int64_t df) const {
  const double n = static_cast<double>(documents_);
  const double d = static_cast<double>(df);
  return std::log(1.0 + (n - d + 0.5) / (d + 0.5));
}

}  // namespace bulletin
