#include "query-service/index/query/facets.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/bits.h"

namespace bulletin {

namespace {

// Whether a value id is of a wanted field. Reading the value's field is a
// cache miss in a table of millions of values; when many ids are tested, a
// bitmap of the wanted ones (a word per 64 values, a bit per wanted value)
// is made instead.
class WantedIds {
 public:
  WantedIds(const ValueDictionary& dictionary,
            absl::Span<const FacetField> fields, const bool* wanted,
            int64_t wanted_values, double tests)
      : dictionary_(&dictionary), wanted_(wanted) {
    if (tests <= static_cast<double>(dictionary.size()) / 64 +
                     static_cast<double>(wanted_values)) {
      return;
    }
    bits_.assign((dictionary.size() + 63) / 64, 0);
    for (FacetField field : fields) {
      for (uint32_t id : dictionary.ids_of(field)) {
        bits_[id >> 6] |= uint64_t{1} << (id & 63);
      }
    }
  }

  bool operator()(uint32_t id) const {
    if (bits_.empty()) return wanted_[static_cast<int>(dictionary_->field(id))];
    return ((bits_[id >> 6] >> (id & 63)) & 1) != 0;
  }

 private:
  const ValueDictionary* dictionary_;
  const bool* wanted_;
  std::vector<uint64_t> bits_;
};

// The first `documents` documents whose bit in `bits` (a word for every 64
// documents) is `set`, ascending; `expected` of them, for the reservation.
std::vector<uint32_t> DocumentsWhere(const std::vector<uint64_t>& bits,
                                     bool set, size_t documents,
                                     int64_t expected) {
  std::vector<uint32_t> docs;
  docs.reserve(static_cast<size_t>(std::max<int64_t>(expected, 0)));
  for (size_t word = 0; word < bits.size() && word * 64 < documents; ++word) {
    uint64_t chosen = set ? bits[word] : ~bits[word];
    if (documents - word * 64 < 64) {
      chosen &= (uint64_t{1} << (documents - word * 64)) - 1;
    }
    while (chosen != 0) {
      docs.push_back(
          static_cast<uint32_t>(word * 64 + absl::countr_zero(chosen)));
      chosen &= chosen - 1;
    }
  }
  return docs;
}

// Calls visit(id) for each value id of each live document of `docs`; false
// when `cancellation` stopped it. A document's entry and its value ids lie
// apart in memory, and far from the previous document's when the documents
// are scattered (the few that do not match), so each is fetched a few
// documents ahead rather than waited for.
template <typename Visit>
bool ForEachValueId(absl::Span<const uint32_t> docs, const Corpus& corpus,
                    Cancellation* cancellation, Visit visit) {
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i + 2 * kAhead < docs.size()) {
      const uint32_t later = docs[i + 2 * kAhead];
      __builtin_prefetch(&corpus.documents[later]);
      __builtin_prefetch(&corpus.ranks[later]);
    }
    if (i + kAhead < docs.size()) {
      const std::vector<uint32_t>& ids =
          corpus.documents[docs[i + kAhead]].value_ids;
      // A cache line holds 16 ids.
      for (size_t k = 0; k < ids.size(); k += 16) {
        __builtin_prefetch(ids.data() + k);
      }
    }
    if (!corpus.ranks[docs[i]].live) continue;
    if (cancellation->Tick()) return false;
    for (uint32_t id : corpus.documents[docs[i]].value_ids) visit(id);
  }
  return true;
}

