// Finds the dateline at the start of a bulletin's first paragraph:
// 本报讯, 本报重庆讯, 重庆日报讯, 新华社北京11月18日电, with the reporters in
// parentheses and a date (11月18日, 2021年11月18日) before or after them:
//   本报讯(记者 张三)11月18日,…   新华社重庆11月18日电(记者 李四)…
//
//   std::optional<bulletin::parser::Dateline> d =
//       bulletin::parser::FindDateline(U"本报讯(记者 张三)11月18日,会议…");
//   // d->length == 16 (the dateline), d->body_start == 17 (after the comma)
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_DATELINE_H_
#define BULLETIN_INGEST_SERVICE_PARSER_DATELINE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bulletin::parser {

struct Dateline {
  // Code points of the dateline itself, from the start of the paragraph.
  size_t length = 0;
  // Where the paragraph's own text starts: after the separator (space,
  // comma or colon) that follows the dateline.
  size_t body_start = 0;
  // Where what stood in the parentheses ("记者 张三") starts and how long it
  // is, for the byline reader; 0 and 0 when there were none.
  size_t reporters_start = 0;
  size_t reporters_length = 0;
  // ISO date when the dateline gives year, month and day; else empty.
  std::string iso_date;
};

std::optional<Dateline> FindDateline(std::u32string_view paragraph);

// The ISO date of a line that holds nothing but a date and perhaps a time
// (2021-11-18, 2021/11/18 09:30, 2021年11月18日), as web pages print them;
// nullopt for any other line.
std::optional<std::string> DateLine(std::u32string_view line);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_DATELINE_H_
