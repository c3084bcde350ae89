#include "query-service/index/query/standing_query.h"

#include <algorithm>
#include <utility>

#include "query-service/index/query/document_match.h"
#include "query-service/index/query/hit_builder.h"
#include "query-service/index/store/field_values.h"

namespace bulletin {

absl::StatusOr<StandingQuery> StandingQuery::Create(
    const v1::WatchRequest& request) {
  absl::StatusOr<CompiledQuery> query =
      CompiledQuery::Create(request.query(), request.filters());
  if (!query.ok()) return query.status();
  return StandingQuery(*std::move(query));
}

std::optional<v1::Hit> StandingQuery::Match(
    const v1::Bulletin& bulletin) const {
  if (!query_.filters.empty()) {
    const std::vector<FieldValue> values = ExtractFieldValues(bulletin);
    const bool passes = query_.filters.Matches(
        [&values](FacetField field, const std::string& folded) {
          return std::any_of(values.begin(), values.end(),
                             [&](const FieldValue& v) {
                               return v.field == field && v.folded == folded;
                             });
        },
        bulletin.date());
    if (!passes) return std::nullopt;
  }
  const FoldedDocument document = FoldDocument(bulletin);
  const DocumentMatch match = MatchDocument(query_.query, document);
  if (!match.matched) return std::nullopt;
  return MakeHit(bulletin, query_.query, document, match.snippet_segment,
                 match.item_indexes);
}

namespace {

v1::WatchEvent Upsert(uint64_t seq, const std::string& id, v1::Hit hit) {
  v1::WatchEvent event;
  event.set_type(v1::WatchEvent::TYPE_UPSERT);
  event.set_seq(seq);
  event.set_bulletin_id(id);
  *event.mutable_hit() = std::move(hit);
  return event;
}

v1::WatchEvent Retract(uint64_t seq, const std::string& id) {
  v1::WatchEvent event;
  event.set_type(v1::WatchEvent::TYPE_RETRACT);
  event.set_seq(seq);
  event.set_bulletin_id(id);
  return event;
}

}  // namespace

std::optional<v1::WatchEvent> StandingQuery::EventFor(
    uint64_t seq, const std::string& id, const v1::Bulletin* current,
    const v1::Bulletin* previous) const {
  if (current != nullptr) {
    if (std::optional<v1::Hit> hit = Match(*current)) {
      return Upsert(seq, id, *std::move(hit));
    }
  }
  if (previous != nullptr && Match(*previous).has_value()) {
    return Retract(seq, id);
  }
  return std::nullopt;
}

std::optional<v1::WatchEvent> StandingQuery::CatchUpEventFor(
    uint64_t seq, const std::string& id, const v1::Bulletin* current) const {
  if (current == nullptr) return Retract(seq, id);
  if (std::optional<v1::Hit> hit = Match(*current)) {
    return Upsert(seq, id, *std::move(hit));
  }
  // Only a first version is known to have had no predecessor to match.
  if (current->version() != 1) return Retract(seq, id);
  return std::nullopt;
}

}  // namespace bulletin
