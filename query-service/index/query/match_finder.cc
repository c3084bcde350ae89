#include "query-service/index/query/match_finder.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "absl/numeric/bits.h"
#include "query-service/index/query/scoring.h"
#include "query-service/index/query/term_search.h"

namespace bulletin {
namespace {

// The filters as value ids, resolved once per search, so that checking a
// document is a few binary searches in its sorted value ids: no string is
// hashed, and the stored record is read only when a date is bounded.
class FilterCheck {
 public:
  // `satisfied`: a field every document to be checked is known to pass
  // (the candidates came from its values), which is not checked again.
  FilterCheck(const CompiledFilters& filters, const ValueDictionary& dictionary,
              std::optional<FacetField> satisfied = std::nullopt)
      : filters_(&filters), bounds_date_(filters.bounds_date()) {
    for (int f = 0; f < kFacetFieldCount; ++f) {
      const auto& values = filters.values(static_cast<FacetField>(f));
      if (values.empty() || satisfied == static_cast<FacetField>(f)) continue;
      std::vector<uint32_t>& ids = fields_.emplace_back();
      for (const std::string& value : values) {
        std::optional<uint32_t> id =
            dictionary.Find(static_cast<FacetField>(f), value);
        if (id.has_value()) ids.push_back(*id);
      }
    }
  }

  // True when Passes is true of every document: nothing is left to check.
  bool trivial() const { return fields_.empty() && !bounds_date_; }

