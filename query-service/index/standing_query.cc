#include "query-service/index/standing_query.h"

#include <algorithm>
#include <utility>

#include "query-service/index/document_match.h"
#include "query-service/index/field_values.h"
#include "query-service/index/hit_builder.h"

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

}  // namespace bulletin
