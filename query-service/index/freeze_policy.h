// When BulletinIndex freezes: the policy that decides, after each change,
// whether to merge the recent tiers of its gram index and value dictionary
// into the frozen ones (gram_index.h), and whether that merge also drops
// the postings of dead documents. The freezer (freezer.h) does the work.
//
//   TierSizes sizes = {...};             // read under the index's lock
//   FreezeDecision decision = DecideFreeze(sizes);
//   if (decision.freeze) Seal(/*drop_dead=*/decision.drop_dead);
//
// Thread-safety: functions of their arguments.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_FREEZE_POLICY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_FREEZE_POLICY_H_

#include <cstddef>
#include <cstdint>

namespace bulletin {

// What the policy reads of an index.
struct TierSizes {
  // Distinct bigrams and bytes of postings in the gram index's recent tier
  // and in its frozen tier.
  size_t recent_bigrams = 0;
  size_t frozen_bigrams = 0;
  size_t recent_bytes = 0;
  size_t frozen_bytes = 0;
  // Dead documents whose postings are still in the index, and live ones.
  size_t dead_in_postings = 0;
  size_t live_documents = 0;
};

struct FreezeDecision {
  bool freeze = false;
  // Drop the postings of every document dead now (implies freeze).
  bool drop_dead = false;
};

// Freeze once the recent tier is large beside the frozen one (it costs tens
// of bytes per bigram and its lists have no skip tables), and drop the dead
// once they are a quarter of all documents with postings (they cost
// postings and filter checks; dropping them decodes every list). Below a
// floor of each (kMinRecentBigrams, kMinRecentBytes, kMinDeadDocuments)
// nothing is worth a freeze.
FreezeDecision DecideFreeze(const TierSizes& sizes);

inline constexpr size_t kMinRecentBigrams = 1 << 16;
inline constexpr size_t kMinRecentBytes = 4 << 20;
inline constexpr size_t kMinDeadDocuments = 1 << 10;

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_FREEZE_POLICY_H_