  bool Passes(const DocumentMeta& d) const {
    for (const std::vector<uint32_t>& any_of : fields_) {
      bool found = false;
      for (uint32_t id : any_of) {
        if (std::binary_search(d.value_ids.begin(), d.value_ids.end(), id)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return !bounds_date_ || filters_->MatchesDate(d.record->date());
  }

 private:
  const CompiledFilters* filters_;
  bool bounds_date_;
  // Per constrained field, the ids of its wanted values that exist (none:
  // no document passes).
  std::vector<std::vector<uint32_t>> fields_;
};

// The documents having a value of the most selective filtered field,
// ascending and not yet checked against the other filters, and that field;
// nullopt when only the date is filtered.
struct FilterDocuments {
  std::vector<uint32_t> docs;
  FacetField field;
};
std::optional<FilterDocuments> FilterCandidates(
    const CompiledFilters& filters, const ValueDictionary& dictionary) {
  std::optional<FilterDocuments> candidates;
  for (int f = 0; f < kFacetFieldCount; ++f) {
    const auto& values = filters.values(static_cast<FacetField>(f));
    if (values.empty()) continue;
    std::vector<uint32_t> docs;
    for (const std::string& value : values) {
      std::optional<uint32_t> id =
          dictionary.Find(static_cast<FacetField>(f), value);
      if (!id.has_value()) continue;
      dictionary.AppendDocuments(*id, &docs);
    }
    if (!candidates.has_value() || docs.size() < candidates->docs.size()) {
      candidates = FilterDocuments{std::move(docs), static_cast<FacetField>(f)};
    }
  }
  if (candidates.has_value()) {
    std::vector<uint32_t>& docs = candidates->docs;
    std::sort(docs.begin(), docs.end());
    docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
  }
  return candidates;
}

// The page being kept: the best limit + 1 matches so far, as a heap whose
// front is the last of them in hit order.
class PageHeap {
 public:
  PageHeap(size_t limit, std::optional<PageCursor> after)
      : capacity_(limit + 1), after_(after) {}

  // True when a match with this key and seq could not enter the page: it
  // is no better than the last of a full page.
  bool Excludes(double key, uint64_t seq) const {
    return heap_.size() == capacity_ &&
           !HitBefore(key, seq, heap_.front().score, heap_.front().seq);
  }
  // True when no match with a key of at most `most` could enter the page,
  // whatever its seq.
  bool ExcludesKeysUpTo(double most) const {
    return heap_.size() == capacity_ && most < heap_.front().score;
  }
  // True when the page token puts a match with this key and seq on an
  // earlier page.
  bool BeforeCursor(double key, uint64_t seq) const {
    return after_.has_value() &&
           !HitBefore(after_->score, after_->seq, key, seq);
  }

  void Offer(const ScoredMatch& m) {
    if (BeforeCursor(m.score, m.seq) || Excludes(m.score, m.seq)) return;
    if (heap_.size() == capacity_) {
      std::pop_heap(heap_.begin(), heap_.end(), Order);
      heap_.back() = m;
    } else {
      heap_.push_back(m);
    }
    std::push_heap(heap_.begin(), heap_.end(), Order);
  }

  std::vector<ScoredMatch> TakeSorted() {
    std::sort_heap(heap_.begin(), heap_.end(), Order);
    return std::move(heap_);
  }

 private:
  static bool Order(const ScoredMatch& a, const ScoredMatch& b) {
    return HitBefore(a.score, a.seq, b.score, b.seq);
  }
  size_t capacity_;
  std::optional<PageCursor> after_;
  std::vector<ScoredMatch> heap_;
};

}  // namespace

absl::StatusOr<FoundMatches> FindMatches(const ParsedQuery& query,
                                         const CompiledFilters& filters,
                                         const MatchOptions& options,
                                         const IndexView& view,
                                         Cancellation* cancellation) {
  const Corpus& corpus = view.corpus;
  std::vector<TermMatcher> terms;
  terms.reserve(query.terms.size());
  for (const std::string& term : query.terms) {
    terms.emplace_back(term, view.grams, corpus);
  }
  std::vector<size_t> order(terms.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return terms[a].FindAllCost() < terms[b].FindAllCost();
  });
  std::vector<TermMatcher> excluded;
  excluded.reserve(query.excluded.size());
  for (const std::string& term : query.excluded) {
    excluded.emplace_back(term, view.grams, corpus);
  }

  const Bm25 bm25(view.live_documents,
                  view.live_documents > 0
                      ? view.total_weighted_length / view.live_documents
                      : 0);
  std::vector<double> idf;
  for (const TermMatcher& term : terms) {
    idf.push_back(bm25.Idf(
        std::min<int64_t>(term.EstimatedDocuments(), view.live_documents)));
  }

  std::optional<FilterCheck> check;
  std::optional<FilterDocuments> filter_docs;
  size_t filter_cost = std::numeric_limits<size_t>::max();
  if (!filters.empty()) {
    filter_docs = FilterCandidates(filters, view.dictionary);
    filter_cost =
        4 * (filter_docs ? filter_docs->docs.size() : corpus.documents.size());
  }
  const bool term_leads =
      !terms.empty() && terms[order[0]].FindAllCost() <= filter_cost;
  size_t candidates = corpus.documents.size();
  if (term_leads) {
    if (!filters.empty()) check.emplace(filters, view.dictionary);
    candidates = terms[order[0]].EstimatedDocuments();
  } else if (!filters.empty()) {
    // Candidates from a filter's values pass that filter: only the others
    // are checked, and with one filter none, so that a filter alone never
    // reads the documents' value ids.
    check.emplace(filters, view.dictionary,
                  filter_docs.has_value()
                      ? std::optional<FacetField>(filter_docs->field)
                      : std::nullopt);
    if (check->trivial()) check.reset();
    if (filter_docs.has_value()) candidates = filter_docs->docs.size();
  }
  // A term asked of many candidates is read whole when that reads less
  // than skipping to each (a one-character term's many lists).
  auto plan = [&](TermMatcher& term) {
    if (!term.NeedsVerify() &&
        candidates * term.CountInCost() >= term.FindAllCost()) {
      term.Materialize();
    }
  };
  for (size_t k = term_leads ? 1 : 0; k < order.size(); ++k) {
    plan(terms[order[k]]);
  }
  for (TermMatcher& term : excluded) plan(term);
  if (cancellation->Check()) return cancellation->status();

  bool verifies = false;
  for (const TermMatcher& term : terms) verifies |= term.NeedsVerify();
  for (const TermMatcher& term : excluded) verifies |= term.NeedsVerify();
  const size_t threshold =
      options.mark_matches ? SIZE_MAX : options.count_threshold;

  FoundMatches found;
  PageHeap page(options.limit, options.after);
  std::vector<FieldCounts> bounds(terms.size(), FieldCounts{0, 0, 0});
  auto score_of = [&](uint32_t doc) {
    double score = 0;
    const float length = corpus.ranks[doc].weighted_length;
    for (size_t k : order) {
      score += bm25.TermScore(idf[k], WeightedCount(bounds[k]), length);
    }
    return score;
  };
  // One candidate, with the lead term's bound when a term leads: the
  // cheap checks, then (when it may matter) the costly ones.
  // `may_enter_page` false: the candidate is known not to make the page
  // (with mark_matches), so a match is only counted and kept.
  auto consider = [&](uint32_t doc, const FieldCounts* lead_bound,
                      bool may_enter_page) {
    const DocumentRank& rank = corpus.ranks[doc];
    if (!rank.live) return;
    if (check.has_value() && !check->Passes(corpus.documents[doc])) return;
    size_t k = 0;
    if (lead_bound != nullptr) bounds[order[k++]] = *lead_bound;
    for (; k < order.size(); ++k) {
      if (!terms[order[k]].Bound(doc, &bounds[order[k]])) return;
    }
    FieldCounts unused;
    for (TermMatcher& term : excluded) {
      if (!term.NeedsVerify() && term.Bound(doc, &unused)) return;
    }
    double key = !may_enter_page        ? 0
                 : options.by_relevance ? score_of(doc)
                 : options.key_of       ? options.key_of(doc)
                                        : 0;
    if (verifies) {
      if (static_cast<size_t>(found.total) >= threshold &&
          (page.Excludes(key, rank.seq) ||
           (!options.by_relevance && page.BeforeCursor(key, rank.seq)))) {
        // It may match, but cannot make the page: not checked, not counted.
        found.total_is_lower_bound = true;
        return;
      }
      for (size_t t : order) {
        if (!terms[t].NeedsVerify()) continue;
        bounds[t] = terms[t].Verify(doc);
        if (!OccursAnywhere(bounds[t])) return;
      }
      for (TermMatcher& term : excluded) {
        if (term.NeedsVerify() && term.Bound(doc, &unused) &&
            OccursAnywhere(term.Verify(doc))) {
          return;
        }
      }
      if (options.by_relevance && may_enter_page) key = score_of(doc);
    }
    ++found.total;
    if (options.mark_matches) {
      found.matching[doc >> 6] |= uint64_t{1} << (doc & 63);
    }
    if (may_enter_page) page.Offer(ScoredMatch{doc, key, rank.seq});
  };
  if (options.mark_matches) {
    found.matching.assign((corpus.documents.size() + 63) / 64, 0);
  }

  if (term_leads) {
    TermMatcher& lead = terms[order[0]];
    // Block-max pruning: once the total may stop short, a block of the
    // lead's list none of whose documents can make the page is passed over
    // unread. Its bound is the lead's best score in the block plus the most
    // every other term can add.
    double others_most = 0;
    for (size_t k = 1; k < order.size(); ++k) {
      others_most += Bm25::MostTermScore(idf[order[k]]);
    }
    const double lead_idf = idf[order[0]];
    auto block_may_make_page = [&](const BlockBound& block) {
      const double lead_most = bm25.BlockScoreBound(
          lead_idf, static_cast<double>(block.saturation) / kFullSaturation,
          block.reference_length);
      return !page.ExcludesKeysUpTo(
          Bm25::WithRoundingMargin(lead_most + others_most));
    };
    // With mark_matches every block is read, as every match is kept, but the
    // candidates of a block that cannot make the page are neither scored
    // nor offered. The NextCandidate of a bigram or a character judges, if
    // any, the block of the candidate it returns (none in a list without
    // bounds), so a verdict holds for a candidate only when given during
    // its call; a phrase's may judge blocks it then leaves. A block judged
    // unable keeps its verdict while the bound is the same (the page only
    // improves), so that the bound is computed once a block rather than per
    // candidate.
    const bool judges_blocks =
        options.mark_matches && options.by_relevance && !lead.NeedsVerify();
    bool judged = false;
    bool may_enter_page = true;
    std::optional<BlockBound> unable;
    auto may_make_page = [&](const BlockBound& block) {
      if (judges_blocks) {
        judged = true;
        may_enter_page =
            !(unable.has_value() && unable->saturation == block.saturation &&
              unable->reference_length == block.reference_length);
        if (may_enter_page && !block_may_make_page(block)) {
          may_enter_page = false;
          unable = block;
        }
        return true;
      }
      if (!options.by_relevance ||
          static_cast<size_t>(found.total) < threshold) {
        return true;
      }
      return block_may_make_page(block);
    };
    // With nothing to check of a candidate but its liveness, the rest of a
    // block that cannot make the page is only marked (match_finder.h): a
    // million matches cost reading their documents' numbers, not their
    // counts and ranks.
    const bool marks_blocks = judges_blocks && view.live_bits != nullptr &&
                              order.size() == 1 && excluded.empty() &&
                              !check.has_value() && lead.MarksBlocks();
    bool marked_unchecked = false;
    if (options.by_relevance && threshold != SIZE_MAX) lead.LeadByBlocks();
    uint32_t doc;
    FieldCounts bound;
    for (;;) {
      judged = false;
      if (!lead.NextCandidate(&doc, &bound, may_make_page)) break;
      if (cancellation->Tick()) return cancellation->status();
      const bool enters = !judged || may_enter_page;
      if (marks_blocks && !enters) {
        // Marked as it stands, with the rest of its block: not even its
        // rank is read.
        found.matching[doc >> 6] |= uint64_t{1} << (doc & 63);
        marked_unchecked = true;
        uint32_t marked = lead.MarkRestOfBlock(found.matching.data());
        // The blocks after it that cannot make the page either are marked
        // whole, without their first entry decoded to be judged.
        BlockBound next;
        while (lead.NextBlockBound(&next) && may_make_page(next) &&
               !may_enter_page) {
          if (cancellation->Tick(static_cast<int32_t>(marked))) {
            return cancellation->status();
          }
          marked = lead.MarkRestOfBlock(found.matching.data());
        }
        if (cancellation->Tick(static_cast<int32_t>(marked))) {
          return cancellation->status();
        }
        continue;
      }
      consider(doc, &bound, enters);
    }
    if (lead.skipped_blocks() > 0) found.total_is_lower_bound = true;
    if (marked_unchecked) {
      // The dead documents marked go, and what is left is the total.
      const std::vector<uint64_t>& live = *view.live_bits;
      int64_t total = 0;
      for (size_t word = 0; word < found.matching.size(); ++word) {
        found.matching[word] &= word < live.size() ? live[word] : 0;
        total += absl::popcount(found.matching[word]);
      }
      found.total = total;
    }
  } else if (filter_docs.has_value()) {
    for (uint32_t doc : filter_docs->docs) {
      if (cancellation->Tick()) return cancellation->status();
      consider(doc, nullptr, true);
    }
  } else {
    for (uint32_t doc = 0; doc < corpus.documents.size(); ++doc) {
      if (cancellation->Tick()) return cancellation->status();
      consider(doc, nullptr, true);
    }
  }
  found.page = page.TakeSorted();
  return found;
}

}  // namespace bulletin
