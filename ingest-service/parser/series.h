// Finds a series marker at the end of a headline: (三), (3), (之三), 之三,
// (上)/(中)/(下), also in 【】 and [] brackets. Parentheses that are not a
// number, as in 区(市)县, are not markers.
//
//   std::optional<bulletin::parser::SeriesMarker> m =
//       bulletin::parser::FindSeriesMarker(U"学习贯彻全会精神(三)");
//   // m->start == 8, m->part == 3
//
// Stateless; thread-safe.

#ifndef BULLETIN_INGEST_SERVICE_PARSER_SERIES_H_
#define BULLETIN_INGEST_SERVICE_PARSER_SERIES_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace bulletin::parser {

struct SeriesMarker {
  // Where the marker starts; it runs to the end of the headline.
  size_t start = 0;
  // The part number, 1-based.
  int part = 0;
};

std::optional<SeriesMarker> FindSeriesMarker(std::u32string_view headline);

// Value of a Chinese numeral (一 … 九十九, with 〇/零 and 两) or of ASCII
// digits; 0 when `text` is not one.
int ParseNumeral(std::u32string_view text);

}  // namespace bulletin::parser

#endif  // BULLETIN_INGEST_SERVICE_PARSER_SERIES_H_
