#include "query-service/index/query/filters.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/text/nfkc.h"
#include "common/time/iso_date.h"
#include "query-service/index/text/fold.h"

namespace bulletin {
namespace {

absl::Status AddTextValues(
    FacetField field,
    const google::protobuf::RepeatedPtrField<std::string>& raw,
    std::vector<std::string>* out) {
  for (const std::string& value : raw) {
    if (!IsValidUtf8(absl::string_view(value))) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter ", std::string(FacetFieldName(field)),
                       " value is not valid UTF-8"));
    }
    std::string folded = FoldQueryText(value);
    if (folded.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("filter ", std::string(FacetFieldName(field)),
                       " has an empty value"));
    }
    if (std::find(out->begin(), out->end(), folded) == out->end()) {
      out->push_back(std::move(folded));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CompiledFilters> CompiledFilters::Create(
    const v1::Filters& filters) {
  CompiledFilters compiled;
  auto& v = compiled.values_;
  const std::pair<FacetField,
                  const google::protobuf::RepeatedPtrField<std::string>*>
      text_fields[] = {
          {FacetField::kRegion, &filters.regions()},
          {FacetField::kOrganization, &filters.organizations()},
          {FacetField::kPerson, &filters.people()},
          {FacetField::kTitle, &filters.titles()},
          {FacetField::kReporter, &filters.reporters()},
          {FacetField::kSeries, &filters.series()},
          {FacetField::kProvince, &filters.provinces()},
      };
  for (const auto& [field, raw] : text_fields) {
    absl::Status status =
        AddTextValues(field, *raw, &v[static_cast<int>(field)]);
    if (!status.ok()) return status;
  }
  for (int kind : filters.organization_kinds()) {
    if (kind == v1::Organization::KIND_UNSPECIFIED ||
        !v1::Organization::Kind_IsValid(kind)) {
      return absl::InvalidArgumentError(
          absl::StrCat("organization_kinds has an invalid kind ", kind));
    }
    std::string name =
        v1::Organization::Kind_Name(static_cast<v1::Organization::Kind>(kind));
    auto& kinds = v[static_cast<int>(FacetField::kOrganizationKind)];
    if (std::find(kinds.begin(), kinds.end(), name) == kinds.end()) {
      kinds.push_back(std::move(name));
    }
  }
  for (const std::string* date : {&filters.date_from(), &filters.date_to()}) {
    if (absl::Status valid = CheckIsoDate("date bound", *date); !valid.ok()) {
      return valid;
    }
  }
  if (!filters.date_from().empty() && !filters.date_to().empty() &&
      filters.date_from() > filters.date_to()) {
    return absl::InvalidArgumentError("date_from is after date_to");
  }
  compiled.date_from_ = filters.date_from();
  compiled.date_to_ = filters.date_to();
  return compiled;
}

bool CompiledFilters::empty() const {
  if (!date_from_.empty() || !date_to_.empty()) return false;
  for (const auto& values : values_) {
    if (!values.empty()) return false;
  }
  return true;
}

bool CompiledFilters::MatchesDate(std::string_view date) const {
  if (date_from_.empty() && date_to_.empty()) return true;
  if (date.empty()) return false;
  if (!date_from_.empty() && date < date_from_) return false;
  if (!date_to_.empty() && date > date_to_) return false;
  return true;
}

bool CompiledFilters::Matches(
    absl::FunctionRef<bool(FacetField, const std::string&)> has_value,
    std::string_view date) const {
  if (!MatchesDate(date)) return false;
  for (int f = 0; f < kFacetFieldCount; ++f) {
    const auto& wanted = values_[f];
    if (wanted.empty()) continue;
    bool any = false;
    for (const std::string& value : wanted) {
      if (has_value(static_cast<FacetField>(f), value)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace bulletin
