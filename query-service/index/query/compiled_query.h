// A query with its filters, parsed, folded and validated: what Search and
// Watch both evaluate.
//
//   absl::StatusOr<CompiledQuery> q =
//       CompiledQuery::Create(request.query(), request.filters());
//   if (!q.ok()) return q.status();            // INVALID_ARGUMENT
//
// Thread-safe: immutable after Create.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_COMPILED_QUERY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_COMPILED_QUERY_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "bulletin/v1/query.pb.h"
#include "query-service/index/query/filters.h"
#include "query-service/index/query/query_parser.h"

namespace bulletin {

struct CompiledQuery {
  // INVALID_ARGUMENT for a malformed query or filter, and for a query whose
  // only terms are exclusions with no filter to say what to exclude from.
  // A query with no terms and no filters matches every bulletin.
  static absl::StatusOr<CompiledQuery> Create(std::string_view query,
                                              const v1::Filters& filters);

  ParsedQuery query;
  CompiledFilters filters;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_COMPILED_QUERY_H_
