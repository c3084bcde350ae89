// bench_index: builds one generated corpus into this index and, when built
// with BULLETIN_BENCH_PEERS=ON, into SQLite FTS5, Xapian and Lucene++, then
// verifies every engine's hit count for every query against a brute-force
// scan, and only then times the queries. Prints markdown tables (see
// docs/benchmarks.md for how they are read).
//
//   bench_index --min_items=100000 --repetitions=7

#include <string.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "bench/index/corpus_generator.h"
#include "bench/index/engine.h"
#include "query-service/index/text/fold.h"
#include "query-service/index/text/text_segments.h"

ABSL_FLAG(int64_t, min_items, 100000, "Items in the generated corpus");
ABSL_FLAG(int, repetitions, 7, "Timed runs of each query (median kept)");
ABSL_FLAG(int, queries_per_kind, 10, "Queries of each kind and rarity");
ABSL_FLAG(bool, per_query, false, "Also print every query's median time");
ABSL_FLAG(std::string, kinds, "",
          "Only the queries whose kind contains this (e.g. \"2-char common\"), "
          "for profiling one kind");
ABSL_FLAG(std::string, engines, "bulletin,sqlite,xapian,lucene",
          "Engines to measure, comma-separated (peers need "
          "BULLETIN_BENCH_PEERS)");

namespace bulletin::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += "\n";
    out += parts[i];
  }
  return out;
}

BenchDocument Prepare(const v1::Bulletin& b) {
  BenchDocument d;
  d.record = &b;
  auto log_record = std::make_shared<v1::LogRecord>();
  log_record->set_seq(b.seq());
  *log_record->mutable_upsert() = b;
  d.log_record = std::move(log_record);
  std::vector<std::string> headline;
  std::vector<std::string> lead;
  for (const TextSegment& s : TextSegmentsOf(b)) {
    std::string folded = FoldText(s.text);
    switch (s.kind) {
      case FieldKind::kHeadline:
        headline.push_back(std::move(folded));
        break;
      case FieldKind::kLead:
        lead.push_back(std::move(folded));
        break;
      case FieldKind::kItem:
        d.items.push_back(std::move(folded));
        break;
    }
  }
  d.headline = Join(headline);
  d.lead = Join(lead);
  for (const v1::Item& item : b.items()) {
    std::string region = FoldText(item.organization().region());
    if (!region.empty() && std::find(d.regions.begin(), d.regions.end(),
                                     region) == d.regions.end()) {
      d.regions.push_back(std::move(region));
    }
  }
  return d;
}

bool Contains(const std::string& text, const std::string& term) {
  return memmem(text.data(), text.size(), term.data(), term.size()) != nullptr;
}

// The reference answer: every term a substring of some field, region among
// the document's regions.
int64_t BruteForce(const std::vector<BenchDocument>& docs,
                   const BenchQuery& q) {
  int64_t hits = 0;
  for (const BenchDocument& d : docs) {
    bool all = true;
    for (const std::string& term : q.terms) {
      bool found = Contains(d.headline, term) || Contains(d.lead, term);
      for (size_t i = 0; !found && i < d.items.size(); ++i) {
        found = Contains(d.items[i], term);
      }
      if (!found) {
        all = false;
        break;
      }
    }
    if (all && !q.region.empty()) {
      all = std::find(d.regions.begin(), d.regions.end(), q.region) !=
            d.regions.end();
    }
    hits += all;
  }
  return hits;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  size_t Below(size_t n) {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<size_t>((z ^ (z >> 31)) % n);
  }

 private:
  uint64_t state_;
};

std::vector<char32_t> Decode(const std::string& s) {
  std::vector<char32_t> out;
  FoldCodePoints(s, &out);
  return out;
}