// Adds one to counts[code] for each code of `column` of each document
// marked in `matching` (kMatched), or takes one from it for each code of
// each live document not marked (!kMatched); false when `cancellation`
// stopped it. A word of 64 documents all counted is one run of codes,
// counted without looking at each document's offsets.
template <bool kMatched>
bool CountCodes(const FacetColumns::Column& column,
                const std::vector<uint64_t>& matching,
                const std::vector<uint64_t>& live, uint32_t* counts,
                Cancellation* cancellation) {
  const uint32_t* offsets = column.offsets.data();
  const uint32_t* codes = column.codes.data();
  const size_t words = std::min(matching.size(), live.size());
  auto count_run = [&](uint32_t begin, uint32_t end) {
    for (uint32_t at = begin; at < end; ++at) {
      if constexpr (kMatched) {
        ++counts[codes[at]];
      } else {
        --counts[codes[at]];
      }
    }
  };
  for (size_t word = 0; word < words; ++word) {
    uint64_t docs = kMatched ? matching[word] : live[word] & ~matching[word];
    if (docs == 0) continue;
    if (cancellation->Tick(absl::popcount(docs))) return false;
    const size_t first = word * 64;
    if (docs == ~uint64_t{0}) {
      count_run(offsets[first], offsets[first + 64]);
      continue;
    }
    while (docs != 0) {
      const size_t doc = first + absl::countr_zero(docs);
      docs &= docs - 1;
      count_run(offsets[doc], offsets[doc + 1]);
    }
  }
  return true;
}

// Appends to `facet` the first `max_values` of `values` (count, display
// form) by descending count, then by value.
void AppendShown(std::vector<std::pair<int64_t, std::string_view>>* values,
                 size_t max_values, v1::Facet* facet) {
  auto by_count_then_value = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  };
  const size_t keep = std::min(values->size(), max_values);
  std::partial_sort(values->begin(), values->begin() + keep, values->end(),
                    by_count_then_value);
  for (size_t i = 0; i < keep; ++i) {
    v1::FacetValue* value = facet->add_values();
    value->set_value(std::string((*values)[i].second));
    value->set_count((*values)[i].first);
  }
}

}  // namespace

FacetCounter::FacetCounter(std::vector<FacetField> fields,
                           const ValueDictionary* dictionary,
                           const FacetColumns* columns, int max_values)
    : requested_(std::move(fields)),
      columns_(columns),
      dictionary_(dictionary),
      max_values_(static_cast<size_t>(std::max(max_values, 0))) {
  for (FacetField field : requested_) {
    if (columns_ != nullptr && columns_->column(field) != nullptr) {
      columned_.push_back(ColumnCounts{field, {}});
      continue;
    }
    fields_.push_back(field);
    wanted_[static_cast<int>(field)] = true;
    wanted_values_ += static_cast<int64_t>(dictionary_->ids_of(field).size());
  }
}

bool FacetCounter::Count(const std::vector<uint64_t>& matching, int64_t matches,
                         const Corpus& corpus, int64_t live_documents,
                         Cancellation* cancellation) {
  for (size_t k = 0; k < columned_.size(); ++k) {
    if (!CountColumn(k, matching, matches, live_documents, cancellation)) {
      return false;
    }
  }
  if (fields_.empty()) return true;
  // What each way reads, in value ids (or postings) visited; visiting a
  // wanted value, or testing a word of 64 documents' bits, costs about one
  // each.
  const double words = static_cast<double>(matching.size());
  int64_t pairs = 0;
  for (int f = 0; f < kFacetFieldCount; ++f) {
    pairs += dictionary_->live_pairs(static_cast<FacetField>(f));
  }
  ids_per_document_ =
      live_documents > 0 ? static_cast<double>(pairs) / live_documents : 0;
  const auto values = static_cast<double>(wanted_values_);
  const double by_document =
      static_cast<double>(matches) * ids_per_document_ + words;
  // An unmatched document's value ids lie apart from the next one's, each
  // a few cache misses: measured at 1M bulletins, one costs about what
  // reading twice its ids from a posting list does.
  const double by_complement =
      static_cast<double>(live_documents - matches) * 2 * ids_per_document_ +
      values + words;
  // Counting by value reads at least each wanted value's live count.
  if (by_document <= values && by_document <= by_complement) {
    return CountByDocument(matching, matches, corpus, cancellation);
  }
  const double by_value = PlanByValue(
      live_documents > 0 ? static_cast<double>(matches) / live_documents : 0);
  if (by_document <= by_value && by_document <= by_complement) {
    return CountByDocument(matching, matches, corpus, cancellation);
  }
  if (by_value <= by_complement) return CountByValue(matching, cancellation);
  return CountByComplement(matching, corpus, live_documents - matches,
                           cancellation);
}

