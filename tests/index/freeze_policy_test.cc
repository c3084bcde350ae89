// DecideFreeze: when BulletinIndex merges its recent tiers, and when the
// merge drops dead documents' postings.

#include "query-service/index/freeze_policy.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(FreezePolicyTest, SmallRecentTierWaits) {
  TierSizes sizes;
  sizes.recent_bigrams = kMinRecentBigrams;
  sizes.recent_bytes = kMinRecentBytes;
  const FreezeDecision decision = DecideFreeze(sizes);
  EXPECT_FALSE(decision.freeze);
  EXPECT_FALSE(decision.drop_dead);
}

TEST(FreezePolicyTest, RecentBigramsBeyondAQuarterOfFrozenFreeze) {
  TierSizes sizes;
  sizes.recent_bigrams = kMinRecentBigrams + 1;
  sizes.frozen_bigrams = 4 * sizes.recent_bigrams;
  EXPECT_FALSE(DecideFreeze(sizes).freeze);
  sizes.frozen_bigrams -= 4;
  const FreezeDecision decision = DecideFreeze(sizes);
  EXPECT_TRUE(decision.freeze);
  EXPECT_FALSE(decision.drop_dead);
}

TEST(FreezePolicyTest, RecentBytesBeyondFrozenBytesFreeze) {
  TierSizes sizes;
  sizes.recent_bytes = kMinRecentBytes + 1;
  sizes.frozen_bytes = sizes.recent_bytes;
  EXPECT_FALSE(DecideFreeze(sizes).freeze);
  sizes.frozen_bytes -= 1;
  EXPECT_TRUE(DecideFreeze(sizes).freeze);
}

TEST(FreezePolicyTest, DeadBeyondAQuarterOfDocumentsDropThem) {
  TierSizes sizes;
  sizes.dead_in_postings = kMinDeadDocuments + 1;
  sizes.live_documents = 3 * sizes.dead_in_postings;
  EXPECT_FALSE(DecideFreeze(sizes).freeze);
  sizes.live_documents -= 4;
  const FreezeDecision decision = DecideFreeze(sizes);
  EXPECT_TRUE(decision.freeze);
  EXPECT_TRUE(decision.drop_dead);
}

TEST(FreezePolicyTest, FewDeadAreKeptHoweverLargeTheirShare) {
  TierSizes sizes;
  sizes.dead_in_postings = kMinDeadDocuments;
  EXPECT_FALSE(DecideFreeze(sizes).freeze);
}

}  // namespace
}  // namespace bulletin
