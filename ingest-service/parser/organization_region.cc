#include "ingest-service/parser/organization_region.h"

#include <algorithm>

#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Longest region written before a body that is taken without the
// gazetteer (内蒙古自治区 is 6; a prefecture and a county together fit).
constexpr size_t kMaxWrittenRegion = 12;

// Where the region may start: after a democratic party's name or 中共,
// which stand before the region they have a branch in (民进铜梁区总支).
size_t NameStart(std::u32string_view name, const Lexicon& lex) {
  size_t start = 0;
  if (name.substr(0, 2) == U"中共") start = 2;
  for (const auto& [keyword, kind] : lex.kinds) {
    if (kind == v1::Organization::DEMOCRATIC_PARTY &&
        name.substr(0, keyword.size()) == keyword) {
      start = std::max(start, keyword.size());
    }
  }
  return start;
}

// The end of the longest division-like name written from `start` and
// followed by an organ that is not itself a lower division (镇, 街道), or
// ending the name as a management area does (两江新区, data/zone_types.tsv),
// or `start` when there is none.
size_t WrittenRegionEnd(std::u32string_view name, size_t start,
                        const Lexicon& lex) {
  const size_t limit = std::min(name.size(), start + kMaxWrittenRegion);
  for (size_t end = limit; end >= start + 3; --end) {
    if (!IsDivisionSuffix(name[end - 1])) continue;
    // A management area is a body itself (两江新区召开…).
    if (end == name.size()) {
      if (lex.zone_types.LongestEndingAt(name, end) > 0 &&
          lex.zone_types.LongestEndingAt(name, end) < end - start) {
        return end;
      }
      continue;
    }
    const char32_t next = name[end];
    if (IsDivisionSuffix(next) || next == U'镇' || next == U'乡' ||
        next == U'村' || name.substr(end, 2) == U"街道" ||
        name.substr(end, 2) == U"社区") {
      continue;
    }
    if (lex.organ_tokens.LongestAt(name, end) == 0) continue;
    bool all_han = true;
    for (size_t i = start; i < end && all_han; ++i) all_han = IsHan(name[i]);
    if (all_han) return end;
  }
  return start;
}

}  // namespace

std::optional<OrganizationRegion> RegionOfOrganization(
    std::u32string_view folded_organization, std::string_view home_province,
    const Lexicon& lex, const Gazetteer& gaz) {
  const std::u32string_view name = folded_organization;
  if (name.empty()) return std::nullopt;
  const size_t start = NameStart(name, lex);
  std::optional<RegionMention> mention =
      gaz.FindMostSpecific(name, home_province);
  if (mention && mention->pos != start && mention->pos > 0 &&
      !IsDivisionSuffix(name[mention->pos - 1])) {
    mention.reset();  // 南县 inside 潼南县
  }
  const size_t written_end = WrittenRegionEnd(name, start, lex);
  if (mention &&
      (written_end == start || mention->pos + mention->length == written_end)) {
    return OrganizationRegion{mention->pos, mention->length, mention->region};
  }
  if (written_end == start) return std::nullopt;
  // What is written after the gazetteer's division, when that is a larger
  // one (重庆市 of 重庆市金大县科协), is the more specific region.
  size_t written_start = start;
  if (mention && mention->pos + mention->length < written_end &&
      written_end - (mention->pos + mention->length) >= 3) {
    written_start = mention->pos + mention->length;
  }
  const std::u32string_view written =
      name.substr(written_start, written_end - written_start);
  return OrganizationRegion{written_start, written.size(),
                            gaz.ResolveLabel(written, home_province)};
}

}  // namespace bulletin::parser
