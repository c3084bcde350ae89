// The load corpus is the same whatever part of it a run generates: a
// prefix of a chunk is the chunk's first bulletins, and a shorter list of
// submissions or searches is the start of a longer one. bench/load and
// bench/log generate only the bulletins a run takes, so their figures
// stay comparable with runs that generated whole chunks.

#include "bench/load/corpus_texts.h"

#include <vector>

#include "bench/index/corpus_generator.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace bulletin::load {
namespace {

using ::google::protobuf::util::MessageDifferencer;

TEST(CorpusTextsTest, AtMostSomeBulletinsAreTheFirstOfTheWholeCorpus) {
  bench::CorpusOptions whole;
  whole.min_items = 600;
  const std::vector<v1::Bulletin> corpus = bench::GenerateCorpus(whole);
  ASSERT_GT(corpus.size(), 40u);

  bench::CorpusOptions prefix = whole;
  prefix.max_bulletins = 40;
  const std::vector<v1::Bulletin> first = bench::GenerateCorpus(prefix);
  ASSERT_EQ(first.size(), 40u);
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(first[i], corpus[i])) << i;
  }
}

TEST(CorpusTextsTest, SubmissionsOfARangeAreThoseOfALongerRange) {
  const std::vector<Submission> longer = MakeSubmissions(0, 30);
  const std::vector<Submission> range = MakeSubmissions(20, 10);
  ASSERT_EQ(longer.size(), 30u);
  ASSERT_EQ(range.size(), 10u);
  for (size_t i = 0; i < range.size(); ++i) {
    EXPECT_EQ(range[i].content, longer[20 + i].content) << i;
    EXPECT_EQ(range[i].external_id, longer[20 + i].external_id) << i;
    EXPECT_EQ(range[i].date, longer[20 + i].date) << i;
  }
}

TEST(CorpusTextsTest, FewerSearchesAreTheFirstOfMore) {
  const std::vector<v1::SearchRequest> more = MakeSearches(60);
  const std::vector<v1::SearchRequest> fewer = MakeSearches(25);
  ASSERT_EQ(more.size(), 60u);
  ASSERT_EQ(fewer.size(), 25u);
  for (size_t i = 0; i < fewer.size(); ++i) {
    EXPECT_TRUE(MessageDifferencer::Equals(fewer[i], more[i])) << i;
  }
}

}  // namespace
}  // namespace bulletin::load
