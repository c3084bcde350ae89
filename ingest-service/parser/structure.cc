#include "ingest-service/parser/structure.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "ingest-service/parser/byline.h"
#include "ingest-service/parser/dateline.h"
#include "ingest-service/parser/entities.h"
#include "ingest-service/parser/fold.h"
#include "ingest-service/parser/gazetteer.h"
#include "ingest-service/parser/lexicon.h"
#include "ingest-service/parser/organization_region.h"
#include "ingest-service/parser/series.h"
#include "ingest-service/parser/text_util.h"

namespace bulletin::parser {
namespace {

// Headlines, kickers and subtitles are short and carry no full stop.
constexpr size_t kMaxHeaderLine = 50;
// Kicker, headline, subtitle and one dateline or byline line.
constexpr size_t kMaxHeaderLines = 4;

// A line as written and folded to Simplified (see fold.h).
struct Line {
  std::u32string_view text;
  std::u32string folded;
};

bool IsHeaderLike(const Line& line) {
  return line.text.size() <= kMaxHeaderLine &&
         line.text.find(U'。') == std::u32string_view::npos &&
         !FindDateline(line.folded).has_value();
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

// Adds the byline's reporters; its other words become warnings unless they
// are already placed (in the dateline).
void AddByline(const Byline& byline, int line, bool placed,
               v1::Bulletin* record) {
  for (const v1::Reporter& r : byline.reporters) *record->add_reporters() = r;
  if (placed) return;
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

// Openings of a lead that lost its full stop: such a line is body, not a
// subtitle.
constexpr std::u32string_view kLeadOpenings[] = {U"连日来", U"近日", U"日前",
                                                 U"近期",   U"我市", U"本报讯"};

// A short line that reads as a sentence (a clause before a comma, or a
// lead's opening words) rather than as a title.
bool LooksLikeSentence(const Line& line) {
  constexpr size_t kLongTitle = 20;
  if (line.folded.find(U',') != std::u32string::npos &&
      line.folded.size() > kLongTitle) {
    return true;
  }
  for (std::u32string_view opening : kLeadOpenings) {
    if (line.folded.substr(0, opening.size()) == opening) return true;
  }
  return false;
}

// The header's lines get their parts: the headline is the line with a
// series marker (or the line before it when the marker ends a dash-led
// subtitle, the line after it when it ends the first line or a kicker
// naming a 系列 and a title that is no subtitle follows), else
// the line before a dash-led subtitle, else the second of two or more
// lines (the first being the kicker), else the only one. The line after the
// headline is the subtitle unless it reads as a sentence. Returns how many
// header lines were used; the rest are body.
size_t AssignHeader(const std::vector<Line>& lines,
                    const std::vector<size_t>& header, v1::Bulletin* record) {
  if (header.empty()) {
    AddWarning("no_headline", 0, U"", "the bulletin has no headline line",
               record);
    return 0;
  }
  // The line that carries the series marker, and the headline.
  std::optional<size_t> m;
  std::optional<SeriesMarker> marker;
  for (size_t i = 0; i < header.size() && !m; ++i) {
    if ((marker = FindSeriesMarker(lines[header[i]].folded))) m = i;
  }
  std::optional<size_t> h;
  if (m) {
    const Line& line = lines[header[*m]];
    if (StartsWithDash(line.text) && *m >= 1) {
      // A subtitle names the series: ——学习贯彻全会精神系列评论之三.
      h = *m - 1;
    } else if (*m + 1 < header.size() &&
               !StartsWithDash(lines[header[*m + 1]].text) &&
               (*m == 0 || line.folded.find(U"系列") != std::u32string::npos)) {
      // A kicker names the series: 学习贯彻全会精神系列报道(三) or any
      // marked first line with a title under it.
      h = *m + 1;
    } else {
      h = *m;
    }
  }
  for (size_t i = 1; i < header.size() && !h; ++i) {
    if (StartsWithDash(lines[header[i]].text)) h = i - 1;
  }
  if (!h) {
    h = header.size() == 1 || LooksLikeSentence(lines[header[1]]) ? 0 : 1;
  }
  size_t used = *h + 1;
  if (used < header.size()) {
    const Line& next = lines[header[used]];
    if (StartsWithDash(next.text) || !LooksLikeSentence(next)) ++used;
  }

  // The line with the marker keeps its text without it; the series is
  // named by that text, less the dash of a subtitle.
  auto text_of = [&](size_t i) -> std::u32string_view {
    const std::u32string_view text = lines[header[i]].text;
    return m && i == *m ? TrimSpaces(text.substr(0, marker->start)) : text;
  };
  if (m) {
    std::u32string_view name = text_of(*m);
    while (!name.empty() && StartsWithDash(name)) name.remove_prefix(1);
    v1::Series* series = record->mutable_series();
    series->set_name(ToUtf8(name));
    series->set_part(marker->part);
    series->set_marker(ToUtf8(
        std::u32string_view(lines[header[*m]].text).substr(marker->start)));
  }
  record->set_headline(ToUtf8(text_of(*h)));
  for (size_t i = 0; i < used; ++i) {
    if (i + 1 == *h) {
      record->set_kicker(ToUtf8(text_of(i)));
    } else if (i == *h + 1) {
      record->set_subtitle(ToUtf8(text_of(i)));
    } else if (i != *h) {
      AddWarning("unplaced_line", static_cast<int>(header[i]) + 1, text_of(i),
                 "a header line above the kicker", record);
    }
  }
  return used;
}

// True when the body's first paragraph is itself an item of a round-up, not
// a lead: it opens with a body in a named region that acted, and so does at
// least one later paragraph. A round-up that starts straight with its first
// district has no lead.
bool FirstParagraphIsItem(const std::vector<ItemEntities>& entities,
                          const Lexicon& lex, const Gazetteer& gaz) {
  auto regional = [&](const ItemEntities& e) {
    return !e.organization.empty() &&
           RegionOfOrganization(e.organization_folded, "", lex, gaz)
               .has_value();
  };
  return entities.size() >= 2 && regional(entities[0]) &&
         std::any_of(entities.begin() + 1, entities.end(), regional);
}

// The province most of the items' unambiguous regions lie in: it settles
// names several divisions share (江北区, 鼓楼区).
std::string HomeProvince(const std::vector<ItemEntities>& entities,
                         const Lexicon& lex, const Gazetteer& gaz) {
  std::map<std::string, int> provinces;
  for (const ItemEntities& e : entities) {
    std::optional<OrganizationRegion> m =
        RegionOfOrganization(e.organization_folded, "", lex, gaz);
    if (m && m->region != nullptr &&
        gaz.IsUnambiguous(std::u32string_view(e.organization_folded)
                              .substr(m->pos, m->length))) {
      ++provinces[m->region->province];
    }
  }
  std::string home;
  int best = 0;
  for (const auto& [province, count] : provinces) {
    if (count > best) {
      home = province;
      best = count;
    }
  }
  return home;
}

void FillItem(std::u32string_view text, const ItemEntities& e,
              std::string_view home, const Lexicon& lex, const Gazetteer& gaz,
              v1::Item* item) {
  item->set_text(ToUtf8(text));
  item->set_event(ToUtf8(e.event));
  if (!e.organization.empty()) {
    v1::Organization* org = item->mutable_organization();
    org->set_name(ToUtf8(e.organization));
    org->set_kind(KindOf(e.organization_folded, lex));
    if (std::optional<OrganizationRegion> m =
            RegionOfOrganization(e.organization_folded, home, lex, gaz)) {
      org->set_region(ToUtf8(
          std::u32string_view(e.organization).substr(m->pos, m->length)));
      if (m->region != nullptr) {
        org->set_region_code(m->region->code);
        org->set_province(m->region->province);
      }
    }
  }
  for (const Official& o : e.officials) {
    v1::Person* person = item->add_officials();
    person->set_name(ToUtf8(o.name));
    for (const Title& t : o.titles) person->add_titles(ToUtf8(t.text));
  }
}

// Takes an unbracketed reporter clause after the dateline into it:
// "本报讯 记者 张三 报道:连日来…" has 记者 张三 报道 as its reporters. The
// clause starts with a role, runs to a comma or colon within kMaxClause
// characters, and reads as roles and names with at most a trailing 报道.
void ReporterClause(std::u32string_view text, std::u32string_view folded,
                    const Lexicon& lex, Dateline* d) {
  constexpr size_t kMaxClause = 30;
  const size_t start = d->body_start;
  if (lex.byline_roles.LongestAt(folded, start) == 0) return;
  size_t end = start;
  while (end < folded.size() && end - start <= kMaxClause &&
         folded[end] != U',' && folded[end] != U':' && folded[end] != U'。') {
    ++end;
  }
  if (end >= folded.size() || (folded[end] != U',' && folded[end] != U':')) {
    return;
  }
  std::optional<Byline> byline = ParseBylineContent(
      text.substr(start, end - start), folded.substr(start, end - start), lex);
  if (!byline) return;
  for (const std::u32string& word : byline->unplaced) {
    if (!lex.byline_trailers.Contains(FoldToSimplified(word))) return;
  }
  d->reporters_start = start;
  d->reporters_length = end - start;
  d->length = end;
  d->body_start = end + 1;
  while (d->body_start < folded.size() && folded[d->body_start] == U' ') {
    ++d->body_start;
  }
}

// A metadata line: a label (来源, 责任编辑; data/metadata_labels.txt),
// perhaps after an opening bracket, and a colon.
bool IsMetadata(const Line& line, const Lexicon& lex) {
  // A CMS may bracket it: (责任编辑:王丽), 【来源:…】.
  const size_t open = !line.folded.empty() && (line.folded[0] == U'(' ||
                                               line.folded[0] == U'【' ||
                                               line.folded[0] == U'[')
                          ? 1
                          : 0;
  const size_t label = lex.metadata_labels.LongestAt(line.folded, open);
  if (label == 0) return false;
  size_t i = open + label;
  while (i < line.folded.size() && line.folded[i] == U' ') ++i;
  return i < line.folded.size() && line.folded[i] == U':';
}

// Builds one record; each step reads the lines the steps before it left.
class RecordBuilder {
 public:
  RecordBuilder(const std::vector<std::u32string>& texts, v1::Bulletin* record)
      : lex_(DefaultLexicon()), gaz_(DefaultGazetteer()), record_(record) {
    lines_.reserve(texts.size());
    for (const std::u32string& t : texts) {
      lines_.push_back(Line{t, FoldToSimplified(t)});
    }
    end_ = lines_.size();
  }

  void Build(std::string_view date) {
    record_->mutable_series();  // present in every record, part 0 when none
    TakeClosingLines();
    ReadHeader();
    ReadDateline();
    record_->set_date(!date.empty() ? std::string(date) : dateline_date_);
    ReadBody();
    people_.WriteTo(record_);
    if (closing_) {
      AddByline(*closing_, static_cast<int>(closing_line_) + 1,
                /*placed=*/false, record_);
    }
    for (size_t line : trailing_metadata_) Metadata(line);
  }

 private:
  void Metadata(size_t line) {
    AddWarning("metadata_line", static_cast<int>(line) + 1, lines_[line].text,
               "a metadata line (source, editor, time), not part of the "
               "bulletin's text",
               record_);
  }

  // 1. Metadata lines (责任编辑:…) and the byline close the bulletin.
  void TakeClosingLines() {
    while (end_ > 1 && IsMetadata(lines_[end_ - 1], lex_)) {
      trailing_metadata_.insert(trailing_metadata_.begin(), --end_);
    }
    if (end_ > 1 &&
        (closing_ = ParseBylineLine(lines_[end_ - 1].text,
                                    lines_[end_ - 1].folded, lex_))) {
      closing_line_ = --end_;
      return;
    }
    // A byline in brackets may close the last paragraph on its own line:
    // "……开花结果。(鲜 明 吕 静)".
    if (end_ > 1) {
      Line& last = lines_[end_ - 1];
      const size_t open = last.text.rfind(U'(');
      if (last.text.back() == U')' && open != std::u32string_view::npos &&
          open > 0 && last.text[open - 1] == U'。') {
        closing_ = ParseBylineLine(
            last.text.substr(open),
            std::u32string_view(last.folded).substr(open), lex_);
        if (closing_) {
          closing_line_ = end_ - 1;
          last.text = last.text.substr(0, open);
          last.folded.resize(open);
        }
      }
    }
  }

  // 2. Header lines; bylines, metadata and a date line among them are taken
  // as such. Header lines the header does not use (a lead that lost its
  // full stop) are body.
  void ReadHeader() {
    std::vector<size_t> header;
    std::vector<std::pair<size_t, Byline>> bylines;
    std::vector<size_t> metadata;
    while (body_ + 1 < end_ && header.size() < kMaxHeaderLines &&
           IsHeaderLike(lines_[body_])) {
      const Line& line = lines_[body_];
      std::optional<std::string> iso;
      if (IsMetadata(line, lex_)) {
        metadata.push_back(body_);
      } else if (!date_line_ && (iso = DateLine(line.folded))) {
        date_line_ = std::make_pair(body_, *iso);
      } else if (std::optional<Byline> b =
                     ParseBylineLine(line.text, line.folded, lex_)) {
        bylines.emplace_back(body_, *std::move(b));
      } else {
        header.push_back(body_);
      }
      ++body_;
    }
    if (header.empty() && end_ == 1) header.push_back(body_++);
    if (const size_t used = AssignHeader(lines_, header, record_);
        used < header.size()) {
      body_ = header[used];
    }
    for (const auto& [line, byline] : bylines) {
      if (line < body_) {
        AddByline(byline, static_cast<int>(line) + 1, /*placed=*/false,
                  record_);
      }
    }
    for (size_t line : metadata) {
      if (line < body_) Metadata(line);
    }
    if (date_line_ && date_line_->first >= body_) date_line_.reset();
  }

  // 3. The dateline opens the body; a date line in the header stands in
  // for it when there is none.
  void ReadDateline() {
    while (body_ < end_ && IsMetadata(lines_[body_], lex_)) Metadata(body_++);
    first_line_ = body_;
    if (body_ < end_) {
      first_ = lines_[body_].text;
      first_folded_ = lines_[body_].folded;
      if (std::optional<Dateline> d = FindDateline(first_folded_)) {
        TakeDateline(*d);
      }
    }
    if (date_line_) {
      const auto& [line, iso] = *date_line_;
      if (record_->dateline().empty()) {
        record_->set_dateline(ToUtf8(lines_[line].text));
        dateline_date_ = iso;
        date_only_dateline_ = true;
      } else {
        Metadata(line);
      }
    }
  }

  void TakeDateline(Dateline d) {
    if (d.reporters_length == 0) {
      ReporterClause(first_, first_folded_, lex_, &d);
    }
    record_->set_dateline(ToUtf8(first_.substr(0, d.length)));
    dateline_date_ = d.iso_date;
    if (d.reporters_length > 0) {
      if (std::optional<Byline> b = ParseBylineContent(
              first_.substr(d.reporters_start, d.reporters_length),
              first_folded_.substr(d.reporters_start, d.reporters_length),
              lex_)) {
        AddByline(*b, static_cast<int>(body_) + 1, /*placed=*/true, record_);
      }
    }
    first_.remove_prefix(d.body_start);
    first_folded_.remove_prefix(d.body_start);
    if (first_.empty()) {
      ++first_line_;
      first_ = first_line_ < end_ ? lines_[first_line_].text : U"";
      first_folded_ = first_line_ < end_
                          ? std::u32string_view(lines_[first_line_].folded)
                          : U"";
    }
  }

  // 4-5. Lead and items: every paragraph is read as an item, and the first
  // becomes the lead unless the bulletin is a round-up that starts straight
  // with its first body. After a dateline the first paragraph is always the
  // lead: that is how a news report opens. A byline or metadata line inside
  // the body is taken as such, not as a paragraph.
  void ReadBody() {
    std::vector<std::u32string_view> paragraphs;
    std::vector<ItemEntities> entities;
    if (first_line_ < end_) {
      paragraphs.push_back(first_);
      entities.push_back(ReadItem(first_, first_folded_, lex_, gaz_));
      for (size_t i = first_line_ + 1; i < end_; ++i) {
        const Line& line = lines_[i];
        if (IsMetadata(line, lex_)) {
          Metadata(i);
          continue;
        }
        if (std::optional<Byline> b =
                ParseBylineLine(line.text, line.folded, lex_)) {
          AddByline(*b, static_cast<int>(i) + 1, /*placed=*/false, record_);
          continue;
        }
        paragraphs.push_back(line.text);
        entities.push_back(ReadItem(line.text, line.folded, lex_, gaz_));
      }
    }
    // A date alone above the body (a CMS's publication date) is no news
    // head: a round-up under it may still open with its first body.
    const bool news_dateline =
        !record_->dateline().empty() && !date_only_dateline_;
    const bool has_lead =
        !paragraphs.empty() &&
        (news_dateline || !FirstParagraphIsItem(entities, lex_, gaz_));
    const std::string home = HomeProvince(entities, lex_, gaz_);
    for (size_t i = 0; i < paragraphs.size(); ++i) {
      if (i == 0 && has_lead) {
        record_->set_lead(ToUtf8(paragraphs[0]));
      } else {
        FillItem(paragraphs[i], entities[i], home, lex_, gaz_,
                 record_->add_items());
      }
      for (const Official& o : entities[i].officials) people_.Add(o);
    }
  }

  const Lexicon& lex_;
  const Gazetteer& gaz_;
  v1::Bulletin* const record_;
  std::vector<Line> lines_;
  // Lines [body_, end_) are the body once the header is read.
  size_t body_ = 0;
  size_t end_ = 0;
  std::optional<Byline> closing_;
  size_t closing_line_ = 0;
  std::vector<size_t> trailing_metadata_;
  // A line holding only a date in the header, and its ISO date.
  std::optional<std::pair<size_t, std::string>> date_line_;
  std::string dateline_date_;
  // The dateline is a line holding only a date, not a news head.
  bool date_only_dateline_ = false;
  // The first paragraph after the dateline, and its line.
  std::u32string_view first_;
  std::u32string_view first_folded_;
  size_t first_line_ = 0;
  PeopleIndex people_;
};

}  // namespace

void BuildRecord(const std::vector<std::u32string>& texts,
                 std::string_view date, v1::Bulletin* record) {
  RecordBuilder(texts, record).Build(date);
}

}  // namespace bulletin::parser
