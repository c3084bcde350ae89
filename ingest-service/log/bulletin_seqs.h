// The seq of each bulletin's last record, kept in memory by the LevelDB log
// so that an append writes nothing but its records (docs/durability.md,
// "The LevelDB log on disk"). A bulletin is held by a 64-bit hash of its
// id, not the id (20-40 bytes a bulletin instead of 60-100): the record a
// hash leads to is read to check that it is this bulletin's before the
// hash is trusted, and a bulletin whose hash another one holds is kept by
// its whole id.
//
//   BulletinSeqs seqs;
//   auto found = seqs.Find(id, [&](uint64_t seq) { return IdOfRecord(seq); });
//   if (!found.ok()) ...;              // the check's read failed
//   ... append record `seq` for `id`, replacing found->seq ...
//   seqs.Set(id, seq, found->collided);
//
// Thread-safety: none; the log uses it under its append mutex.

#ifndef BULLETIN_INGEST_SERVICE_LOG_BULLETIN_SEQS_H_
#define BULLETIN_INGEST_SERVICE_LOG_BULLETIN_SEQS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin {

class BulletinSeqs {
 public:
  // What stands for a bulletin id; absl::Hash when null. Tests pass one
  // that makes ids collide.
  using Hash = uint64_t (*)(absl::string_view id);
  // The bulletin id of record `seq`, which the index holds.
  using IdOfRecord = absl::FunctionRef<absl::StatusOr<std::string>(uint64_t)>;

  explicit BulletinSeqs(Hash hash = nullptr) : hash_(hash) {}

  struct Found {
    // The seq of the bulletin's last record; 0 when it has none.
    uint64_t seq = 0;
    // Whether the bulletin is kept (or, new, must be kept) by its whole id:
    // another bulletin holds its hash.
    bool collided = false;
  };
  absl::StatusOr<Found> Find(absl::string_view id,
                             IdOfRecord id_of_record) const;

  // Notes that `id`'s last record is now `seq`; `collided` as Find said.
  void Set(absl::string_view id, uint64_t seq, bool collided);

  // For a log whose bulletins each have one record, read in any order:
  // keeps `id`'s record without reading any, since a hash already held is
  // another bulletin's.
  void AddDistinct(absl::string_view id, uint64_t seq);

  uint64_t HashOf(absl::string_view id) const;

  // Bulletins kept by their whole ids.
  size_t collided_count() const { return collided_.size(); }

 private:
  Hash hash_;
  absl::flat_hash_map<uint64_t, uint64_t> by_hash_;
  absl::flat_hash_map<std::string, uint64_t> collided_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_BULLETIN_SEQS_H_
