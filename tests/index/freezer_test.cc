// Freezer: merges what the index sealed into frozen tiers, dropping the
// dead documents it names, and hands them to the install function, on its
// own thread (Start) or the caller's (Run); reports each freeze.

#include "query-service/index/freezer.h"

#include <cstdint>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;

// The documents of the bigram 会议 in `grams`.
std::vector<uint32_t> DocsOfMeeting(const GramIndex& grams) {
  std::vector<uint32_t> docs;
  GramIndex::Cursor cursor(grams.Find(U'会', U'议'));
  while (cursor.Next()) docs.push_back(cursor.doc());
  return docs;
}

// Documents 0, 1 and 2, each the one segment 会议, added to `grams`.
void AddThreeMeetings(GramIndex* grams) {
  for (uint32_t doc = 0; doc < 3; ++doc) {
    DocumentText text;
    text.code_points = {U'会', U'议', GramIndex::kEnd};
    text.lead_start = static_cast<uint32_t>(text.code_points.size());
    text.item_start = text.lead_start;
    grams->AddDocument(doc, text);
  }
}

FreezeJob SealDropping(GramIndex* grams, ValueDictionary* dictionary,
                       std::vector<bool> dead) {
  FreezeJob job;
  job.grams = grams->Seal();
  job.dictionary = dictionary->Seal();
  for (bool d : dead) job.dropped += d ? 1 : 0;
  job.dead = std::move(dead);
  job.documents = 3;
  return job;
}

TEST(FreezerTest, RunMergesDropsTheDeadAndInstallsOnTheCallingThread) {
  GramIndex grams;
  ValueDictionary dictionary;
  AddThreeMeetings(&grams);
  std::vector<std::thread::id> installed_on;
  std::vector<BulletinIndex::FreezeReport> reports;
  Freezer freezer([&](const FreezeJob& job, FrozenTiers tiers) {
    EXPECT_EQ(job.dropped, 1u);
    installed_on.push_back(std::this_thread::get_id());
    grams.Install(std::move(tiers.grams));
    dictionary.Install(std::move(tiers.lists));
  });
  freezer.SetObserver([&](const BulletinIndex::FreezeReport& report) {
    reports.push_back(report);
  });

  freezer.Run(SealDropping(&grams, &dictionary, {false, true, false}));

  EXPECT_THAT(installed_on, ElementsAre(std::this_thread::get_id()));
  EXPECT_FALSE(freezer.running());
  EXPECT_EQ(grams.recent_bigrams(), 0u);
  EXPECT_GT(grams.frozen_bigrams(), 0u);
  EXPECT_THAT(DocsOfMeeting(grams), ElementsAre(0u, 2u));
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].documents, 3);
  EXPECT_EQ(reports[0].dropped, 1);
}

TEST(FreezerTest, StartRunsOnItsOwnThreadAndIsRunningUntilInstalled) {
  GramIndex grams;
  ValueDictionary dictionary;
  AddThreeMeetings(&grams);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<std::thread::id> installed_on;
  Freezer freezer([&](const FreezeJob&, FrozenTiers tiers) {
    grams.Install(std::move(tiers.grams));
    dictionary.Install(std::move(tiers.lists));
    installed_on.set_value(std::this_thread::get_id());
  });
  // Holds the freeze between building and installing.
  freezer.SetHookForTesting([released] { released.wait(); });

  freezer.Start(SealDropping(&grams, &dictionary, {}));
  EXPECT_TRUE(freezer.running());
  release.set_value();
  freezer.Join();

  EXPECT_FALSE(freezer.running());
  EXPECT_NE(installed_on.get_future().get(), std::this_thread::get_id());
  EXPECT_THAT(DocsOfMeeting(grams), ElementsAre(0u, 1u, 2u));
  EXPECT_EQ(grams.recent_bigrams(), 0u);
}

}  // namespace
}  // namespace bulletin
