// Checks Search against a brute-force scan over many random bulletins,
// queries, corrections and retractions. The scan folds each field with
// FoldText and looks for each term with std::string::find: if the index
// ever disagrees, it either missed or invented a hit.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "query-service/index/bulletin_index.h"
#include "query-service/index/fold.h"
#include "tests/index/random_corpus.h"

namespace bulletin {
namespace {

struct Expected {
  std::string id;
  std::vector<std::string> folded_fields;
  std::set<std::string> folded_regions;
};

TEST(RandomizedSearchTest, AgreesWithBruteForce) {
  std::mt19937 rng(20240611);
  BulletinIndex index;
  std::map<std::string, Expected> live;
  uint64_t seq = 0;
  for (int round = 0; round < 60; ++round) {
    for (int change = 0; change < 40; ++change) {
      const v1::LogRecord record = testing::RandomChange(rng, ++seq);
      index.Apply(record);
      if (record.has_retraction()) {
        live.erase(record.retraction().id());
        continue;
      }
      const v1::Bulletin& b = record.upsert();
      Expected e{b.id(), {}, {}};
      e.folded_fields.push_back(FoldText(b.headline()));
      e.folded_fields.push_back(FoldText(b.lead()));
      for (const v1::Item& item : b.items()) {
        e.folded_fields.push_back(FoldText(item.text()));
        e.folded_regions.insert(FoldText(item.organization().region()));
      }
      live[b.id()] = e;
    }
    if (round % 7 == 3) index.Compact();
    for (int q = 0; q < 25; ++q) {
      const testing::RandomQueryText random_query = testing::RandomQuery(rng);
      const std::string& query = random_query.text;
      const std::vector<std::string>& terms = random_query.folded_terms;
      const std::vector<std::string>& excluded = random_query.folded_excluded;
      v1::SearchRequest request;
      request.set_query(query);
      request.set_limit(1000);
      std::string region;
      if (rng() % 3 == 0) {
        region =
            testing::RandomRegions()[rng() % testing::RandomRegions().size()];
        request.mutable_filters()->add_regions(region);
      }
      std::set<std::string> want;
      for (const auto& entry : live) {
        // Named, not a structured binding: clang 14 cannot capture one.
        const auto& e = entry.second;
        auto contains = [&e](const std::string& term) {
          return std::any_of(e.folded_fields.begin(), e.folded_fields.end(),
                             [&](const std::string& f) {
                               return f.find(term) != std::string::npos;
                             });
        };
        if (!std::all_of(terms.begin(), terms.end(), contains)) continue;
        if (std::any_of(excluded.begin(), excluded.end(), contains)) continue;
        if (!region.empty() && !e.folded_regions.count(FoldText(region))) {
          continue;
        }
        want.insert(entry.first);
      }
      absl::StatusOr<v1::SearchResponse> response = index.Search(request);
      ASSERT_TRUE(response.ok()) << response.status();
      std::set<std::string> got;
      for (const v1::Hit& hit : response->hits()) got.insert(hit.bulletin_id());
      ASSERT_EQ(got, want) << "query: " << query << " region: " << region;
      ASSERT_EQ(response->total_hits(), static_cast<int64_t>(want.size()));
    }
  }
}

}  // namespace
}  // namespace bulletin
