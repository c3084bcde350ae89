#include "query-service/index/term_search.h"

#include <algorithm>
#include <utility>

#include "query-service/index/fold.h"
#include "query-service/index/postings.h"
#include "query-service/index/substring_searcher.h"

namespace bulletin {
namespace {

struct SegmentCount {
  uint32_t segment;
  uint32_t count;
};

void Decode(const GramIndex::List& list, std::vector<SegmentCount>* out) {
  for (std::string_view part : {list.frozen, list.recent}) {
    for (PostingReader r(part); r.Next();) {
      out->push_back(SegmentCount{r.segment(), r.count()});
    }
  }
}

// Segments holding the one code point `c`, with its occurrences.
std::vector<SegmentCount> FindCodePoint(char32_t c, const GramIndex& grams,
                                        size_t segment_count) {
  std::vector<GramIndex::List> lists;
  size_t bytes = 0;
  grams.ForEachStartingWith(c, [&](const GramIndex::List& list) {
    lists.push_back(list);
    bytes += list.bytes();
  });
  std::vector<SegmentCount> out;
  if (lists.size() == 1) {
    Decode(lists[0], &out);
    return out;
  }
  if (bytes * 16 < segment_count) {
    // Few postings: sort them rather than sweep every segment.
    for (const GramIndex::List& list : lists) Decode(list, &out);
    std::sort(out.begin(), out.end(),
              [](const SegmentCount& a, const SegmentCount& b) {
                return a.segment < b.segment;
              });
    size_t kept = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      if (kept > 0 && out[kept - 1].segment == out[i].segment) {
        out[kept - 1].count += out[i].count;
      } else {
        out[kept++] = out[i];
      }
    }
    out.resize(kept);
    return out;
  }
  std::vector<uint32_t> totals(segment_count, 0);
  for (const GramIndex::List& list : lists) {
    for (std::string_view part : {list.frozen, list.recent}) {
      for (PostingReader r(part); r.Next();) totals[r.segment()] += r.count();
    }
  }
  for (uint32_t s = 0; s < segment_count; ++s) {
    if (totals[s] != 0) out.push_back(SegmentCount{s, totals[s]});
  }
  return out;
}

// Segments holding a term of three or more code points, verified.
std::vector<SegmentCount> FindLongTerm(const std::string& term,
                                       const std::vector<char32_t>& cps,
                                       const GramIndex& grams,
                                       const Corpus& corpus) {
  std::vector<GramIndex::List> lists;
  for (size_t i = 0; i + 1 < cps.size(); ++i) {
    lists.push_back(grams.Find(cps[i], cps[i + 1]));
  }
  std::sort(lists.begin(), lists.end(),
            [](const GramIndex::List& a, const GramIndex::List& b) {
              return a.bytes() < b.bytes();
            });
  std::vector<SegmentCount> candidates;
  if (lists[0].bytes() == 0) return candidates;
  Decode(lists[0], &candidates);
  // Every bigram of the term must be in the segment. Intersecting with a
  // list is worth it while decoding it costs less than verifying the
  // candidates it would remove.
  for (size_t k = 1; k < lists.size() && !candidates.empty(); ++k) {
    if (lists[k].bytes() > candidates.size() * 64) break;
    size_t kept = 0;
    size_t c = 0;
    for (std::string_view part : {lists[k].frozen, lists[k].recent}) {
      for (PostingReader r(part); c < candidates.size() && r.Next();) {
        while (c < candidates.size() && candidates[c].segment < r.segment()) {
          ++c;
        }
        if (c < candidates.size() && candidates[c].segment == r.segment()) {
          candidates[kept++] = candidates[c++];
        }
      }
    }
    candidates.resize(kept);
  }
  const SubstringSearcher searcher(term);
  std::vector<SegmentCount> out;
  std::string folded;
  for (const SegmentCount& candidate : candidates) {
    const uint32_t s = candidate.segment;
    if (!corpus.documents[corpus.segments[s].doc()].live) continue;
    std::string_view text = corpus.SegmentText(s);
    if (!corpus.segments[s].folds_to_itself()) {
      folded.clear();
      FoldAppend(text, &folded);
      text = folded;
    }
    const uint32_t n = searcher.Count(text);
    if (n > 0) out.push_back(SegmentCount{s, n});
  }
  return out;
}

}  // namespace

TermDocuments FindTerm(const std::string& folded_term, const GramIndex& grams,
                       const Corpus& corpus) {
  std::vector<char32_t> cps;
  FoldCodePoints(folded_term, &cps);
  std::vector<SegmentCount> segments;
  if (cps.size() == 1) {
    segments = FindCodePoint(cps[0], grams, corpus.segments.size());
  } else if (cps.size() == 2) {
    Decode(grams.Find(cps[0], cps[1]), &segments);
  } else if (cps.size() > 2) {
    segments = FindLongTerm(folded_term, cps, grams, corpus);
  }
  TermDocuments result;
  for (const SegmentCount& sc : segments) {
    const SegmentMeta& meta = corpus.segments[sc.segment];
    if (!corpus.documents[meta.doc()].live) continue;
    if (result.documents.empty() || result.documents.back() != meta.doc()) {
      result.documents.push_back(meta.doc());
      result.counts.push_back(FieldCounts{});
    }
    result.counts.back()[static_cast<int>(KindOf(meta.field()))] +=
        static_cast<int32_t>(sc.count);
  }
  return result;
}

}  // namespace bulletin
