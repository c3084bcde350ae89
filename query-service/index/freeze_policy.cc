#include "query-service/index/freeze_policy.h"

namespace bulletin {
namespace {

bool RecentTierTooLarge(const TierSizes& s) {
  if (s.recent_bigrams > kMinRecentBigrams &&
      s.recent_bigrams > s.frozen_bigrams / 4) {
    return true;
  }
  // Recent lists have no skip tables, so they are kept at most as large as
  // the frozen ones; doubling (rather than a quarter, as above) keeps a
  // replay from rewriting the postings more than about twice in all.
  return s.recent_bytes > kMinRecentBytes && s.recent_bytes > s.frozen_bytes;
}

bool TooManyDead(const TierSizes& s) {
  return s.dead_in_postings > kMinDeadDocuments &&
         s.dead_in_postings > (s.live_documents + s.dead_in_postings) / 4;
}

}  // namespace

FreezeDecision DecideFreeze(const TierSizes& sizes) {
  FreezeDecision decision;
  decision.drop_dead = TooManyDead(sizes);
  decision.freeze = decision.drop_dead || RecentTierTooLarge(sizes);
  return decision;
}

}  // namespace bulletin
