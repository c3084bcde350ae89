// A standing query for QueryService.Watch: the same query language and
// filters as Search, tested against one bulletin at a time as the replica
// applies it.
//
//   absl::StatusOr<StandingQuery> watch = StandingQuery::Create(request);
//   if (!watch.ok()) return watch.status();         // INVALID_ARGUMENT
//   ...
//   if (std::optional<v1::Hit> hit = watch->Match(bulletin)) Send(*hit);
//   // What a change means for the query's results (Watch's events):
//   if (auto event = watch->EventFor(seq, id, &current, &previous)) ...
//
// Matching is exact in the same way as Search (fold.h, document_match.h):
// a bulletin matches Watch exactly when Search would return it. The hit has
// a snippet and item_indexes, and score 0 (there is no corpus to rank
// against).
//
// Thread-safe: immutable after Create; Match may be called from any thread.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_STANDING_QUERY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_STANDING_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "bulletin/v1/bulletin.pb.h"
#include "bulletin/v1/query.pb.h"
#include "query-service/index/query/compiled_query.h"

namespace bulletin {

class StandingQuery {
 public:
  // INVALID_ARGUMENT for a malformed query or filter (as for Search).
  static absl::StatusOr<StandingQuery> Create(const v1::WatchRequest& request);

  // The hit for `bulletin` when it matches; nullopt otherwise.
  std::optional<v1::Hit> Match(const v1::Bulletin& bulletin) const;

  // The Watch event, if any, for the change at `seq` to bulletin `id`, from
  // `previous` (its version before; null when it was not live) to `current`
  // (null when retracted): UPSERT when `current` matches; RETRACT when it
  // does not and `previous` did; nothing otherwise.
  std::optional<v1::WatchEvent> EventFor(uint64_t seq, const std::string& id,
                                         const v1::Bulletin* current,
                                         const v1::Bulletin* previous) const;

  // The same for a catch-up, where what the client holds is unknown (it
  // saw the bulletin, if at all, at some earlier version that the log no
  // longer has): UPSERT when `current` matches; RETRACT when it is
  // retracted, or does not match and is not its bulletin's first version
  // (an earlier one may have matched); nothing for a first version that
  // does not match.
  std::optional<v1::WatchEvent> CatchUpEventFor(
      uint64_t seq, const std::string& id, const v1::Bulletin* current) const;

 private:
  explicit StandingQuery(CompiledQuery query) : query_(std::move(query)) {}

  CompiledQuery query_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_STANDING_QUERY_H_
