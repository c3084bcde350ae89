#include "bench/load/corpus_texts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/index/corpus_generator.h"

namespace bulletin::load {
namespace {

// The generator makes a corpus at a time; submissions are taken from
// successive corpora with successive seeds, this many from each. A bulletin
// has at most 15 items, so kItemsPerChunk items always give enough bulletins.
constexpr int64_t kBulletinsPerChunk = 10000;
constexpr int64_t kItemsPerChunk = 15 * kBulletinsPerChunk;
// The index bench's default seed, so that chunk 0 starts with its corpus.
constexpr uint64_t kFirstSeed = 20211123;

// The first `bulletins` (at most kBulletinsPerChunk) bulletins of chunk
// `chunk`: the same ones whatever `bulletins` is, generated alone (a whole
// chunk takes seconds, ten under the sanitizers, and a short run needs a
// few hundred).
std::vector<v1::Bulletin> Chunk(int64_t chunk, int64_t bulletins) {
  bench::CorpusOptions options;
  options.min_items = kItemsPerChunk;
  options.seed = kFirstSeed + static_cast<uint64_t>(chunk);
  options.max_bulletins = std::min(bulletins, kBulletinsPerChunk);
  std::vector<v1::Bulletin> corpus = bench::GenerateCorpus(options);
  corpus.resize(static_cast<size_t>(options.max_bulletins));
  return corpus;
}

Submission Render(const v1::Bulletin& b, int64_t n) {
  Submission s;
  s.token = absl::StrFormat("LD%08d", n);
  s.external_id = absl::StrCat("load-", n);
  s.date = b.date();
  if (!b.kicker().empty()) absl::StrAppend(&s.content, b.kicker(), "\n");
  absl::StrAppend(&s.content, b.headline(), b.series().marker(), "\n");
  absl::StrAppend(&s.content, b.lead(), "稿件编号", s.token, "。\n");
  for (const v1::Item& item : b.items()) {
    absl::StrAppend(&s.content, item.text(), "\n");
  }
  std::vector<std::string> names;
  for (const v1::Reporter& reporter : b.reporters()) {
    names.push_back(reporter.name());
  }
  absl::StrAppend(&s.content, "(", absl::StrJoin(names, " "), ")\n");
  return s;
}

// Code points in UTF-8 `text`.
int CodePoints(absl::string_view text) {
  int count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// The first `count` code points of UTF-8 `text`.
std::string FirstCodePoints(absl::string_view text, int count) {
  size_t end = 0;
  for (int seen = 0; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 &&
        seen++ == count) {
      break;
    }
  }
  return std::string(text.substr(0, end));
}

}  // namespace

std::vector<Submission> MakeSubmissions(int64_t first, int64_t count) {
  std::vector<Submission> submissions;
  submissions.reserve(static_cast<size_t>(count));
  std::vector<v1::Bulletin> chunk;
  int64_t chunk_number = -1;
  for (int64_t n = first; n < first + count; ++n) {
    if (n / kBulletinsPerChunk != chunk_number) {
      chunk_number = n / kBulletinsPerChunk;
      // Up to the last bulletin this call takes from the chunk.
      const int64_t last = std::min(
          first + count - 1, (chunk_number + 1) * kBulletinsPerChunk - 1);
      chunk = Chunk(chunk_number, last % kBulletinsPerChunk + 1);
    }
    submissions.push_back(Render(chunk[n % kBulletinsPerChunk], n));
  }
  return submissions;
}

std::vector<v1::SearchRequest> MakeSearches(int count, int kind) {
  // Searches are drawn from the bulletins of chunk 0 in turn, around the
  // chunk again past its end; generated as far as the loop gets (a few
  // thousand bulletins for 1,000 searches, so that bench/scale's call per
  // kind costs no more, in all, than the whole chunk once).
  std::vector<v1::Bulletin> corpus;
  std::vector<v1::SearchRequest> searches;
  for (int i = 0; static_cast<int>(searches.size()) < count; ++i) {
    const int64_t at = i % kBulletinsPerChunk;
    if (at >= static_cast<int64_t>(corpus.size())) {
      corpus = Chunk(0, std::max<int64_t>(2 * at, count));
    }
    const v1::Bulletin& b = corpus[static_cast<size_t>(at)];
    const v1::Item& item = b.items(i % b.items_size());
    v1::SearchRequest request;
    request.set_limit(10);
    switch (static_cast<SearchKind>(kind < 0 ? i % kSearchKinds : kind)) {
      case SearchKind::kPerson:
        if (b.people().empty()) continue;
        request.set_query(b.people(0).name());
        break;
      case SearchKind::kOrganization:
        request.set_query(item.organization().name());
        break;
      case SearchKind::kRegionMeeting:
        request.set_query(
            absl::StrCat(item.organization().region(), " ", item.event()));
        break;
      case SearchKind::kRegionFilter:
        request.mutable_filters()->add_regions(item.organization().region());
        request.set_order(v1::SearchRequest::RECENCY);
        break;
      case SearchKind::kOneCharacter:
        if (CodePoints(item.event()) < 1) continue;
        request.set_query(FirstCodePoints(item.event(), 1));
        break;
      case SearchKind::kCommonTwoCharacters:
        if (CodePoints(item.event()) < 2) continue;
        request.set_query(FirstCodePoints(item.event(), 2));
        break;
      case SearchKind::kCommonPhrase:
        if (CodePoints(item.event()) < 4) continue;
        request.set_query(item.event());
        break;
      case SearchKind::kTermWithRegionFacet:
        if (CodePoints(item.event()) < 2) continue;
        request.set_query(FirstCodePoints(item.event(), 2));
        request.add_facets("region");
        break;
    }
    searches.push_back(std::move(request));
  }
  return searches;
}

}  // namespace bulletin::load
