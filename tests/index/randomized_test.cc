// Checks Search against a brute-force scan over many random bulletins,
// queries, corrections and retractions. The scan folds each field with
// FoldText and looks for each term with std::string::find: if the index
// ever disagrees, it either missed or invented a hit.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/index/text/fold.h"
#include "tests/index/random_corpus.h"

namespace bulletin {
namespace {

using ::google::protobuf::util::MessageDifferencer;

struct Expected {
  std::string id;
  std::vector<std::string> folded_fields;
  std::set<std::string> folded_regions;
  std::string date;
};

// Whether one of `folded_fields` holds the folded `term`.
bool Holds(const std::vector<std::string>& folded_fields,
           const std::string& term) {
  return std::any_of(folded_fields.begin(), folded_fields.end(),
                     [&term](const std::string& f) {
                       return f.find(term) != std::string::npos;
                     });
}

// A hit as the order sees it.
struct Placed {
  std::string id;
  double score;
  uint64_t seq;
  std::string date;
  bool operator==(const Placed& other) const {
    return id == other.id && score == other.score && seq == other.seq &&
           date == other.date;
  }
};

std::ostream& operator<<(std::ostream& out, const Placed& p) {
  return out << p.id << "@" << p.seq << "=" << p.score << "/" << p.date;
}

std::vector<Placed> PlacedHits(const v1::SearchResponse& response) {
  std::vector<Placed> out;
  for (const v1::Hit& hit : response.hits()) {
    out.push_back(
        Placed{hit.bulletin_id(), hit.score(), hit.seq(), hit.date()});
  }
  return out;
}

// Whether `a` may come right before `b` in `order` (query.proto's Order):
// relevance by score, then newest seq; recency by newest seq; the date
// orders by date (undated last), then newest seq.
bool InOrder(v1::SearchRequest::Order order, const Placed& a, const Placed& b) {
  switch (order) {
    case v1::SearchRequest::DATE_DESCENDING:
    case v1::SearchRequest::DATE_ASCENDING:
      if (a.date != b.date) {
        if (a.date.empty() || b.date.empty()) return b.date.empty();
        return order == v1::SearchRequest::DATE_DESCENDING ? a.date > b.date
                                                           : a.date < b.date;
      }
      return a.seq > b.seq;
    case v1::SearchRequest::RECENCY:
      return a.seq > b.seq;
    default:
      return a.score > b.score || (a.score == b.score && a.seq > b.seq);
  }
}

// Every page of `request` (its page size, without its facets), following
// the page tokens; checks each page's total against the true count `want`
// and the index's threshold. Those totals are counted without
// exact_total_hits, so they may stop short; the pages may not.
// Adds to *lower_bounds the pages whose total was a lower bound.
std::vector<Placed> AllPages(const BulletinIndex& index,
                             v1::SearchRequest request, int64_t want,
                             int64_t threshold, int* lower_bounds) {
  request.clear_facets();
  std::vector<Placed> out;
  for (int page = 0; page < 1000; ++page) {
    absl::StatusOr<v1::SearchResponse> response = index.Search(request);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) break;
    // A lower bound never exceeds the true count; a count marked exact is
    // exact, and under the threshold it is always exact.
    EXPECT_LE(response->total_hits(), want);
    if (!response->total_hits_is_lower_bound() || request.exact_total_hits()) {
      EXPECT_EQ(response->total_hits(), want);
    }
    if (want < threshold || request.exact_total_hits()) {
      EXPECT_FALSE(response->total_hits_is_lower_bound());
    }
    *lower_bounds += response->total_hits_is_lower_bound() ? 1 : 0;
    for (const Placed& p : PlacedHits(*response)) out.push_back(p);
    if (response->next_page_token().empty()) break;
    request.set_page_token(response->next_page_token());
  }
  return out;
}

TEST(RandomizedSearchTest, AgreesWithBruteForce) {
  std::mt19937 rng(20240611);
  BulletinIndex index;
  std::map<std::string, Expected> live;
  uint64_t seq = 0;
  int lower_bounds = 0;
  for (int round = 0; round < 60; ++round) {
    for (int change = 0; change < 40; ++change) {
      const v1::LogRecord record = testing::RandomChange(rng, ++seq);
      index.Apply(record);
      if (record.has_retraction()) {
        live.erase(record.retraction().id());
        continue;
      }
      const v1::Bulletin& b = record.upsert();
      Expected e{b.id(), {}, {}, b.date()};
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
          return Holds(e.folded_fields, term);
        };
        if (!std::all_of(terms.begin(), terms.end(), contains)) continue;
        if (std::any_of(excluded.begin(), excluded.end(), contains)) continue;
        if (!region.empty() && !e.folded_regions.count(FoldText(region))) {
          continue;
        }
        want.insert(entry.first);
      }
      // Every order, over bulletins of a few dates and undated ones.
      request.set_order(static_cast<v1::SearchRequest::Order>(rng() % 4));
      request.set_exact_total_hits(true);
      request.add_facets("region");
      absl::StatusOr<v1::SearchResponse> response = index.Search(request);
      ASSERT_TRUE(response.ok()) << response.status();
      std::set<std::string> got;
      for (const v1::Hit& hit : response->hits()) got.insert(hit.bulletin_id());
      ASSERT_EQ(got, want) << "query: " << query << " region: " << region;
      ASSERT_EQ(response->total_hits(), static_cast<int64_t>(want.size()));
      ASSERT_FALSE(response->total_hits_is_lower_bound());

      // Region facet counts: matches per folded region (a facet shows the
      // first spelling the index saw, so the counts are compared folded).
      std::map<std::string, int64_t> want_regions;
      for (const std::string& id : want) {
        for (const std::string& r : live.at(id).folded_regions) {
          if (!r.empty()) ++want_regions[r];
        }
      }
      std::map<std::string, int64_t> got_regions;
      ASSERT_EQ(response->facets_size(), 1);
      for (const v1::FacetValue& v : response->facets(0).values()) {
        got_regions[FoldText(v.value())] += v.count();
      }
      ASSERT_EQ(got_regions, want_regions) << "query: " << query;

      // The order the request asked for, each hit with its bulletin's date.
      const std::vector<Placed> exact = PlacedHits(*response);
      for (size_t i = 0; i < exact.size(); ++i) {
        ASSERT_EQ(exact[i].date, live.at(exact[i].id).date);
        if (i == 0) continue;
        ASSERT_TRUE(InOrder(request.order(), exact[i - 1], exact[i]))
            << "query: " << query << " order " << request.order() << " at " << i
            << ": " << exact[i - 1] << " before " << exact[i];
      }

      // Pages of a few hits, pruned past a small threshold, put together
      // are the exact order, ties and all; so are exact ones.
      const int64_t threshold = rng() % 6;
      index.SetTotalHitsThreshold(threshold);
      v1::SearchRequest paged = request;
      paged.set_limit(1 + rng() % 7);
      paged.set_exact_total_hits(false);
      ASSERT_EQ(AllPages(index, paged, static_cast<int64_t>(want.size()),
                         threshold, &lower_bounds),
                exact)
          << "query: " << query << " limit " << paged.limit() << " threshold "
          << threshold;
      paged.set_exact_total_hits(true);
      ASSERT_EQ(AllPages(index, paged, static_cast<int64_t>(want.size()),
                         threshold, &lower_bounds),
                exact)
          << "query: " << query;
    }
  }
  // The thresholds were low enough that many searches stopped counting.
  EXPECT_GT(lower_bounds, 100);
}

