#include "ingest-service/parser/gazetteer.h"

#include <utility>

#include "absl/strings/str_split.h"
#include "ingest-service/parser/embedded_data.h"
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

}  // namespace

Gazetteer::Gazetteer(std::string_view tsv, std::string_view ethnic_groups) {
  WordSet nationalities;
  for (std::string_view line : DataLines(ethnic_groups)) {
    nationalities.Add(ToU32(line));
  }
  for (std::string_view line : DataLines(tsv)) {
    std::vector<absl::string_view> f = absl::StrSplit(ToAbsl(line), '\t');
    if (f.size() < 4 || f[1].empty()) continue;
    regions_.push_back(Region{std::string(f[0]), f[1][0], std::string(f[2]),
                              std::string(f[3])});
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
    if (bare.empty()) {
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

const Gazetteer& DefaultGazetteer() {
  static const Gazetteer* const gazetteer = new Gazetteer(
      EmbeddedDataFile("regions.tsv"), EmbeddedDataFile("ethnic_groups.txt"));
  return *gazetteer;
}

}  // namespace bulletin::parser
