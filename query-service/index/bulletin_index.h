// The query replica's in-memory index of bulletins.
//
//   bulletin::BulletinIndex index;
//   index.Apply(record);                       // from the Feed, in seq order
//   absl::StatusOr<bulletin::v1::SearchResponse> response =
//       index.Search(request);
//
// Thread-safety: one writer, many readers. Apply and Clear must be called
// from one thread at a time (the Feed applier); every const method may be
// called concurrently with them and with each other from any thread. A
// reader sees each record's change all at once or not at all.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_BULLETIN_INDEX_H_
#define BULLETIN_QUERY_SERVICE_INDEX_BULLETIN_INDEX_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/v1/log.pb.h"
#include "bulletin/v1/query.pb.h"

namespace bulletin {

class BulletinIndex {
 public:
  BulletinIndex();
  ~BulletinIndex();
  BulletinIndex(const BulletinIndex&) = delete;
  BulletinIndex& operator=(const BulletinIndex&) = delete;

  // Applies one log record: an upsert adds the bulletin or replaces the one
  // with its id; a retraction removes it. Records must arrive in seq order;
  // applied_seq() becomes record.seq().
  void Apply(const v1::LogRecord& record);

  // Forgets everything, as for a rebuild from seq 0.
  void Clear();

  // Rewrites the index into its compact form (dropping retracted and
  // replaced versions). Apply does this by itself as recent additions grow,
  // extending the frozen lists and keeping dead versions (skipped by every
  // search) until they are a quarter of all; the applier may also call it
  // once caught up, so that a replica at rest uses the least memory. Readers
  // are held only for a pointer swap. Same threading rule as Apply.
  void Compact();

  // The seq of the last record applied; 0 when none.
  uint64_t applied_seq() const;

  // Waits until applied_seq() >= seq or `deadline` passes; true when reached.
  bool WaitForSeq(uint64_t seq, absl::Time deadline) const;

  // The live bulletin with this id, or NOT_FOUND.
  absl::StatusOr<v1::Bulletin> Get(std::string_view id) const;

  // Answers a search; INVALID_ARGUMENT for a malformed query or page token.
  // Does not wait for request.min_seq (the service does that first).
  absl::StatusOr<v1::SearchResponse> Search(
      const v1::SearchRequest& request) const;

  // Counts and sizes; head_seq and caught_up are left for the caller.
  v1::StatsResponse Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_BULLETIN_INDEX_H_