bool FacetCounter::CountColumn(size_t k, const std::vector<uint64_t>& matching,
                               int64_t matches, int64_t live_documents,
                               Cancellation* cancellation) {
  const FacetColumns::Column& column = *columns_->column(columned_[k].field);
  std::vector<uint32_t>& counts = columned_[k].counts;
  // Whichever is fewer: the matches, or the live documents that do not
  // match, taken from the live counts every value keeps.
  if (live_documents - matches < matches) {
    counts = column.live;
    return CountCodes<false>(column, matching, columns_->live_bits(),
                             counts.data(), cancellation);
  }
  counts.assign(column.live.size(), 0);
  return CountCodes<true>(column, matching, columns_->live_bits(),
                          counts.data(), cancellation);
}

double FacetCounter::PlanByValue(double share) {
  // Each field's values from the most live documents down; its lists are
  // read until the values' live documents fall below the smallest count
  // shown, which (as counts go with live documents) is about `share` of
  // the max_values_-th most live documents. Only the values above that
  // estimate are sorted now (sorting all 22,701 regions cost 2 ms a search
  // at 1M bulletins); CountByValue sorts the rest if it goes on past them.
  double read = 0;
  by_live_.clear();
  for (FacetField field : fields_) {
    ValuesByLive& field_values = by_live_.emplace_back();
    std::vector<std::pair<uint32_t, uint32_t>>& values = field_values.values;
    values.reserve(dictionary_->ids_of(field).size());
    for (uint32_t id : dictionary_->ids_of(field)) {
      values.emplace_back(dictionary_->live_documents(id), id);
    }
    double least = 0;
    if (values.size() > max_values_ && max_values_ > 0) {
      std::nth_element(values.begin(), values.begin() + (max_values_ - 1),
                       values.end(), std::greater<>());
      least = share * values[max_values_ - 1].first;
    }
    const auto above = std::partition(
        values.begin(), values.end(),
        [least](const auto& value) { return value.first >= least; });
    std::sort(values.begin(), above, std::greater<>());
    field_values.sorted = static_cast<size_t>(above - values.begin());
    // Gathered, partitioned and the part above sorted.
    read += 2 * static_cast<double>(values.size()) +
            2 * static_cast<double>(field_values.sorted);
    for (auto it = values.begin(); it != above; ++it) read += it->first;
  }
  return read;
}

bool FacetCounter::CountByDocument(const std::vector<uint64_t>& matching,
                                   int64_t matches, const Corpus& corpus,
                                   Cancellation* cancellation) {
  const WantedIds wanted(*dictionary_, fields_, wanted_, wanted_values_,
                         static_cast<double>(matches) * ids_per_document_);
  const std::vector<uint32_t> docs =
      DocumentsWhere(matching, true, corpus.documents.size(), matches);
  return ForEachValueId(docs, corpus, cancellation, [&](uint32_t id) {
    if (wanted(id)) ++counts_[id];
  });
}

bool FacetCounter::CountByValue(const std::vector<uint64_t>& matching,
                                Cancellation* cancellation) {
  for (ValuesByLive& field_values : by_live_) {
    std::vector<std::pair<uint32_t, uint32_t>>& values = field_values.values;
    // Only a field's max_values_ largest counts are shown, and a value's
    // live documents bound its count: taken from the most live documents
    // down, the values left once that bound is below max_values_ counts
    // made (not equal: a tie may still win on its value) cannot be shown,
    // and their lists are not read.
    std::priority_queue<int64_t, std::vector<int64_t>, std::greater<>> shown;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i == field_values.sorted) {
        // Every value sorted is above every other one.
        std::sort(values.begin() + i, values.end(), std::greater<>());
        field_values.sorted = values.size();
      }
      const auto [live, id] = values[i];
      if (shown.size() == max_values_ &&
          (shown.empty() || static_cast<int64_t>(live) < shown.top())) {
        break;
      }
      // A dead document's bit is never set, so its postings count nothing.
      int64_t read = 0;
      const int64_t count = dictionary_->CountMarked(id, matching, &read);
      // A tick per document read, as counting by document ticks per match.
      if (cancellation->Tick(static_cast<int32_t>(
              std::min<int64_t>(read + 1, Cancellation::kStride)))) {
        return false;
      }
      if (count == 0) continue;
      counts_[id] = count;
      shown.push(count);
      if (shown.size() > max_values_) shown.pop();
    }
  }
  return true;
}

