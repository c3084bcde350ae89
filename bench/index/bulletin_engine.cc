// Our index, driven through its public API exactly as query-service does.

#include <string>

#include "bench/index/engine.h"
#include "query-service/index/bulletin_index.h"

namespace bulletin::bench {
namespace {

class BulletinEngine : public Engine {
 public:
  std::string name() const override { return "bulletin (this index)"; }

  absl::Status Build(const std::vector<BenchDocument>& documents) override {
    for (const BenchDocument& d : documents) index_.Apply(*d.log_record);
    index_.Compact();
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Search(const BenchQuery& query) override {
    v1::SearchRequest request;
    std::string text;
    for (const std::string& term : query.terms) {
      text += "\"" + term + "\" ";
    }
    request.set_query(text);
    if (!query.region.empty())
      request.mutable_filters()->add_regions(query.region);
    request.set_limit(10);
    // The peers count every match, and the bench checks the count.
    request.set_exact_total_hits(true);
    absl::StatusOr<v1::SearchResponse> response = index_.Search(request);
    if (!response.ok()) return response.status();
    return response->total_hits();
  }

  int64_t IndexBytes() const override { return index_.Stats().index_bytes(); }

  int64_t TextBytes() const { return index_.Stats().text_bytes(); }

 private:
  BulletinIndex index_;
};

}  // namespace

std::unique_ptr<Engine> MakeBulletinEngine() {
  return std::make_unique<BulletinEngine>();
}

}  // namespace bulletin::bench
