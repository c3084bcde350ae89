#include "ingest-service/parser/gazetteer.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Suffixes of autonomous divisions, longest first; papers write the first
// two characters and the plain suffix (彭水苗族土家族自治县 -> 彭水县).
constexpr std::pair<std::u32string_view, std::u32string_view> kAutonomous[] = {
    {U"自治县", U"县"},
    {U"自治旗", U"旗"},
    {U"自治州", U"州"},
    {U"自治区", U""}};

// Plain suffixes that a bare short form ("合川" of 合川区) drops.
constexpr std::u32string_view kPlainSuffixes[] = {
    U"特别行政区", U"新区", U"林区", U"区",   U"县", U"市",
    U"旗",         U"省",   U"盟",   U"地区", U"州"};

// Names so generic that they appear inside ordinary words far more often
// than as the division they name (主城区, 城郊区, 工矿区).
constexpr std::u32string_view kTooGeneric[] = {U"城区", U"郊区", U"矿区",
                                               U"新区"};

bool EndsWith(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

// `stem` without the nationalities written at its end: 察布查尔锡伯 ->
// 察布查尔, 彭水苗族土家族 -> 彭水.
std::u32string WithoutNationalities(std::u32string stem,
                                    const WordSet& nationalities) {
  while (true) {
    size_t end = stem.size();
    if (end > 0 && stem[end - 1] == U'族') --end;
    const size_t n = nationalities.LongestEndingAt(stem, end);
    // Only where a name is left: 回族 alone is no short form.
    if (n == 0 || end - n < 2) return stem;
    stem.resize(end - n);
  }
}

struct ZoneType {
  std::u32string name;
  std::vector<std::u32string> short_forms;
};

std::vector<ZoneType> ReadZoneTypes(const std::vector<DataLine>& lines) {
  std::vector<ZoneType> types;
  for (const DataLine& line : lines) {
    std::vector<absl::string_view> f = absl::StrSplit(ToAbsl(line.text), '\t');
    ZoneType type{ToU32(ToStd(f[0])), {}};
    if (f.size() > 1) {
      for (absl::string_view s : absl::StrSplit(f[1], ',', absl::SkipEmpty())) {
        type.short_forms.push_back(ToU32(ToStd(s)));
      }
    }
    types.push_back(std::move(type));
  }
  return types;
}

bool StartsWith(std::u32string_view s, std::u32string_view prefix) {
  return !prefix.empty() && s.size() > prefix.size() &&
         s.substr(0, prefix.size()) == prefix;
}

// The names a management area is written by: its full name, without the
// province or prefecture written in front (河北唐山芦台经济开发区 ->
// 唐山芦台经济开发区, 芦台经济开发区), each with the zone kind's short forms
// (芦台经开区, 唐山芦台开发区). `province` and `prefecture` are the short
// names (河北, 唐山) and `prefecture_full` the full one (唐山市). Adds the
// zone's own name (芦台) to `bare` when it has one.
std::vector<std::u32string> ZoneNames(const std::u32string& full,
                                      const ZoneType& type,
                                      const std::u32string& province,
                                      const std::u32string& prefecture,
                                      const std::u32string& prefecture_full,
                                      std::vector<std::u32string>* bare) {
  std::u32string stem = full.substr(0, full.size() - type.name.size());
  if (StartsWith(stem, province)) stem.erase(0, province.size());
  std::u32string own = stem;
  if (StartsWith(own, prefecture_full) || own == prefecture_full) {
    own.erase(0, prefecture_full.size());
  } else if (StartsWith(own, prefecture) || own == prefecture) {
    own.erase(0, prefecture.size());
  }
  std::vector<std::u32string> stems = {stem};
  if (own != stem) {
    // 秦皇岛市经济技术开发区 is also 秦皇岛经开区 and 秦皇岛市经开区.
    stems.push_back(prefecture + own);
    stems.push_back(prefecture_full + own);
    if (own.size() >= 2) {
      stems.push_back(own);
      bare->push_back(own);
    }
  }
  std::vector<std::u32string> names;
  for (const std::u32string& s : stems) {
    names.push_back(s + type.name);
    for (const std::u32string& short_form : type.short_forms) {
      names.push_back(s + short_form);
    }
  }
  return names;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Gazetteer>> Gazetteer::Load(
    const DataFiles& files) {
  absl::StatusOr<std::vector<DataLine>> rows =
      ReadDataLines(files, "regions.tsv");
  if (!rows.ok()) return rows.status();
  std::vector<Region> regions;
  for (const DataLine& row : *rows) {
    std::vector<absl::string_view> f = absl::StrSplit(ToAbsl(row.text), '\t');
    if (f.size() != 4 || f[2].empty() || f[3].empty()) {
      return DataError(row,
                       "want code, level, name and province, "
                       "separated by tabs");
    }
    if (f[0].size() != 6 ||
        !std::all_of(f[0].begin(), f[0].end(), absl::ascii_isdigit)) {
      return DataError(row, "the code is not six digits");
    }
    if (f[1] != "P" && f[1] != "C" && f[1] != "A") {
      return DataError(
          row, absl::StrCat("unknown level \"", f[1], "\" (P, C or A)"));
    }
    regions.push_back(Region{std::string(f[0]), f[1][0], std::string(f[2]),
                             std::string(f[3])});
  }
  absl::StatusOr<std::vector<DataLine>> ethnic_groups =
      ReadDataLines(files, "ethnic_groups.txt");
  if (!ethnic_groups.ok()) return ethnic_groups.status();
  absl::StatusOr<std::vector<DataLine>> zone_types =
      ReadDataLines(files, "zone_types.tsv");
  if (!zone_types.ok()) return zone_types.status();
  return std::unique_ptr<Gazetteer>(
      new Gazetteer(std::move(regions), *ethnic_groups, *zone_types));
}

Gazetteer::Gazetteer(std::vector<Region> regions,
                     const std::vector<DataLine>& ethnic_groups,
                     const std::vector<DataLine>& zone_types)
    : regions_(std::move(regions)) {
  WordSet nationalities;
  for (const DataLine& line : ethnic_groups) {
    nationalities.Add(ToU32(line.text));
  }
  const std::vector<ZoneType> zones = ReadZoneTypes(zone_types);
  // Short names of provinces and prefectures by code, for the names of the
  // management areas in them.
  absl::flat_hash_map<std::string, std::u32string> short_names;
  absl::flat_hash_map<std::string, std::u32string> full_names;
  for (const Region& r : regions_) {
    if (r.level == 'A') continue;
    std::u32string name = ToU32(r.name);
    full_names[r.code] = name;
    for (std::u32string_view suffix :
         {U"自治区", U"自治州", U"地区", U"省", U"市", U"盟"}) {
      if (EndsWith(name, suffix) && name.size() > suffix.size() + 1) {
        name = WithoutNationalities(name.substr(0, name.size() - suffix.size()),
                                    nationalities);
        break;
      }
    }
    short_names[r.code] = name;
  }
  for (size_t i = 0; i < regions_.size(); ++i) {
    const std::u32string full = ToU32(regions_[i].name);
    bool generic = false;
    for (std::u32string_view g : kTooGeneric) generic |= full == g;
    if (generic) continue;
    std::vector<std::u32string> written = {full};
    std::u32string bare;
    std::vector<std::u32string> more_bare;
    for (const auto& [suffix, plain] : kAutonomous) {
      if (EndsWith(full, suffix) && full.size() > suffix.size() + 2) {
        // Papers write the name without its nationalities (察布查尔县) or
        // its first two characters (彭水县).
        bare = full.substr(0, 2);
        const std::u32string stem = WithoutNationalities(
            full.substr(0, full.size() - suffix.size()), nationalities);
        if (stem != bare) more_bare.push_back(stem);
        if (!plain.empty()) {
          written.push_back(bare + std::u32string(plain));
          if (stem != bare) written.push_back(stem + std::u32string(plain));
        }
        break;
      }
    }
    bool is_zone = false;
    // One area's code names its organ too (乌拉盖管理区管委会): the area is
    // known without it, and the organ reads as its body.
    const std::u32string zone_full =
        EndsWith(full, U"管委会") ? full.substr(0, full.size() - 3) : full;
    if (zone_full != full) written = {zone_full};
    for (const ZoneType& zone : zones) {
      if (regions_[i].level != 'A' || !EndsWith(zone_full, zone.name) ||
          zone_full.size() <= zone.name.size()) {
        continue;
      }
      const std::string& code = regions_[i].code;
      const std::string province_code = code.substr(0, 2) + "0000";
      const std::string prefecture_code = code.substr(0, 4) + "00";
      std::vector<std::u32string> names = ZoneNames(
          full, zone, short_names[province_code], short_names[prefecture_code],
          full_names[prefecture_code], &more_bare);
      for (std::u32string& name : names) {
        if (std::find(written.begin(), written.end(), name) == written.end()) {
          written.push_back(std::move(name));
        }
      }
      is_zone = true;
      break;
    }
    if (bare.empty() && !is_zone) {
      for (std::u32string_view suffix : kPlainSuffixes) {
        if (EndsWith(full, suffix) && full.size() >= suffix.size() + 2) {
          bare = full.substr(0, full.size() - suffix.size());
          break;
        }
      }
    }
    for (const std::u32string& name : written) {
      by_name_[name].push_back(i);
      title_names_.Add(name);
      if (name.size() > max_name_length_) max_name_length_ = name.size();
    }
    if (!bare.empty()) more_bare.push_back(bare);
    for (const std::u32string& b : more_bare) {
      title_names_.Add(b);
      bare_names_.Add(b);
      by_bare_name_[b].push_back(i);
    }
  }
}

const Region* Gazetteer::Resolve(std::u32string_view name,
                                 std::string_view home_province) const {
  auto it = by_name_.find(std::u32string(name));
  if (it == by_name_.end()) return nullptr;
  const Region* best = nullptr;
  for (size_t index : it->second) {
    const Region& r = regions_[index];
    if (best == nullptr) best = &r;
    if (!home_province.empty() && r.province == home_province) return &r;
  }
  return best;
}

std::optional<RegionMention> Gazetteer::FindMostSpecific(
    std::u32string_view text, std::string_view home_province) const {
  std::optional<RegionMention> best;
  auto rank = [](char level) {
    return level == 'A' ? 3 : level == 'C' ? 2 : 1;
  };
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (!IsHan(text[pos])) continue;
    size_t limit = std::min(max_name_length_, text.size() - pos);
    for (size_t n = limit; n >= 2; --n) {
      const Region* region = Resolve(text.substr(pos, n), home_province);
      if (region == nullptr) continue;
      if (!best || rank(region->level) > rank(best->region->level)) {
        best = RegionMention{pos, n, region};
      }
      pos += n - 1;
      break;
    }
  }
  return best;
}

size_t Gazetteer::LongestNameEndingAt(std::u32string_view text,
                                      size_t end) const {
  return title_names_.LongestEndingAt(text, end);
}

size_t Gazetteer::RegionPrefixLength(std::u32string_view title) const {
  // Full names of the enclosing divisions go whole (无锡市 of
  // 无锡市梁溪区…); the last region loses only its short form, so its
  // level stays with the organ (梁溪区妇联 -> 区妇联, 合川区委 -> 区委).
  size_t pos = 0;
  while (pos < title.size()) {
    size_t full = 0;
    const size_t limit = std::min(max_name_length_, title.size() - pos);
    for (size_t n = limit; n >= 2 && full == 0; --n) {
      if (by_name_.contains(std::u32string(title.substr(pos, n)))) full = n;
    }
    if (full > 0 && pos + full < title.size() &&
        title_names_.LongestAt(title, pos + full) > 0) {
      pos += full;
      continue;
    }
    pos += bare_names_.LongestAt(title, pos);
    break;
  }
  // Strip only when something remains to be the title itself.
  return pos < title.size() ? pos : 0;
}

const Region* Gazetteer::ResolveLabel(std::u32string_view label,
                                      std::string_view home_province) const {
  if (const Region* r = Resolve(label, home_province)) return r;
  auto it = by_bare_name_.find(std::u32string(label));
  if (it == by_bare_name_.end()) return nullptr;
  const Region* best = nullptr;
  for (size_t index : it->second) {
    const Region& r = regions_[index];
    if (best == nullptr ||
        (!home_province.empty() && r.province == home_province &&
         best->province != home_province)) {
      best = &r;
    }
  }
  return best;
}

bool Gazetteer::IsUnambiguous(std::u32string_view name) const {
  auto it = by_name_.find(std::u32string(name));
  return it != by_name_.end() && it->second.size() == 1;
}

bool Gazetteer::NameCrosses(std::u32string_view text, size_t begin,
                            size_t end) const {
  for (size_t pos = begin; pos < end; ++pos) {
    const size_t limit = std::min(max_name_length_, text.size() - pos);
    for (size_t n = end - pos + 1; n <= limit; ++n) {
      if (by_name_.contains(std::u32string(text.substr(pos, n)))) return true;
    }
  }
  return false;
}

const absl::StatusOr<std::unique_ptr<Gazetteer>>& LoadedGazetteer() {
  static const absl::StatusOr<std::unique_ptr<Gazetteer>>* const gazetteer =
      new absl::StatusOr<std::unique_ptr<Gazetteer>>(
          Gazetteer::Load(EmbeddedDataFiles()));
  return *gazetteer;
}

const Gazetteer& DefaultGazetteer() {
  const absl::StatusOr<std::unique_ptr<Gazetteer>>& gazetteer =
      LoadedGazetteer();
  if (!gazetteer.ok()) {
    // LoadParserData reports this at start; reaching here means a caller
    // parsed without checking it.
    std::fprintf(stderr, "bulletin parser: %s\n",
                 std::string(gazetteer.status().message()).c_str());
    std::abort();
  }
  return **gazetteer;
}

}  // namespace bulletin::parser
