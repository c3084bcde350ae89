#include "cli/record_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace bulletin {
namespace {

void AppendField(std::string* out, absl::string_view name,
                 absl::string_view value) {
  if (value.empty()) return;
  absl::StrAppend(out, name, ": ", value, "\n");
}

std::string PersonText(const v1::Person& person) {
  if (person.titles().empty()) return person.name();
  return absl::StrCat(person.name(), " (", absl::StrJoin(person.titles(), ", "),
                      ")");
}

}  // namespace

std::string RecordToText(const v1::Bulletin& record) {
  std::string out;
  AppendField(&out, "id", record.id());
  if (record.seq() != 0) absl::StrAppend(&out, "seq: ", record.seq(), "\n");
  AppendField(&out, "external_id", record.external_id());
  AppendField(&out, "kicker", record.kicker());
  AppendField(&out, "headline", record.headline());
  AppendField(&out, "subtitle", record.subtitle());
  if (record.series().part() != 0) {
    absl::StrAppend(&out, "series: ", record.series().name(), " part ",
                    record.series().part(), "\n");
  }
  AppendField(&out, "dateline", record.dateline());
  AppendField(&out, "date", record.date());
  AppendField(&out, "lead", record.lead());
  for (int i = 0; i < record.items_size(); ++i) {
    const v1::Item& item = record.items(i);
    const v1::Organization& org = item.organization();
    absl::StrAppend(&out, "item ", i + 1, ": ",
                    org.name().empty() ? "(no organization)" : org.name());
    if (!org.region().empty()) absl::StrAppend(&out, " [", org.region(), "]");
    if (org.kind() != v1::Organization::KIND_UNSPECIFIED) {
      absl::StrAppend(&out, " ", v1::Organization::Kind_Name(org.kind()));
    }
    out += "\n";
    AppendField(&out, "  event", item.event());
    for (const v1::Person& person : item.officials()) {
      absl::StrAppend(&out, "  official: ", PersonText(person), "\n");
    }
  }
  for (const v1::Person& person : record.people()) {
    absl::StrAppend(&out, "person: ", PersonText(person), "\n");
  }
  if (!record.reporters().empty()) {
    absl::StrAppend(
        &out, "reporters: ",
        absl::StrJoin(record.reporters(), ", ",
                      [](std::string* o, const v1::Reporter& reporter) {
                        if (!reporter.role().empty()) {
                          absl::StrAppend(o, reporter.role(), " ");
                        }
                        absl::StrAppend(o, reporter.name());
                      }),
        "\n");
  }
  for (const v1::Warning& warning : record.warnings()) {
    absl::StrAppend(&out, "warning: line ", warning.line(), ": ",
                    warning.kind(), ": ", warning.message(), "\n");
  }
  return out;
}

std::string SearchToText(const v1::SearchResponse& response) {
  std::string out =
      absl::StrCat(response.total_hits_is_lower_bound() ? "at least " : "",
                   response.total_hits(), " hits\n");
  for (const v1::Hit& hit : response.hits()) {
    absl::StrAppend(&out, hit.bulletin_id(), "  ",
                    absl::StrFormat("%.3f", hit.score()), "  ", hit.headline(),
                    "\n");
    if (!hit.snippet().empty())
      absl::StrAppend(&out, "    ", hit.snippet(), "\n");
    for (const v1::MatchSpan& match : hit.matches()) {
      absl::StrAppend(&out, "    match ", match.field());
      if (match.field() == "items") {
        absl::StrAppend(&out, "[", match.item_index(), "]");
      }
      absl::StrAppend(&out, " bytes ", match.begin_byte(), "-",
                      match.end_byte(), " code_points ",
                      match.begin_code_point(), "-", match.end_code_point(),
                      "\n");
    }
  }
  for (const v1::Facet& facet : response.facets()) {
    absl::StrAppend(&out, "facet ", facet.field(), ":");
    for (const v1::FacetValue& value : facet.values()) {
      absl::StrAppend(&out, " ", value.value(), "=", value.count());
    }
    out += "\n";
  }
  AppendField(&out, "next_page_token", response.next_page_token());
  return out;
}

}  // namespace bulletin
