#include "query-service/index/query/compiled_query.h"

#include <utility>

#include "absl/status/status.h"

namespace bulletin {

absl::StatusOr<CompiledQuery> CompiledQuery::Create(
    std::string_view query, const v1::Filters& filters) {
  absl::StatusOr<ParsedQuery> parsed = ParseQuery(query);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<CompiledFilters> compiled = CompiledFilters::Create(filters);
  if (!compiled.ok()) return compiled.status();
  if (parsed->terms.empty() && !parsed->excluded.empty() && compiled->empty()) {
    return absl::InvalidArgumentError(
        "a query needs a term or a filter besides its exclusions");
  }
  return CompiledQuery{*std::move(parsed), *std::move(compiled)};
}

}  // namespace bulletin
