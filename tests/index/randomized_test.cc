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
#include "tests/index/test_records.h"

namespace bulletin {
namespace {

// A small alphabet so that random terms often hit: simplified and
// traditional forms of the same words, Latin in both cases and widths,
// digits, punctuation and spaces.
const std::vector<std::string> kAlphabet = {
    "会", "會", "议", "議", "委", "员", "員", "政", "协",
    "協", "区", "區", "县", "縣", "刘", "朦", "濛", "a",
    "A",  "Ａ", "b",  "1",  "１", " ",  "，", "。", "的"};
const std::vector<std::string> kRegions = {"忠县", "忠縣", "大渡口区",
                                           "江北区"};

std::string RandomText(std::mt19937& rng, int max_len) {
  std::uniform_int_distribution<int> len(0, max_len);
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string s;
  for (int n = len(rng); n > 0; --n) s += kAlphabet[pick(rng)];
  return s;
}

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
      const std::string id = "doc" + std::to_string(rng() % 150);
      if (rng() % 8 == 0) {
        index.Apply(testing::Retract(++seq, id));
        live.erase(id);
        continue;
      }
      std::vector<std::string> items;
      for (int n = rng() % 4; n > 0; --n) items.push_back(RandomText(rng, 30));
      v1::Bulletin b = testing::MakeBulletin(id, RandomText(rng, 8),
                                             RandomText(rng, 20), items);
      Expected e{id, {}, {}};
      for (int i = 0; i < b.items_size(); ++i) {
        const std::string& region = kRegions[rng() % kRegions.size()];
        b.mutable_items(i)->mutable_organization()->set_region(region);
        e.folded_regions.insert(FoldText(region));
      }
      e.folded_fields.push_back(FoldText(b.headline()));
      e.folded_fields.push_back(FoldText(b.lead()));
      for (const std::string& item : items) {
        e.folded_fields.push_back(FoldText(item));
      }
      index.Apply(testing::Upsert(++seq, b));
      live[id] = e;
    }
    if (round % 7 == 3) index.Compact();
    for (int q = 0; q < 25; ++q) {
      std::vector<std::string> terms;
      std::vector<std::string> excluded;
      std::string query;
      for (int n = 1 + rng() % 2; n > 0; --n) {
        std::string term = RandomText(rng, 4);
        while (!term.empty() && term.back() == ' ') term.pop_back();
        while (!term.empty() && term.front() == ' ') term.erase(0, 1);
        if (term.empty()) term = "会";
        terms.push_back(FoldText(term));
        query += "\"" + term + "\" ";
      }
      if (rng() % 3 == 0) {
        std::string term = kAlphabet[rng() % 17];
        excluded.push_back(FoldText(term));
        query += "-" + term;
      }
      v1::SearchRequest request;
      request.set_query(query);
      request.set_limit(1000);
      std::string region;
      if (rng() % 3 == 0) {
        region = kRegions[rng() % kRegions.size()];
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