bool FacetCounter::CountByComplement(const std::vector<uint64_t>& matching,
                                     const Corpus& corpus, int64_t unmatched,
                                     Cancellation* cancellation) {
  for (FacetField field : fields_) {
    for (uint32_t id : dictionary_->ids_of(field)) {
      const uint32_t live = dictionary_->live_documents(id);
      if (live > 0) counts_[id] = live;
    }
  }
  const WantedIds wanted(*dictionary_, fields_, wanted_, wanted_values_,
                         static_cast<double>(unmatched) * ids_per_document_);
  // The documents whose bit is clear, found a word of 64 at a time: most
  // words of a query matching nearly everything have none.
  const std::vector<uint32_t> clear_docs =
      DocumentsWhere(matching, false, corpus.documents.size(), unmatched);
  if (!ForEachValueId(clear_docs, corpus, cancellation, [&](uint32_t id) {
        if (wanted(id)) --counts_[id];
      })) {
    return false;
  }
  absl::erase_if(counts_, [](const auto& entry) { return entry.second <= 0; });
  return !cancellation->Check();
}

void FacetCounter::AppendColumn(size_t k, v1::Facet* facet) const {
  const std::vector<uint32_t>& counts = columned_[k].counts;
  const std::vector<uint32_t>& ids = dictionary_->ids_of(columned_[k].field);
  if (max_values_ == 0) return;
  // The counts first, by count alone: only the values that may be shown
  // have their display forms read (a cache miss or two each, among
  // millions of values), those whose count reaches the max_values_-th
  // largest, ties included, which their values order. That count comes
  // from a heap of the largest counts so far, which most of a long tail of
  // small counts do not enter.
  std::vector<uint32_t> largest;  // A min-heap.
  largest.reserve(max_values_);
  for (uint32_t count : counts) {
    if (count == 0) continue;
    if (largest.size() < max_values_) {
      largest.push_back(count);
      std::push_heap(largest.begin(), largest.end(), std::greater<>());
    } else if (count > largest.front()) {
      std::pop_heap(largest.begin(), largest.end(), std::greater<>());
      largest.back() = count;
      std::push_heap(largest.begin(), largest.end(), std::greater<>());
    }
  }
  const uint32_t least =
      largest.size() == max_values_ ? std::max(largest.front(), 1u) : 1u;
  std::vector<std::pair<int64_t, std::string_view>> values;
  for (uint32_t code = 0; code < counts.size(); ++code) {
    if (counts[code] >= least) {
      values.emplace_back(counts[code], dictionary_->display(ids[code]));
    }
  }
  AppendShown(&values, max_values_, facet);
}

void FacetCounter::AppendTo(v1::SearchResponse* response) const {
  for (FacetField field : requested_) {
    v1::Facet* facet = response->add_facets();
    facet->set_field(std::string(FacetFieldName(field)));
    const auto columned = std::find_if(
        columned_.begin(), columned_.end(),
        [field](const ColumnCounts& c) { return c.field == field; });
    if (columned != columned_.end()) {
      AppendColumn(static_cast<size_t>(columned - columned_.begin()), facet);
      continue;
    }
    std::vector<std::pair<int64_t, std::string_view>> values;
    for (const auto& [id, count] : counts_) {
      if (dictionary_->field(id) == field) {
        values.emplace_back(count, dictionary_->display(id));
      }
    }
    AppendShown(&values, max_values_, facet);
  }
}

}  // namespace bulletin
