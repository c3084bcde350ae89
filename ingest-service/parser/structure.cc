#include "ingest-service/parser/structure.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "ingest-service/parser/byline.h"
#include "ingest-service/parser/dateline.h"
#include "ingest-service/parser/entities.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
#include "ingest-service/parser/series.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Headlines, kickers and subtitles are short and carry no full stop.
constexpr size_t kMaxHeaderLine = 50;
// Kicker, headline, subtitle and one dateline or byline line.
constexpr size_t kMaxHeaderLines = 4;

bool IsHeaderLike(std::u32string_view line) {
  return line.size() <= kMaxHeaderLine &&
         line.find(U'。') == std::u32string_view::npos &&
         !FindDateline(line).has_value();
}

bool StartsWithDash(std::u32string_view line) {
  return !line.empty() && (line.front() == U'—' || line.front() == U'-' ||
                           line.front() == U'─' || line.front() == U'–');
}

void AddWarning(std::string kind, int line, std::u32string_view text,
                std::string message, v1::Bulletin* record) {
  v1::Warning* w = record->add_warnings();
  w->set_kind(std::move(kind));
  w->set_line(line);
  w->set_text(ToUtf8(text));
  w->set_message(std::move(message));
}

void AddByline(const Byline& byline, int line, v1::Bulletin* record) {
  for (const v1::Reporter& r : byline.reporters) *record->add_reporters() = r;
  for (const std::u32string& word : byline.unplaced) {
    AddWarning("unplaced_byline_text", line, word,
               "byline text that is neither a role nor a name", record);
  }
}

// Collects people in order of first mention with every title given.
class PeopleIndex {
 public:
  void Add(const Official& official) {
    auto [it, inserted] = index_.try_emplace(official.name, people_.size());
    if (inserted) people_.push_back({official.name, {}});
    auto& titles = people_[it->second].second;
    for (const Title& t : official.titles) {
      if (std::find(titles.begin(), titles.end(), t.text) == titles.end()) {
        titles.push_back(t.text);
      }
    }
  }
  void WriteTo(v1::Bulletin* record) const {
    for (const auto& [name, titles] : people_) {
      v1::Person* p = record->add_people();
      p->set_name(ToUtf8(name));
      for (const std::u32string& t : titles) p->add_titles(ToUtf8(t));
    }
  }

 private:
  absl::flat_hash_map<std::u32string, size_t> index_;
  std::vector<std::pair<std::u32string, std::vector<std::u32string>>> people_;
};

void FillOfficial(const Official& official, v1::Person* person) {
  person->set_name(ToUtf8(official.name));
  for (const Title& t : official.titles) person->add_titles(ToUtf8(t.text));
}

// The header's lines get their parts: the headline is the line with a
// series marker, else the line before a dash-led subtitle, else the second
// of two or more lines (the first being the kicker), else the only one.
void AssignHeader(const std::vector<std::u32string>& lines,
                  const std::vector<size_t>& header, v1::Bulletin* record) {
  if (header.empty()) {
    AddWarning("no_headline", 0, U"", "the bulletin has no headline line",
               record);
    return;
  }
  std::optional<size_t> h;
  std::optional<SeriesMarker> marker;
  for (size_t i = 0; i < header.size() && !h; ++i) {
    if ((marker = FindSeriesMarker(lines[header[i]]))) h = i;
  }
  for (size_t i = 1; i < header.size() && !h; ++i) {
    if (StartsWithDash(lines[header[i]])) h = i - 1;
  }
  if (!h) h = header.size() == 1 ? 0 : 1;

  const std::u32string_view headline = lines[header[*h]];
  if (marker) {
    const std::u32string_view name =
        TrimSpaces(headline.substr(0, marker->start));
    record->set_headline(ToUtf8(name));
    v1::Series* series = record->mutable_series();
    series->set_name(ToUtf8(name));
    series->set_part(marker->part);
    series->set_marker(ToUtf8(headline.substr(marker->start)));
  } else {
    record->set_headline(ToUtf8(headline));
  }
  for (size_t i = 0; i < header.size(); ++i) {
    const int line = static_cast<int>(header[i]) + 1;
    if (i + 1 == *h) {
      record->set_kicker(ToUtf8(lines[header[i]]));
    } else if (i == *h + 1) {
      record->set_subtitle(ToUtf8(lines[header[i]]));
    } else if (i != *h) {
      AddWarning("unplaced_line", line, lines[header[i]],
                 "a header line that is not the kicker, headline or subtitle",
                 record);
    }
  }
}

}  // namespace