// Block-max pruning (match_finder.h) needs frozen lists of many blocks,
// and one-character terms need bounds per block of documents, which the
// test above, with at most 150 live bulletins, barely has: here
// thousands are compacted into one frozen tier, then corrected and
// retracted in part (dead postings stay until the next freeze), and every
// pruned first page must be the exact one, its total never above the true
// count.
TEST(RandomizedSearchTest, PrunedPagesAreTheExactOnes) {
  std::mt19937 rng(20261207);
  BulletinIndex index;
  // One-character terms bounded however rare (GramIndex's character
  // bounds), as common ones are in a large archive.
  index.SetBoundedCharacterEntriesForTesting(1);
  uint64_t seq = 0;
  for (int change = 0; change < 6000; ++change) {
    index.Apply(testing::RandomChange(rng, ++seq, /*ids=*/5000));
  }
  index.Compact();
  for (int change = 0; change < 300; ++change) {
    index.Apply(testing::RandomChange(rng, ++seq, /*ids=*/5000));
  }
  int lower_bounds = 0;
  // Lower bounds of queries of one- and two-character terms only, which
  // only passing over blocks gives (a phrase's candidates are pruned one
  // by one).
  int block_lower_bounds = 0;
  auto search_and_compare = [&](int queries) {
    for (int q = 0; q < queries; ++q) {
      const testing::RandomQueryText query = testing::RandomQuery(rng);
      v1::SearchRequest request;
      request.set_query(query.text);
      request.set_limit(1 + rng() % 10);
      if (rng() % 4 == 0) {
        request.mutable_filters()->add_regions(
            testing::RandomRegions()[rng() % testing::RandomRegions().size()]);
      }
      request.set_exact_total_hits(true);
      index.SetTotalHitsThreshold(1 << 30);
      absl::StatusOr<v1::SearchResponse> exact = index.Search(request);
      ASSERT_TRUE(exact.ok()) << exact.status();
      ASSERT_FALSE(exact->total_hits_is_lower_bound());
      v1::SearchRequest pruned_request = request;
      pruned_request.set_exact_total_hits(false);
      const int64_t threshold = rng() % 20;
      index.SetTotalHitsThreshold(threshold);
      absl::StatusOr<v1::SearchResponse> pruned = index.Search(pruned_request);
      ASSERT_TRUE(pruned.ok()) << pruned.status();
      ASSERT_EQ(PlacedHits(*pruned), PlacedHits(*exact))
          << "query: " << request.query() << " limit " << request.limit()
          << " threshold " << threshold;
      ASSERT_EQ(pruned->next_page_token().empty(),
                exact->next_page_token().empty());
      ASSERT_LE(pruned->total_hits(), exact->total_hits());
      if (!pruned->total_hits_is_lower_bound()) {
        ASSERT_EQ(pruned->total_hits(), exact->total_hits());
      } else {
        ++lower_bounds;
        auto short_term = [](const std::string& term) {
          // Code points: bytes that do not continue one.
          return std::count_if(term.begin(), term.end(), [](char c) {
                   return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
                 }) <= 2;
        };
        if (query.folded_excluded.empty() &&
            std::all_of(query.folded_terms.begin(), query.folded_terms.end(),
                        short_term)) {
          ++block_lower_bounds;
        }
      }
      // The second page, from each first page's token, is the same too.
      if (exact->next_page_token().empty()) continue;
      request.set_page_token(exact->next_page_token());
      pruned_request.set_page_token(pruned->next_page_token());
      index.SetTotalHitsThreshold(1 << 30);
      absl::StatusOr<v1::SearchResponse> exact_next = index.Search(request);
      index.SetTotalHitsThreshold(threshold);
      absl::StatusOr<v1::SearchResponse> pruned_next =
          index.Search(pruned_request);
      ASSERT_TRUE(exact_next.ok() && pruned_next.ok());
      ASSERT_EQ(PlacedHits(*pruned_next), PlacedHits(*exact_next))
          << "second page of " << request.query();
    }
  };
  search_and_compare(300);
  // Much longer bulletins since the freeze: the average length grows past
  // the frozen blocks' reference, which a bound must widen by (scoring.h).
  for (int i = 0; i < 1500; ++i) {
    std::vector<std::string> items;
    for (int n = 0; n < 4; ++n) items.push_back(testing::RandomText(rng, 400));
    index.Apply(testing::Upsert(
        ++seq, testing::MakeBulletin("long" + std::to_string(i),
                                     testing::RandomText(rng, 30),
                                     testing::RandomText(rng, 300), items)));
  }
  search_and_compare(300);
  EXPECT_GT(lower_bounds, 100);
  EXPECT_GT(block_lower_bounds, 20);
}

