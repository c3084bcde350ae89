#include "ingest-service/log/bulletin_seqs.h"

#include "absl/hash/hash.h"

namespace bulletin {

uint64_t BulletinSeqs::HashOf(absl::string_view id) const {
  return hash_ != nullptr ? hash_(id) : absl::Hash<absl::string_view>()(id);
}

absl::StatusOr<BulletinSeqs::Found> BulletinSeqs::Find(
    absl::string_view id, IdOfRecord id_of_record) const {
  if (auto it = collided_.find(id); it != collided_.end()) {
    return Found{it->second, true};
  }
  auto it = by_hash_.find(HashOf(id));
  if (it == by_hash_.end()) return Found{0, false};
  absl::StatusOr<std::string> holder = id_of_record(it->second);
  if (!holder.ok()) return holder.status();
  if (*holder == id) return Found{it->second, false};
  return Found{0, true};
}

void BulletinSeqs::Set(absl::string_view id, uint64_t seq, bool collided) {
  if (collided) {
    collided_[id] = seq;
  } else {
    by_hash_[HashOf(id)] = seq;
  }
}

void BulletinSeqs::AddDistinct(absl::string_view id, uint64_t seq) {
  if (!by_hash_.try_emplace(HashOf(id), seq).second) collided_[id] = seq;
}

}  // namespace bulletin
