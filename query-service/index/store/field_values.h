// The structured fields of a bulletin that filters and facets work on.
//
//   for (const FieldValue& v : ExtractFieldValues(bulletin)) {
//     // v.field == FacetField::kRegion, v.folded == "忠县", v.display ==
//     "忠縣"
//   }
//
// Text values are folded like query terms (fold.h) so that a filter typed in
// either script, or in any case, matches the whole value.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_FIELD_VALUES_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_FIELD_VALUES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bulletin/v1/bulletin.pb.h"

namespace bulletin {

// The fields named in SearchRequest.facets and Filters.
enum class FacetField : int {
  kRegion = 0,        // items[].organization.region
  kOrganization,      // items[].organization.name
  kOrganizationKind,  // items[].organization.kind, as its enum name
  kPerson,            // people[].name
  kTitle,             // people[].titles[]
  kReporter,          // reporters[].name
  kSeries,            // series.name
  kProvince,          // items[].organization.province
  kDate,              // date
};
inline constexpr int kFacetFieldCount = 9;

// "region", "organization", ..., as SearchRequest.facets spells them.
std::string_view FacetFieldName(FacetField field);
std::optional<FacetField> FacetFieldFromName(std::string_view name);

struct FieldValue {
  FacetField field;
  // The value folded, as filters compare it.
  std::string folded;
  // The value as first written in the record, as facets show it.
  std::string display;
};

// Every value of every field of `bulletin`, once per (field, folded value),
// in record order. Empty values and KIND_UNSPECIFIED are left out.
std::vector<FieldValue> ExtractFieldValues(const v1::Bulletin& bulletin);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_FIELD_VALUES_H_
