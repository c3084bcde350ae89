#include "query-service/index/query/match_finder.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

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

// Keeps the matches in which `term` occurs (present == true) or does not;
// `on_found` sees each kept match with the term's counts when present.
// False when `cancellation` stopped it (`matches` is then left partial).
template <typename OnFound>
bool Narrow(TermMatcher& term, bool present, std::vector<ScoredMatch>* matches,
            Cancellation* cancellation, OnFound on_found) {
  size_t kept = 0;
  if (matches->size() * term.CountInCost() < term.FindAllCost()) {
    for (ScoredMatch& m : *matches) {
      if (cancellation->Tick()) return false;
      const FieldCounts counts = term.CountIn(m.doc);
      if (OccursAnywhere(counts) != present) continue;
      if (present) on_found(counts, &m);
      (*matches)[kept++] = m;
    }
  } else {
    std::vector<DocumentCounts> all;
    all.reserve(term.EstimatedDocuments());
    term.FindAll(&all);
    if (cancellation->Check()) return false;
    size_t j = 0;
    for (ScoredMatch& m : *matches) {
      if (cancellation->Tick()) return false;
      while (j < all.size() && all[j].doc < m.doc) ++j;
      const bool found = j < all.size() && all[j].doc == m.doc;
      if (found != present) continue;
      if (present) on_found(all[j].counts, &m);
      (*matches)[kept++] = m;
    }
  }
  matches->resize(kept);
  return true;
}

}  // namespace

absl::StatusOr<std::vector<ScoredMatch>> FindMatches(
    const ParsedQuery& query, const CompiledFilters& filters, bool by_relevance,
    const IndexView& view, Cancellation* cancellation) {
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

  const Bm25 bm25(view.live_documents,
                  view.live_documents > 0
                      ? view.total_weighted_length / view.live_documents
                      : 0);
  std::vector<double> idf;
  for (const TermMatcher& term : terms) {
    idf.push_back(bm25.Idf(
        std::min<int64_t>(term.EstimatedDocuments(), view.live_documents)));
  }
  auto add_score = [&](size_t term, const FieldCounts& counts, ScoredMatch* m) {
    if (!by_relevance) return;
    m->score += bm25.TermScore(idf[term], WeightedCount(counts),
                               corpus.ranks[m->doc].weighted_length);
  };

  std::optional<FilterCheck> check;
  std::optional<FilterDocuments> filter_docs;
  size_t filter_cost = std::numeric_limits<size_t>::max();
  if (!filters.empty()) {
    filter_docs = FilterCandidates(filters, view.dictionary);
    filter_cost =
        4 * (filter_docs ? filter_docs->docs.size() : corpus.documents.size());
  }

  std::vector<ScoredMatch> matches;
  size_t next_term = 0;
  if (!terms.empty() && terms[order[0]].FindAllCost() <= filter_cost) {
    if (!filters.empty()) check.emplace(filters, view.dictionary);
    std::vector<DocumentCounts> all;
    all.reserve(terms[order[0]].EstimatedDocuments());
    terms[order[0]].FindAll(&all);
    if (cancellation->Check()) return cancellation->status();
    matches.reserve(all.size());
    for (const DocumentCounts& found : all) {
      if (cancellation->Tick()) return cancellation->status();
      if (check.has_value() && !check->Passes(corpus.documents[found.doc])) {
        continue;
      }
      matches.push_back(ScoredMatch{found.doc, 0, corpus.ranks[found.doc].seq});
      add_score(order[0], found.counts, &matches.back());
    }
    next_term = 1;
  } else {
    // Candidates from a filter's values pass that filter: only the others
    // are checked, and with one filter none, so that a filter alone never
    // reads the documents' value ids.
    if (!filters.empty()) {
      check.emplace(filters, view.dictionary,
                    filter_docs.has_value()
                        ? std::optional<FacetField>(filter_docs->field)
                        : std::nullopt);
      if (check->trivial()) check.reset();
    }
    auto consider = [&](uint32_t doc) {
      const DocumentRank& rank = corpus.ranks[doc];
      if (rank.live &&
          (!check.has_value() || check->Passes(corpus.documents[doc]))) {
        matches.push_back(ScoredMatch{doc, 0, rank.seq});
      }
    };
    if (filter_docs.has_value()) {
      for (uint32_t doc : filter_docs->docs) {
        if (cancellation->Tick()) return cancellation->status();
        consider(doc);
      }
    } else {
      for (uint32_t doc = 0; doc < corpus.documents.size(); ++doc) {
        if (cancellation->Tick()) return cancellation->status();
        consider(doc);
      }
    }
  }
  for (size_t k = next_term; k < order.size() && !matches.empty(); ++k) {
    if (!Narrow(terms[order[k]], /*present=*/true, &matches, cancellation,
                [&](const FieldCounts& counts, ScoredMatch* m) {
                  add_score(order[k], counts, m);
                })) {
      return cancellation->status();
    }
  }
  for (const std::string& excluded : query.excluded) {
    if (matches.empty()) break;
    TermMatcher term(excluded, view.grams, corpus);
    if (!Narrow(term, /*present=*/false, &matches, cancellation,
                [](const FieldCounts&, ScoredMatch*) {})) {
      return cancellation->status();
    }
  }
  return matches;
}

}  // namespace bulletin
