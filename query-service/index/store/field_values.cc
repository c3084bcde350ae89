#include "query-service/index/store/field_values.h"

#include <algorithm>
#include <array>

#include "query-service/index/text/fold.h"

namespace bulletin {
namespace {

constexpr std::array<std::string_view, kFacetFieldCount> kNames = {
    "region",   "organization", "organization_kind", "person", "title",
    "reporter", "series",       "province",          "date"};

}  // namespace

std::string_view FacetFieldName(FacetField field) {
  return kNames[static_cast<int>(field)];
}

std::optional<FacetField> FacetFieldFromName(std::string_view name) {
  for (int i = 0; i < kFacetFieldCount; ++i) {
    if (kNames[i] == name) return static_cast<FacetField>(i);
  }
  return std::nullopt;
}

std::vector<FieldValue> ExtractFieldValues(const v1::Bulletin& bulletin) {
  std::vector<FieldValue> values;
  auto add = [&values](FacetField field, std::string_view display, bool fold) {
    // Records hold NFKC text already, so folding per code point gives what
    // FoldQueryText gives a filter value, without another NFKC pass.
    std::string folded = fold ? FoldText(display) : std::string(display);
    while (!folded.empty() && folded.back() == ' ') folded.pop_back();
    if (folded.empty()) return;
    for (const FieldValue& v : values) {
      if (v.field == field && v.folded == folded) return;
    }
    values.push_back(
        FieldValue{field, std::move(folded), std::string(display)});
  };
  for (const v1::Item& item : bulletin.items()) {
    const v1::Organization& org = item.organization();
    add(FacetField::kRegion, org.region(), true);
    add(FacetField::kOrganization, org.name(), true);
    if (org.kind() != v1::Organization::KIND_UNSPECIFIED) {
      add(FacetField::kOrganizationKind,
          v1::Organization::Kind_Name(org.kind()), false);
    }
    add(FacetField::kProvince, org.province(), true);
  }
  for (const v1::Person& person : bulletin.people()) {
    add(FacetField::kPerson, person.name(), true);
    for (const std::string& title : person.titles()) {
      add(FacetField::kTitle, title, true);
    }
  }
  for (const v1::Reporter& reporter : bulletin.reporters()) {
    add(FacetField::kReporter, reporter.name(), true);
  }
  add(FacetField::kSeries, bulletin.series().name(), true);
  add(FacetField::kDate, bulletin.date(), false);
  return values;
}

}  // namespace bulletin