// Facet counts (facets.h) against a brute-force count, field by field, on
// an index large enough to have frozen lists of many blocks: a faceted
// search whose one term is two characters marks the blocks that cannot
// make its page from their lists, dead documents included, and masks them
// with the live documents (match_finder.h); the columned fields (region,
// date) are counted from their columns, by the matches or, when most
// bulletins match, by the complement (facet_columns.h); organization kind,
// province and people from the dictionary. Each after corrections
// and retractions, a compaction, corrections after it (dead postings and a
// recent tier) and a freeze, with pages of a few hits (blocks judged
// against a full page) and small facet sizes (the values shown are the
// first of the full list, ties ordered by value).
TEST(RandomizedSearchTest, FacetsAgreeWithBruteForce) {
  std::mt19937 rng(20261208);
  BulletinIndex index;
  // Freezes about to be installed (the hook runs before each install).
  std::atomic<int> freezes{0};
  index.SetFreezeHookForTesting([&freezes]() { ++freezes; });
  const std::vector<std::string> provinces = {"重庆市", "四川省", "湖北省"};
  const std::vector<std::string> people = {"王君成", "李明", "张华", "刘濛"};
  const std::vector<v1::Organization::Kind> kinds = {
      v1::Organization::CPPCC, v1::Organization::GOVERNMENT,
      v1::Organization::PARTY_COMMITTEE};
  const std::vector<std::string> fields = {"region", "organization_kind",
                                           "province", "date", "person"};
  struct Values {
    std::vector<std::string> folded_text;
    // Per field of `fields`, its folded values.
    std::vector<std::set<std::string>> by_field;
  };
  std::map<std::string, Values> live;
  uint64_t seq = 0;
  auto change = [&]() {
    v1::LogRecord record = testing::RandomChange(rng, ++seq, /*ids=*/3000);
    if (record.has_upsert()) {
      v1::Bulletin& b = *record.mutable_upsert();
      // Seven in ten hold 政协: a term most bulletins match, counted by
      // the complement.
      if (rng() % 10 < 7) b.set_lead("政协" + b.lead());
      for (v1::Item& item : *b.mutable_items()) {
        item.mutable_organization()->set_province(
            provinces[rng() % provinces.size()]);
        item.mutable_organization()->set_kind(kinds[rng() % kinds.size()]);
      }
      for (int n = rng() % 3; n > 0; --n) {
        b.add_people()->set_name(people[rng() % people.size()]);
      }
    }
    index.Apply(record);
    if (record.has_retraction()) {
      live.erase(record.retraction().id());
      return;
    }
    const v1::Bulletin& b = record.upsert();
    Values v;
    v.by_field.resize(fields.size());
    v.folded_text.push_back(FoldText(b.headline()));
    v.folded_text.push_back(FoldText(b.lead()));
    for (const v1::Item& item : b.items()) {
      v.folded_text.push_back(FoldText(item.text()));
      v.by_field[0].insert(FoldText(item.organization().region()));
      v.by_field[1].insert(
          FoldText(v1::Organization::Kind_Name(item.organization().kind())));
      v.by_field[2].insert(FoldText(item.organization().province()));
    }
    if (!b.date().empty()) v.by_field[3].insert(b.date());
    for (const v1::Person& person : b.people()) {
      v.by_field[4].insert(FoldText(person.name()));
    }
    live[b.id()] = v;
  };
  int complements = 0;
  auto search_and_compare = [&](int queries) {
    for (int q = 0; q < queries; ++q) {
      v1::SearchRequest request;
      std::vector<std::string> terms;
      if (rng() % 3 == 0) {
        terms = testing::RandomQuery(rng).folded_terms;
        for (const std::string& term : terms) {
          request.set_query(request.query() + "\"" + term + "\" ");
        }
      } else {
        // One term of two characters: the blocks that cannot make the page
        // are marked from their lists.
        std::string term = rng() % 2 == 0 ? "政协" : "";
        while (term.empty()) {
          term = testing::RandomText(rng, 2);
          if (term.find(' ') != std::string::npos ||
              FoldText(term).size() != term.size() || term.size() < 4) {
            term.clear();
          }
        }
        terms = {FoldText(term)};
        request.set_query("\"" + term + "\"");
      }
      request.set_limit(1 + rng() % 5);
      for (const std::string& field : fields) request.add_facets(field);
      request.set_facet_size(1000);
      // The page must be the one a search without facets finds. A freeze
      // may be installed between the two (Apply started it), which changes
      // term statistics, hence scores: then both are asked again.
      v1::SearchRequest plain = request;
      plain.clear_facets();
      plain.set_exact_total_hits(true);
      absl::StatusOr<v1::SearchResponse> response;
      absl::StatusOr<v1::SearchResponse> unfaceted;
      for (;;) {
        const int before = freezes.load();
        response = index.Search(request);
        unfaceted = index.Search(plain);
        if (freezes.load() == before) break;
      }
      ASSERT_TRUE(response.ok()) << response.status();
      ASSERT_TRUE(unfaceted.ok()) << unfaceted.status();

      std::vector<std::map<std::string, int64_t>> want(fields.size());
      int64_t matches = 0;
      for (const auto& entry : live) {
        const Values& v = entry.second;
        auto contains = [&v](const std::string& term) {
          return Holds(v.folded_text, term);
        };
        if (!std::all_of(terms.begin(), terms.end(), contains)) continue;
        ++matches;
        for (size_t f = 0; f < fields.size(); ++f) {
          for (const std::string& value : v.by_field[f]) {
            if (!value.empty()) ++want[f][value];
          }
        }
      }
      if (2 * matches > static_cast<int64_t>(live.size())) ++complements;
      SCOPED_TRACE(request.ShortDebugString());
      ASSERT_EQ(response->total_hits(), matches);
      ASSERT_FALSE(response->total_hits_is_lower_bound());
      ASSERT_EQ(response->facets_size(), static_cast<int>(fields.size()));
      for (size_t f = 0; f < fields.size(); ++f) {
        const v1::Facet& facet = response->facets(static_cast<int>(f));
        ASSERT_EQ(facet.field(), fields[f]);
        std::map<std::string, int64_t> got;
        for (int i = 0; i < facet.values_size(); ++i) {
          got[FoldText(facet.values(i).value())] += facet.values(i).count();
          if (i == 0) continue;
          const v1::FacetValue& a = facet.values(i - 1);
          const v1::FacetValue& b = facet.values(i);
          ASSERT_TRUE(a.count() > b.count() ||
                      (a.count() == b.count() && a.value() < b.value()))
              << fields[f] << " at " << i;
        }
        ASSERT_EQ(got, want[f]) << fields[f];
        // Fewer values shown: the first of the full list.
        v1::SearchRequest fewer = request;
        fewer.set_facet_size(1 + static_cast<int>(rng() % 3));
        absl::StatusOr<v1::SearchResponse> few = index.Search(fewer);
        ASSERT_TRUE(few.ok()) << few.status();
        const v1::Facet& shown = few->facets(static_cast<int>(f));
        ASSERT_EQ(shown.values_size(),
                  std::min(facet.values_size(), fewer.facet_size()));
        for (int i = 0; i < shown.values_size(); ++i) {
          ASSERT_TRUE(
              MessageDifferencer::Equals(shown.values(i), facet.values(i)))
              << fields[f] << " at " << i;
        }
      }
      ASSERT_EQ(PlacedHits(*response), PlacedHits(*unfaceted));
      ASSERT_EQ(response->next_page_token().empty(),
                unfaceted->next_page_token().empty());
    }
  };
  for (int i = 0; i < 5000; ++i) change();
  search_and_compare(40);
  index.Compact();
  search_and_compare(40);
  // Corrections and retractions since: dead documents in frozen lists,
  // live ones in the recent tier.
  for (int i = 0; i < 800; ++i) change();
  search_and_compare(40);
  index.Compact();
  for (int i = 0; i < 200; ++i) change();
  search_and_compare(40);
  EXPECT_GT(complements, 20);
}

