// bench/store: what the query replica's stored records (stored_record.h)
// cost on bench/load's corpus, parsed by ingest's parser as ingest would
// (source text included, which the store drops): the bytes of each part of
// a record as a protobuf (where the bytes were),
// then, for each compression setting, the bytes per record, the time to
// store one (compression, the dictionary trainings included) and to read
// one back: its text (what a hit decodes) and the whole record (Get).
// docs/benchmarks.md, "Replica memory", has the figures.
//
//   build/bench/store/store_bench --bulletins=5000

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/load/corpus_texts.h"
#include "ingest-service/parser/parse_submission.h"
#include "query-service/index/store/record_compressor.h"
#include "query-service/index/store/stored_record.h"
#include "query-service/index/text/text_segments.h"

ABSL_FLAG(int64_t, bulletins, 5000, "Bulletins of bench/load's corpus.");

namespace bulletin {
namespace {

struct Setting {
  const char* name;
  RecordCompressor::Options options;
};

double PerRecord(absl::Duration d, size_t n) {
  return absl::ToDoubleMicroseconds(d) / static_cast<double>(n);
}

void Measure(const Setting& setting, const std::vector<v1::Bulletin>& corpus,
             int64_t text_bytes) {
  RecordCompressor compressor(setting.options);
  std::vector<std::shared_ptr<const StoredRecord>> stored;
  stored.reserve(corpus.size());
  const absl::Time started = absl::Now();
  for (const v1::Bulletin& b : corpus) stored.push_back(compressor.Store(b));
  const absl::Duration storing = absl::Now() - started;
  size_t bytes = 0;
  for (const auto& r : stored) bytes += r->SpaceUsed();
  // Each dictionary once (records share them).
  std::vector<const StoreDictionary*> dictionaries;
  for (const auto& r : stored) {
    if (r->dictionary() != nullptr &&
        std::find(dictionaries.begin(), dictionaries.end(),
                  r->dictionary().get()) == dictionaries.end()) {
      dictionaries.push_back(r->dictionary().get());
    }
  }
  size_t dictionary_bytes = 0;
  for (const StoreDictionary* d : dictionaries) {
    dictionary_bytes += d->SpaceUsed();
  }
  // Reads of the records stored last (with the newest dictionary).
  const size_t reads = std::min<size_t>(stored.size(), 2000);
  size_t checksum = 0;
  absl::Time t = absl::Now();
  for (size_t i = stored.size() - reads; i < stored.size(); ++i) {
    absl::StatusOr<RecordText> text = stored[i]->Text();
    if (!text.ok()) {
      std::cerr << text.status() << "\n";
      return;
    }
    checksum += text->segments().size();
  }
  const absl::Duration text_reads = absl::Now() - t;
  t = absl::Now();
  for (size_t i = stored.size() - reads; i < stored.size(); ++i) {
    absl::StatusOr<v1::Bulletin> whole = stored[i]->ToBulletin();
    if (!whole.ok()) {
      std::cerr << whole.status() << "\n";
      return;
    }
    checksum += whole->items_size();
  }
  const absl::Duration whole_reads = absl::Now() - t;
  std::cout << absl::StrFormat(
      "| %s | %.0f | %.3f | %d (%.0f KB) | %.1f | %.1f | %.1f |%s\n",
      setting.name, static_cast<double>(bytes) / stored.size(),
      static_cast<double>(bytes + dictionary_bytes) / text_bytes,
      dictionaries.size(), dictionary_bytes / 1e3,
      PerRecord(storing, stored.size()), PerRecord(text_reads, reads),
      PerRecord(whole_reads, reads), checksum == 0 ? " (no reads)" : "");
}

int Run() {
  if (absl::Status loaded = LoadParserData(); !loaded.ok()) {
    std::cerr << loaded << "\n";
    return 1;
  }
  const std::vector<load::Submission> submissions =
      load::MakeSubmissions(0, absl::GetFlag(FLAGS_bulletins));
  std::vector<v1::Bulletin> corpus;
  corpus.reserve(submissions.size());
  for (const load::Submission& s : submissions) {
    ParseOptions options;
    options.date = s.date;
    absl::StatusOr<ParsedSubmission> parsed =
        ParseSubmission(s.content, options);
    if (!parsed.ok()) {
      std::cerr << parsed.status() << "\n";
      return 1;
    }
    parsed->bulletin.set_id(absl::StrFormat("%016x", corpus.size()));
    parsed->bulletin.set_seq(corpus.size() + 1);
    corpus.push_back(std::move(parsed->bulletin));
  }

  // Where the bytes of a record as a protobuf are.
  int64_t text = 0;
  int64_t source = 0;
  int64_t rest = 0;
  int64_t in_memory = 0;
  for (const v1::Bulletin& b : corpus) {
    for (const TextSegment& s : TextSegmentsOf(b)) text += s.text.size();
    source += b.source_text().size();
    v1::Bulletin r = b;
    r.clear_source_text();
    for (TextField f :
         {TextField::kKicker, TextField::kHeadline, TextField::kSubtitle,
          TextField::kDateline, TextField::kLead}) {
      MutableTextOf(&r, f, -1)->clear();
    }
    for (v1::Item& item : *r.mutable_items()) item.clear_text();
    rest += r.ByteSizeLong();
    in_memory += b.SpaceUsedLong();
  }
  const double n = static_cast<double>(corpus.size());
  std::cout << absl::StrFormat(
      "%d bulletins; per bulletin: text fields %.0f bytes, source text %.0f, "
      "other fields serialized %.0f; the record as a protobuf in memory "
      "%.0f (%.2fx the text)\n\n",
      corpus.size(), text / n, source / n, rest / n, in_memory / n,
      static_cast<double>(in_memory) / text);

  std::cout << "| setting | bytes / record | store / text | dictionaries | "
               "store (µs) | text read (µs) | whole read (µs) |\n"
               "|---|---:|---:|---:|---:|---:|---:|\n";
  const RecordCompressor::Options defaults;
  auto with = [&](auto change) {
    RecordCompressor::Options o = defaults;
    change(o);
    return o;
  };
  const Setting settings[] = {
      {"no dictionary, level 3",
       with([](auto& o) { o.first_training = UINT64_MAX; })},
      {"default (level 3, 64 KB dictionary, 1 MiB sample)", defaults},
      {"level 1", with([](auto& o) { o.text_level = o.rest_level = 1; })},
      {"level 6", with([](auto& o) { o.text_level = o.rest_level = 6; })},
      {"level 9", with([](auto& o) { o.text_level = o.rest_level = 9; })},
      {"16 KB dictionary",
       with([](auto& o) { o.dictionary_bytes = 16 << 10; })},
      {"256 KB dictionary, 4 MiB sample", with([](auto& o) {
         o.dictionary_bytes = 256 << 10;
         o.max_sample_bytes = 4 << 20;
       })},
      {"4 MiB sample", with([](auto& o) { o.max_sample_bytes = 4 << 20; })},
  };
  // The corpus keeps its source texts, as the Feed delivers them: the store
  // drops them (stored_record.h), so the bytes are what a replica holds.
  for (const Setting& s : settings) Measure(s, corpus, text);
  return 0;
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return bulletin::Run();
}