std::string Encode(const std::vector<char32_t>& cps, size_t at, size_t n) {
  std::string out;
  for (size_t i = at; i < at + n; ++i) {
    const char32_t c = cps[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

bool AllHan(const std::vector<char32_t>& cps, size_t at, size_t n) {
  for (size_t i = at; i < at + n; ++i) {
    if (cps[i] < 0x4E00 || cps[i] > 0x9FFF) return false;
  }
  return true;
}

// A run of n Han characters from a random place in a random document.
std::string SampleTerm(const std::vector<BenchDocument>& docs, size_t n,
                       Rng& rng, size_t* doc_out, size_t* item_out) {
  for (;;) {
    const size_t doc = rng.Below(docs.size());
    const BenchDocument& d = docs[doc];
    if (d.items.empty()) continue;
    const size_t item = rng.Below(d.items.size());
    const std::vector<char32_t> cps = Decode(d.items[item]);
    if (cps.size() < n) continue;
    const size_t at = rng.Below(cps.size() - n + 1);
    if (!AllHan(cps, at, n)) continue;
    *doc_out = doc;
    *item_out = item;
    return Encode(cps, at, n);
  }
}

// Queries of each kind: candidates sampled from the text, then the rarest
// and the most common by their exact hit counts.
std::vector<BenchQuery> MakeQueries(const std::vector<BenchDocument>& docs,
                                    int per_kind) {
  Rng rng(7);
  std::vector<BenchQuery> queries;
  // Each document's fields in one string, for a quick count of candidates'
  // hits ('\n' separates fields, and sampled terms are Han only).
  std::vector<std::string> joined;
  for (const BenchDocument& d : docs) {
    joined.push_back(d.headline + "\n" + d.lead + "\n" + Join(d.items));
  }
  auto count_hits = [&](const BenchQuery& q) {
    int64_t hits = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      bool all = true;
      for (const std::string& term : q.terms) {
        all = all && Contains(joined[i], term);
      }
      if (all && !q.region.empty()) {
        all = std::find(docs[i].regions.begin(), docs[i].regions.end(),
                        q.region) != docs[i].regions.end();
      }
      hits += all;
    }
    return hits;
  };
  // Sampling positions favours common terms, so the pool is large enough
  // for its rarest tenth to be genuinely rare.
  const int candidates = per_kind * 30;
  for (const std::string kind :
       {"1-char", "2-char", "4-char phrase", "2-term AND", "term+region"}) {
    std::vector<std::pair<int64_t, BenchQuery>> pool;
    for (int c = 0; c < candidates; ++c) {
      BenchQuery q;
      size_t doc;
      size_t item;
      if (kind == "1-char") {
        q.terms = {SampleTerm(docs, 1, rng, &doc, &item)};
      } else if (kind == "2-char") {
        q.terms = {SampleTerm(docs, 2, rng, &doc, &item)};
      } else if (kind == "4-char phrase") {
        q.terms = {SampleTerm(docs, 4, rng, &doc, &item)};
      } else if (kind == "2-term AND") {
        q.terms = {SampleTerm(docs, 2, rng, &doc, &item)};
        // A second term from another document, so the AND is selective.
        size_t doc2;
        q.terms.push_back(SampleTerm(docs, 2, rng, &doc2, &item));
        if (q.terms[0] == q.terms[1]) continue;
      } else {
        q.terms = {SampleTerm(docs, 2, rng, &doc, &item)};
        q.region = docs[doc].regions[rng.Below(docs[doc].regions.size())];
      }
      const int64_t hits = count_hits(q);
      if (hits == 0) continue;
      bool duplicate = false;
      for (const auto& [h, other] : pool) {
        duplicate |= other.terms == q.terms && other.region == q.region;
      }
      if (!duplicate) pool.emplace_back(hits, q);
    }
    std::sort(pool.begin(), pool.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    const size_t n = std::min<size_t>(per_kind, pool.size() / 2);
    for (size_t i = 0; i < n; ++i) {
      pool[i].second.kind = kind + " rare";
      queries.push_back(pool[i].second);
    }
    for (size_t i = pool.size() - n; i < pool.size(); ++i) {
      pool[i].second.kind = kind + " common";
      queries.push_back(pool[i].second);
    }
  }
  return queries;
}

struct Result {
  std::string name;
  bool built = false;
  double build_seconds = 0;
  int64_t index_bytes = 0;
  int exact = 0;
  std::vector<std::string> inexact;
  std::vector<double> micros;  // per query, median of repetitions
  std::map<std::string, std::vector<double>> by_kind;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i =
      std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

// Builds `engine` and checks its count for every query; no query is timed.
Result BuildAndVerify(Engine& engine, const std::vector<BenchDocument>& docs,
                      const std::vector<BenchQuery>& queries,
                      const std::vector<int64_t>& expected) {
  Result r;
  r.name = engine.name();
  const auto start = Clock::now();
  absl::Status built = engine.Build(docs);
  r.build_seconds = Seconds(start, Clock::now());
  if (!built.ok()) {
    std::fprintf(stderr, "%s: build failed: %s\n", r.name.c_str(),
                 std::string(built.message()).c_str());
    return r;
  }
  r.built = true;
  r.index_bytes = engine.IndexBytes();
  for (size_t i = 0; i < queries.size(); ++i) {
    absl::StatusOr<int64_t> hits = engine.Search(queries[i]);
    if (hits.ok() && *hits == expected[i]) {
      ++r.exact;
    } else {
      std::string terms;
      for (const std::string& t : queries[i].terms) terms += t + " ";
      r.inexact.push_back(
          queries[i].kind + " [" + terms + queries[i].region +
          "]: " + (hits.ok() ? std::to_string(*hits) : std::string("error")) +
          " vs " + std::to_string(expected[i]));
    }
  }
  return r;
}

// Times every query on every engine: query by query, each engine in turn
// (a different one first each time) runs the query `repetitions` times back
// to back. A burst of machine noise, which lasts seconds, then lands on all
// engines for the same few queries rather than on whichever engine was
// being measured; and each engine's median still comes from warm caches,
// as in a service that answers queries all day, not from caches just swept
// by another engine (finer interleaving measured that instead: every
// engine slower, ours most).
void TimeQueries(const std::vector<std::unique_ptr<Engine>>& engines,
                 const std::vector<BenchQuery>& queries, int repetitions,
                 std::vector<Result>* results) {
  const size_t n = engines.size();
  for (size_t i = 0; i < queries.size(); ++i) {
    const BenchQuery& q = queries[i];
    for (size_t turn = 0; turn < n; ++turn) {
      const size_t e = (turn + i) % n;
      Result& r = (*results)[e];
      if (!r.built) continue;
      std::vector<double> runs;
      for (int k = 0; k < repetitions; ++k) {
        const auto t0 = Clock::now();
        absl::StatusOr<int64_t> hits = engines[e]->Search(q);
        runs.push_back(Seconds(t0, Clock::now()) * 1e6);
        if (!hits.ok()) break;
      }
      const double median = Percentile(runs, 0.5);
      r.micros.push_back(median);
      r.by_kind[q.kind.substr(0, q.kind.rfind(' '))].push_back(median);
    }
  }
}

int Main() {
  const auto t0 = Clock::now();
  const std::vector<v1::Bulletin> corpus =
      GenerateCorpus({absl::GetFlag(FLAGS_min_items), 20211123});
  std::vector<BenchDocument> docs;
  docs.reserve(corpus.size());
  int64_t items = 0;
  int64_t text_bytes = 0;
  for (const v1::Bulletin& b : corpus) {
    docs.push_back(Prepare(b));
    items += b.items_size();
    for (const TextSegment& s : TextSegmentsOf(b)) text_bytes += s.text.size();
  }
  std::vector<BenchQuery> queries =
      MakeQueries(docs, absl::GetFlag(FLAGS_queries_per_kind));
  const std::string kinds = absl::GetFlag(FLAGS_kinds);
  queries.erase(std::remove_if(queries.begin(), queries.end(),
                               [&](const BenchQuery& q) {
                                 return q.kind.find(kinds) == std::string::npos;
                               }),
                queries.end());
  std::vector<int64_t> expected;
  for (const BenchQuery& q : queries) expected.push_back(BruteForce(docs, q));
  std::printf(
      "Corpus: %zu bulletins, %lld items, %.1f MB of text "
      "(generated and prepared in %.1f s); %zu queries.\n\n",
      corpus.size(), static_cast<long long>(items), text_bytes / 1e6,
      Seconds(t0, Clock::now()), queries.size());

  const std::vector<std::string> wanted =
      absl::StrSplit(absl::GetFlag(FLAGS_engines), ',');
  auto want = [&](const char* name) {
    return std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };
  std::vector<std::unique_ptr<Engine>> engines;
  if (want("bulletin")) engines.push_back(MakeBulletinEngine());
#ifdef BULLETIN_BENCH_PEERS
  if (want("sqlite")) engines.push_back(MakeSqliteEngine());
  if (want("xapian")) engines.push_back(MakeXapianEngine());
  if (want("lucene")) engines.push_back(MakeLuceneEngine());
#endif
  if (engines.empty()) {
    std::fprintf(stderr, "--engines names no engine this build has\n");
    return 2;
  }
  // One engine built at a time; all stay in memory for the timing.
  std::vector<Result> results;
  for (auto& engine : engines) {
    results.push_back(BuildAndVerify(*engine, docs, queries, expected));
  }
  TimeQueries(engines, queries, absl::GetFlag(FLAGS_repetitions), &results);

  std::printf(
      "| engine | build (s) | index (MB) | index / text | median "
      "(µs) | p99 (µs) | exact |\n|---|---:|---:|---:|---:|---:|---:|\n");
  for (const Result& r : results) {
    std::printf("| %s | %.2f | %.1f | %.2f | %.1f | %.1f | %d/%zu |\n",
                r.name.c_str(), r.build_seconds, r.index_bytes / 1e6,
                static_cast<double>(r.index_bytes) / text_bytes,
                Percentile(r.micros, 0.5), Percentile(r.micros, 0.99), r.exact,
                queries.size());
  }
  std::printf("\nMedian latency by query kind (µs):\n\n| kind |");
  for (const Result& r : results) std::printf(" %s |", r.name.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < results.size(); ++i) std::printf("---:|");
  std::printf("\n");
  for (const auto& [kind, unused] : results[0].by_kind) {
    std::printf("| %s |", kind.c_str());
    for (const Result& r : results) {
      auto it = r.by_kind.find(kind);
      std::printf(" %.1f |",
                  it == r.by_kind.end() ? 0.0 : Percentile(it->second, 0.5));
    }
    std::printf("\n");
  }
  if (absl::GetFlag(FLAGS_per_query)) {
    std::printf("\n| query | hits |");
    for (const Result& r : results) std::printf(" %s |", r.name.c_str());
    std::printf("\n");
    for (size_t i = 0; i < queries.size(); ++i) {
      std::string text;
      for (const std::string& t : queries[i].terms) text += t + " ";
      std::printf("| %s: %s%s | %lld |", queries[i].kind.c_str(), text.c_str(),
                  queries[i].region.c_str(),
                  static_cast<long long>(expected[i]));
      for (const Result& r : results) {
        std::printf(" %.1f |", i < r.micros.size() ? r.micros[i] : 0.0);
      }
      std::printf("\n");
    }
  }
  for (const Result& r : results) {
    for (const std::string& line : r.inexact) {
      std::printf("\n%s inexact: %s", r.name.c_str(), line.c_str());
    }
  }
  std::printf("\n");
  return 0;
}

}  // namespace
}  // namespace bulletin::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return bulletin::bench::Main();
}
