// The region an organization's name is written with: 大渡口区 of
// 大渡口区政协党组, 渝北区 of 重庆市渝北区政协, 铜梁区 of 民进铜梁区总支.
//
//   const Lexicon& lex = DefaultLexicon();
//   const Gazetteer& gaz = DefaultGazetteer();
//   std::optional<OrganizationRegion> r =
//       RegionOfOrganization(U"金大县科协", "", lex, gaz);
//   // r->pos == 0, r->length == 3 (金大县), r->region == nullptr
//
// Two sources, reconciled:
// - the gazetteer's most specific division named in the name, kept only
//   where it starts a word: at the start of the name (after a party's name)
//   or right after another division's suffix (重庆市|渝北区). 南县 is a
//   county, but in 潼南县妇联 it is the tail of another name.
// - the name written before the body: two or more characters ending in a
//   division suffix (区, 县, 市, 旗, 州, 盟, 省) and followed by an organ
//   (科协, 政协, 委, 总支, ...). Papers write divisions the gazetteer does not
//   have (renamed counties such as 潼南县, now 潼南区; places abroad in the
//   gazetteer's sense), and the brief asks for the region as written.
// The gazetteer's mention wins when it ends where the written name ends;
// otherwise the written name stands, resolved through the gazetteer when
// it can be.
//
// Takes Simplified text (fold.h). Thread-safe: pure function.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_ORGANIZATION_REGION_H_
#define BULLETIN_INGEST_SERVICE_PARSER_ORGANIZATION_REGION_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"

namespace bulletin::parser {

struct OrganizationRegion {
  // The region as written: folded_organization.substr(pos, length), in
  // code points.
  size_t pos = 0;
  size_t length = 0;
  // The division it is, or nullptr when the gazetteer has none by that
  // name.
  const Region* region = nullptr;
};

std::optional<OrganizationRegion> RegionOfOrganization(
    std::u32string_view folded_organization, std::string_view home_province,
    const Lexicon& lex, const Gazetteer& gaz);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_ORGANIZATION_REGION_H_
