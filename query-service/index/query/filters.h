// Structured filters (v1::Filters), validated and folded once, then matched
// against any bulletin's field values. Search and Watch share this code.
//
//   absl::StatusOr<CompiledFilters> f =
//   CompiledFilters::Create(request.filters()); bool ok = f->Matches(
//       [&](FacetField field, const std::string& folded) { return ...; },
//       bulletin.date());
//
// Values within one field are ORed; fields are ANDed; a text value matches
// the whole folded field value. The date range is inclusive; a bulletin
// without a date fails any date bound.
//
// Thread-safe: immutable after Create.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_QUERY_FILTERS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_QUERY_FILTERS_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "bulletin/v1/query.pb.h"
#include "query-service/index/store/field_values.h"

namespace bulletin {

class CompiledFilters {
 public:
  // INVALID_ARGUMENT for an empty or non-UTF-8 value, KIND_UNSPECIFIED or an
  // unknown kind, a date not of the form YYYY-MM-DD, or date_from > date_to.
  static absl::StatusOr<CompiledFilters> Create(const v1::Filters& filters);

  // True when no field and no date bound is constrained.
  bool empty() const;

  // The folded values of `field` (any one of which must be present); empty
  // when the field is not constrained. Never holds kDate values.
  const std::vector<std::string>& values(FacetField field) const {
    return values_[static_cast<int>(field)];
  }

  // True when a date bound is set; MatchesDate passes every date otherwise.
  bool bounds_date() const { return !date_from_.empty() || !date_to_.empty(); }
  bool MatchesDate(std::string_view date) const;

  // True when the bulletin passes every filter. `has_value(field, folded)`
  // tells whether the bulletin has that folded value in that field.
  bool Matches(
      absl::FunctionRef<bool(FacetField, const std::string&)> has_value,
      std::string_view date) const;

 private:
  std::array<std::vector<std::string>, kFacetFieldCount> values_;
  std::string date_from_;
  std::string date_to_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_QUERY_FILTERS_H_
