// Checks that two indexes answer alike: the one a replica built by applying
// the Feed, and the one it loaded from a snapshot of it. Field by field
// (Get of every id the random corpus uses) and query by query (random
// queries from tests/index/random_corpus.h, in both orders, paged, with
// facets and whole bulletins).
//
//   ExpectSameAnswers(replayed, loaded, /*seed=*/7);
//
// Facets are compared whole, display forms included: a snapshot keeps the
// value dictionary as it was.
//
// Thread-safety: call from the test thread.

#ifndef BULLETIN_TESTS_SNAPSHOT_INDEX_EQUALITY_H_
#define BULLETIN_TESTS_SNAPSHOT_INDEX_EQUALITY_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "query-service/index/bulletin_index.h"
#include "tests/index/random_corpus.h"

namespace bulletin::testing {

inline void ExpectSameAnswers(const BulletinIndex& want,
                              const BulletinIndex& got, uint32_t seed) {
  using google::protobuf::util::MessageDifferencer;
  EXPECT_EQ(got.applied_seq(), want.applied_seq());
  EXPECT_EQ(got.log_identity(), want.log_identity());
  const v1::StatsResponse want_stats = want.Stats();
  const v1::StatsResponse got_stats = got.Stats();
  EXPECT_EQ(got_stats.bulletin_count(), want_stats.bulletin_count());
  EXPECT_EQ(got_stats.item_count(), want_stats.item_count());
  EXPECT_EQ(got_stats.text_bytes(), want_stats.text_bytes());
  for (int i = 0; i < 150; ++i) {
    const std::string id = "doc" + std::to_string(i);
    absl::StatusOr<v1::Bulletin> want_bulletin = want.Get(id);
    absl::StatusOr<v1::Bulletin> got_bulletin = got.Get(id);
    ASSERT_EQ(got_bulletin.ok(), want_bulletin.ok()) << id;
    if (want_bulletin.ok()) {
      EXPECT_TRUE(MessageDifferencer::Equals(*got_bulletin, *want_bulletin))
          << id << "\ngot:  " << got_bulletin->ShortDebugString()
          << "\nwant: " << want_bulletin->ShortDebugString();
    }
  }
  std::mt19937 rng(seed);
  for (int q = 0; q < 150; ++q) {
    v1::SearchRequest request;
    request.set_query(RandomQuery(rng).text);
    if (rng() % 3 == 0) {
      request.mutable_filters()->add_regions(
          RandomRegions()[rng() % RandomRegions().size()]);
    }
    if (rng() % 2 == 0) request.set_order(v1::SearchRequest::RECENCY);
    request.add_facets("region");
    request.add_facets("date");
    request.set_include_bulletins(true);
    request.set_limit(1 + static_cast<int>(rng() % 8));
    // Up to three pages: the page tokens must lead to the same pages too.
    for (int page = 0; page < 3; ++page) {
      absl::StatusOr<v1::SearchResponse> want_page = want.Search(request);
      absl::StatusOr<v1::SearchResponse> got_page = got.Search(request);
      ASSERT_TRUE(want_page.ok()) << want_page.status();
      ASSERT_TRUE(got_page.ok()) << got_page.status();
      SCOPED_TRACE(request.ShortDebugString());
      EXPECT_EQ(got_page->total_hits(), want_page->total_hits());
      EXPECT_EQ(got_page->applied_seq(), want_page->applied_seq());
      EXPECT_EQ(got_page->next_page_token(), want_page->next_page_token());
      ASSERT_EQ(got_page->hits_size(), want_page->hits_size());
      for (int i = 0; i < want_page->hits_size(); ++i) {
        EXPECT_TRUE(
            MessageDifferencer::Equals(got_page->hits(i), want_page->hits(i)))
            << "hit " << i << "\ngot:  " << got_page->hits(i).ShortDebugString()
            << "\nwant: " << want_page->hits(i).ShortDebugString();
      }
      ASSERT_EQ(got_page->facets_size(), want_page->facets_size());
      for (int i = 0; i < want_page->facets_size(); ++i) {
        EXPECT_TRUE(MessageDifferencer::Equals(got_page->facets(i),
                                               want_page->facets(i)))
            << "got:  " << got_page->facets(i).ShortDebugString()
            << "\nwant: " << want_page->facets(i).ShortDebugString();
      }
      if (want_page->next_page_token().empty()) break;
      request.set_page_token(want_page->next_page_token());
    }
  }
}

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_SNAPSHOT_INDEX_EQUALITY_H_