// The code points of UTF-8 `text`, each as its own UTF-8 string.
std::vector<std::string> CodePoints(const std::string& text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    const size_t length = lead < 0x80   ? 1
                          : lead < 0xE0 ? 2
                          : lead < 0xF0 ? 3
                                        : 4;
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

// The spans MatchSpan should report in one field, found the slow way: fold
// each code point on its own (every character of the random alphabet but
// the space folds to one code point), find every occurrence of every term
// in that sequence, mark the code points as written from the first to the
// last one an occurrence folded from, and report each run of marked code
// points, in code points and in bytes of the text as written.
void BruteForceSpans(const std::string& field, int item_index,
                     const std::string& text,
                     const std::vector<std::string>& folded_terms,
                     std::vector<std::string>* out) {
  const std::vector<std::string> original = CodePoints(text);
  // The folded code points, and the original code point each came from.
  // As fold.h says, a run of white space folds to one space, and leading
  // white space to none.
  std::vector<std::string> folded;
  std::vector<size_t> from;
  bool after_space = true;
  for (size_t i = 0; i < original.size(); ++i) {
    const bool space = original[i] == " ";
    if (space && after_space) continue;
    after_space = space;
    const std::string fold = space ? " " : FoldText(original[i]);
    ASSERT_EQ(CodePoints(fold).size(), 1u) << original[i];
    folded.push_back(fold);
    from.push_back(i);
  }
  std::vector<bool> covered(original.size(), false);
  for (const std::string& term : folded_terms) {
    const std::vector<std::string> t = CodePoints(term);
    for (size_t i = 0; i + t.size() <= folded.size(); ++i) {
      if (std::equal(t.begin(), t.end(), folded.begin() + i)) {
        std::fill(covered.begin() + from[i],
                  covered.begin() + from[i + t.size() - 1] + 1, true);
      }
    }
  }
  size_t byte = 0;
  for (size_t i = 0; i < original.size();) {
    if (!covered[i]) {
      byte += original[i++].size();
      continue;
    }
    const size_t begin = i;
    const size_t begin_byte = byte;
    while (i < original.size() && covered[i]) byte += original[i++].size();
    out->push_back(field + "[" + std::to_string(item_index) + "] " +
                   std::to_string(begin_byte) + "-" + std::to_string(byte) +
                   " " + std::to_string(begin) + "-" + std::to_string(i));
  }
}

// Phrases whose bigrams are in every bulletin: a term_search.h phrase
// skips only its rarer bigrams to each candidate and reads the
// near-universal ones when the positions need them. Every bulletin's lead
// here opens with a stock phrase, and the queries are windows of the
// bulletins' own text, so most of them join its bigrams with rarer ones;
// compacted or not, every search must find exactly the bulletins that hold
// the phrase.
TEST(RandomizedSearchTest, PhrasesOfNearUniversalBigramsAgreeWithBruteForce) {
  std::mt19937 rng(20261207);
  const std::string stock = "政协委员会议";
  BulletinIndex index;
  std::map<std::string, std::vector<std::string>> live;  // folded fields
  uint64_t seq = 0;
  int multi_hit_queries = 0;
  for (int round = 0; round < 12; ++round) {
    for (int change = 0; change < 60; ++change) {
      v1::LogRecord record = testing::RandomChange(rng, ++seq);
      if (record.has_retraction()) {
        index.Apply(record);
        live.erase(record.retraction().id());
        continue;
      }
      v1::Bulletin* b = record.mutable_upsert();
      b->set_lead(stock + b->lead());
      index.Apply(record);
      std::vector<std::string>& fields = live[b->id()];
      fields = {FoldText(b->headline()), FoldText(b->lead())};
      for (const v1::Item& item : b->items()) {
        fields.push_back(FoldText(item.text()));
      }
    }
    if (round % 3 == 1) index.Compact();
    if (live.empty()) continue;
    for (int q = 0; q < 40; ++q) {
      // A window of 3 to 8 code points of some bulletin's lead.
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      const std::vector<std::string> cps = CodePoints(it->second[1]);
      const size_t length = std::min<size_t>(cps.size(), 3 + rng() % 6);
      const size_t start = rng() % (cps.size() - length + 1);
      std::string term;
      for (size_t i = start; i < start + length; ++i) term += cps[i];
      // Quoted, as RandomQuery's terms, so that spaces and punctuation
      // stay in the term; quotes keep no space at either end.
      while (!term.empty() && term.back() == ' ') term.pop_back();
      while (!term.empty() && term.front() == ' ') term.erase(0, 1);
      if (CodePoints(term).size() < 3) continue;
      std::set<std::string> want;
      for (const auto& [id, fields] : live) {
        for (const std::string& field : fields) {
          if (field.find(term) != std::string::npos) {
            want.insert(id);
            break;
          }
        }
      }
      v1::SearchRequest request;
      request.set_query("\"" + term + "\"");
      request.set_limit(1000);
      request.set_exact_total_hits(true);
      absl::StatusOr<v1::SearchResponse> response = index.Search(request);
      ASSERT_TRUE(response.ok()) << response.status();
      std::set<std::string> got;
      for (const v1::Hit& hit : response->hits()) got.insert(hit.bulletin_id());
      ASSERT_EQ(got, want) << "query: " << term << " round " << round;
      ASSERT_EQ(response->total_hits(), static_cast<int64_t>(want.size()));
      multi_hit_queries += want.size() > 1 ? 1 : 0;
    }
  }
  // Windows over the stock phrase match many bulletins, not just their own.
  EXPECT_GT(multi_hit_queries, 50);
}

TEST(RandomizedSearchTest, MatchSpansAgreeWithBruteForce) {
  std::mt19937 rng(20261207);
  BulletinIndex index;
  std::map<std::string, v1::Bulletin> live;
  uint64_t seq = 0;
  for (int change = 0; change < 400; ++change) {
    const v1::LogRecord record = testing::RandomChange(rng, ++seq);
    index.Apply(record);
    if (record.has_retraction()) {
      live.erase(record.retraction().id());
    } else {
      live[record.upsert().id()] = record.upsert();
    }
  }
  int spans_checked = 0;
  for (int q = 0; q < 200; ++q) {
    const testing::RandomQueryText query = testing::RandomQuery(rng);
    v1::SearchRequest request;
    request.set_query(query.text);
    request.set_limit(1000);
    request.set_include_matches(true);
    absl::StatusOr<v1::SearchResponse> response = index.Search(request);
    ASSERT_TRUE(response.ok()) << response.status();
    for (const v1::Hit& hit : response->hits()) {
      const v1::Bulletin& b = live.at(hit.bulletin_id());
      std::vector<std::string> want;
      BruteForceSpans("headline", 0, b.headline(), query.folded_terms, &want);
      BruteForceSpans("lead", 0, b.lead(), query.folded_terms, &want);
      for (int i = 0; i < b.items_size(); ++i) {
        BruteForceSpans("items", i, b.items(i).text(), query.folded_terms,
                        &want);
      }
      std::vector<std::string> got;
      for (const v1::MatchSpan& m : hit.matches()) {
        got.push_back(m.field() + "[" + std::to_string(m.item_index()) + "] " +
                      std::to_string(m.begin_byte()) + "-" +
                      std::to_string(m.end_byte()) + " " +
                      std::to_string(m.begin_code_point()) + "-" +
                      std::to_string(m.end_code_point()));
      }
      ASSERT_EQ(got, want) << "query: " << query.text
                           << " bulletin: " << b.ShortDebugString();
      spans_checked += static_cast<int>(got.size());
    }
  }
  // The random corpus is dense enough that this checked many spans.
  EXPECT_GT(spans_checked, 1000);
}

// The hit text cache (query/hit_text_cache.h) changes nothing a search
// answers: an index with a cache small enough to evict all the time, and one
// with none, answer every search alike (hits, snippets, match spans) while
// bulletins are added, corrected and retracted between searches; and every
// hit shows its bulletin's text as it is now.
TEST(RandomizedSearchTest, HitTextCacheChangesNoAnswer) {
  std::mt19937 rng(20261208);
  BulletinIndex cached;
  cached.SetHitTextCacheBytes(16 << 10);
  BulletinIndex uncached;
  uncached.SetHitTextCacheBytes(0);
  std::map<std::string, v1::Bulletin> live;
  uint64_t seq = 0;
  int hits_checked = 0;
  for (int round = 0; round < 40; ++round) {
    for (int change = 0; change < 25; ++change) {
      const v1::LogRecord record = testing::RandomChange(rng, ++seq);
      cached.Apply(record);
      uncached.Apply(record);
      if (record.has_retraction()) {
        live.erase(record.retraction().id());
      } else {
        live[record.upsert().id()] = record.upsert();
      }
    }
    // Both, as scores count the postings of dead versions until then.
    if (round % 9 == 4) {
      cached.Compact();
      uncached.Compact();
    }
    for (int q = 0; q < 20; ++q) {
      v1::SearchRequest request;
      // One search in five without terms: the lead as written.
      if (rng() % 5 != 0) request.set_query(testing::RandomQuery(rng).text);
      request.set_limit(50);
      request.set_include_matches(rng() % 2 == 0);
      request.set_escape_snippet_html(rng() % 4 == 0);
      request.set_order(static_cast<v1::SearchRequest::Order>(rng() % 4));
      absl::StatusOr<v1::SearchResponse> got = cached.Search(request);
      absl::StatusOr<v1::SearchResponse> want = uncached.Search(request);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_TRUE(want.ok()) << want.status();
      ASSERT_EQ(got->SerializeAsString(), want->SerializeAsString())
          << "query: " << request.query();
      for (const v1::Hit& hit : got->hits()) {
        ASSERT_EQ(hit.headline(), live.at(hit.bulletin_id()).headline());
        ++hits_checked;
      }
    }
  }
  EXPECT_GT(hits_checked, 1000);
}

}  // namespace
}  // namespace bulletin