void BuildRecord(const std::vector<std::u32string>& lines,
                 std::string_view date, v1::Bulletin* record) {
  const Lexicon& lex = DefaultLexicon();
  const Gazetteer& gaz = DefaultGazetteer();
  size_t end = lines.size();

  // 1. The byline closes the bulletin.
  std::optional<Byline> closing;
  if (end > 1 && (closing = ParseBylineLine(lines[end - 1], lex))) --end;

  // 2. Header lines; a dateline or byline among them is taken as such.
  std::vector<size_t> header;
  size_t body = 0;
  while (body < end && header.size() < kMaxHeaderLines &&
         IsHeaderLike(lines[body]) && body + 1 < end) {
    if (std::optional<Byline> b = ParseBylineLine(lines[body], lex)) {
      AddByline(*b, static_cast<int>(body) + 1, record);
    } else {
      header.push_back(body);
    }
    ++body;
  }
  if (header.empty() && body < end && end == 1) {
    // A one-line bulletin is all headline.
    header.push_back(body++);
  }
  AssignHeader(lines, header, record);

  // 3-4. Dateline and lead.
  std::string dateline_date;
  if (body < end) {
    std::u32string_view first = lines[body];
    if (std::optional<Dateline> d = FindDateline(first)) {
      record->set_dateline(ToUtf8(first.substr(0, d->length)));
      dateline_date = d->iso_date;
      if (!d->reporters.empty()) {
        if (std::optional<Byline> b = ParseBylineContent(d->reporters, lex)) {
          AddByline(*b, static_cast<int>(body) + 1, record);
        }
      }
      first.remove_prefix(d->body_start);
      if (first.empty()) {
        ++body;
        first = body < end ? std::u32string_view(lines[body]) : U"";
      }
    }
    if (body < end) {
      record->set_lead(ToUtf8(first));
      ++body;
    }
  }
  record->set_date(!date.empty() ? std::string(date) : dateline_date);

  // 5. Items, then 6. people in order of first mention.
  PeopleIndex people;
  for (const Official& o : FindOfficials(ToU32(record->lead()), lex, gaz)) {
    people.Add(o);
  }
  std::vector<ItemEntities> entities;
  for (size_t i = body; i < end; ++i) {
    entities.push_back(ReadItem(lines[i], lex, gaz));
  }
  // A name several divisions share (江北区, 鼓楼区) resolves to the province
  // most of the bulletin's unambiguous regions lie in.
  std::map<std::string, int> provinces;
  for (const ItemEntities& e : entities) {
    if (std::optional<RegionMention> m =
            gaz.FindMostSpecific(e.organization, "");
        m && gaz.IsUnambiguous(m->text)) {
      ++provinces[m->region->province];
    }
  }
  std::string home;
  int best = 0;
  for (const auto& [province, count] : provinces) {
    if (count > best) home = province, best = count;
  }
  for (size_t i = body; i < end; ++i) {
    const ItemEntities& e = entities[i - body];
    v1::Item* item = record->add_items();
    item->set_text(ToUtf8(lines[i]));
    item->set_event(ToUtf8(e.event));
    if (!e.organization.empty()) {
      v1::Organization* org = item->mutable_organization();
      org->set_name(ToUtf8(e.organization));
      org->set_kind(KindOf(e.organization, lex));
      if (std::optional<RegionMention> m =
              gaz.FindMostSpecific(e.organization, home)) {
        org->set_region(ToUtf8(m->text));
        org->set_region_code(m->region->code);
        org->set_province(m->region->province);
      }
    }
    for (const Official& o : e.officials) {
      FillOfficial(o, item->add_officials());
      people.Add(o);
    }
  }
  people.WriteTo(record);
  if (closing) AddByline(*closing, static_cast<int>(end) + 1, record);
}

}  // namespace bulletin::parser
