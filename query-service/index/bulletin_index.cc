#include "query-service/index/bulletin_index.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "query-service/index/compiled_query.h"
#include "query-service/index/document_match.h"
#include "query-service/index/facets.h"
#include "query-service/index/field_values.h"
#include "query-service/index/hit_builder.h"
#include "query-service/index/page_token.h"
#include "query-service/index/scoring.h"
#include "query-service/index/value_dictionary.h"

namespace bulletin {
namespace {

constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 1000;

struct Document {
  std::shared_ptr<const v1::Bulletin> record;
  FoldedDocument folded;
  std::vector<uint32_t> value_ids;  // ascending
  double weighted_length = 0;
  bool live = true;
};

struct Candidate {
  uint32_t doc;
  double score;
  uint64_t seq;
  DocumentMatch match;
};

// Sort order of hits: higher score first, then newer first.
bool Before(double score_a, uint64_t seq_a, double score_b, uint64_t seq_b) {
  return score_a != score_b ? score_a > score_b : seq_a > seq_b;
}

}  // namespace

class BulletinIndex::Impl {
 public:
  void Apply(const v1::LogRecord& record) {
    std::unique_ptr<Document> added;
    if (record.has_upsert() && !record.upsert().id().empty()) {
      auto bulletin = std::make_shared<v1::Bulletin>(record.upsert());
      bulletin->set_seq(record.seq());
      added = std::make_unique<Document>();
      added->folded = FoldDocument(*bulletin);
      for (size_t s = 0; s < added->folded.segments.size(); ++s) {
        added->weighted_length +=
            FieldWeight(added->folded.segments[s].kind) *
            static_cast<double>(added->folded.folded[s].size());
      }
      added->record = std::move(bulletin);
    }
    std::vector<FieldValue> values;
    if (added != nullptr) values = ExtractFieldValues(*added->record);

    absl::WriterMutexLock lock(&mu_);
    if (record.seq() != 0 && record.seq() <= applied_seq_) return;
    const std::string& id =
        record.has_upsert() ? record.upsert().id() : record.retraction().id();
    auto old = by_id_.find(id);
    if (old != by_id_.end()) {
      Remove(old->second);
      by_id_.erase(old);
    }
    if (added != nullptr) {
      const uint32_t doc = static_cast<uint32_t>(docs_.size());
      for (const FieldValue& value : values) {
        const uint32_t value_id = dictionary_.Intern(value);
        dictionary_.AddDocument(value_id, doc);
        added->value_ids.push_back(value_id);
      }
      std::sort(added->value_ids.begin(), added->value_ids.end());
      live_count_ += 1;
      item_count_ += added->record->items_size();
      total_weighted_length_ += added->weighted_length;
      for (const TextSegment& s : added->folded.segments) {
        text_bytes_ += static_cast<int64_t>(s.text.size());
      }
      stored_bytes_ += static_cast<int64_t>(added->record->SpaceUsedLong());
      by_id_[id] = doc;
      docs_.push_back(std::move(*added));
    }
    applied_seq_ = std::max(applied_seq_, record.seq());
  }

  void Clear() {
    absl::WriterMutexLock lock(&mu_);
    docs_.clear();
    by_id_.clear();
    dictionary_ = ValueDictionary();
    applied_seq_ = 0;
    live_count_ = 0;
    item_count_ = 0;
    text_bytes_ = 0;
    stored_bytes_ = 0;
    total_weighted_length_ = 0;
  }

  uint64_t applied_seq() const {
    absl::ReaderMutexLock lock(&mu_);
    return applied_seq_;
  }

  bool WaitForSeq(uint64_t seq, absl::Time deadline) const {
    absl::ReaderMutexLock lock(&mu_);
    auto reached = [this, seq]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return applied_seq_ >= seq;
    };
    return mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  }

  absl::StatusOr<v1::Bulletin> Get(std::string_view id) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end()) {
      return absl::NotFoundError(
          absl::StrCat("no bulletin with id ", std::string(id)));
    }
    return *docs_[it->second].record;
  }

  absl::StatusOr<v1::SearchResponse> Search(
      const v1::SearchRequest& request) const {
    absl::StatusOr<CompiledQuery> query =
        CompiledQuery::Create(request.query(), request.filters());
    if (!query.ok()) return query.status();
    std::vector<FacetField> facets;
    for (const std::string& name : request.facets()) {
      std::optional<FacetField> field = FacetFieldFromName(name);
      if (!field.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown facet field \"", name, "\""));
      }
      if (std::find(facets.begin(), facets.end(), *field) == facets.end()) {
        facets.push_back(*field);
      }
    }
    if (request.limit() < 0 || request.limit() > kMaxLimit) {
      return absl::InvalidArgumentError(
          absl::StrCat("limit must be between 0 and ", kMaxLimit));
    }
    const int limit = request.limit() == 0 ? kDefaultLimit : request.limit();
    const uint64_t fingerprint = RequestFingerprint(request);
    std::optional<PageCursor> cursor;
    if (!request.page_token().empty()) {
      absl::StatusOr<PageCursor> decoded =
          DecodePageToken(request.page_token(), fingerprint);
      if (!decoded.ok()) return decoded.status();
      cursor = *decoded;
    }
    const bool by_relevance = request.order() == v1::SearchRequest::RELEVANCE &&
                              !query->query.terms.empty();

    absl::ReaderMutexLock lock(&mu_);
    std::vector<int64_t> df(query->query.terms.size(), 0);
    std::vector<Candidate> matches;
    for (uint32_t doc = 0; doc < docs_.size(); ++doc) {
      const Document& d = docs_[doc];
      if (!d.live) continue;
      for (size_t t = 0; t < query->query.terms.size(); ++t) {
        for (const std::string& text : d.folded.folded) {
          if (text.find(query->query.terms[t]) != std::string::npos) {
            ++df[t];
            break;
          }
        }
      }
      if (!PassesFilters(query->filters, d)) continue;
      DocumentMatch match = MatchDocument(query->query, d.folded);
      if (!match.matched) continue;
      matches.push_back(Candidate{doc, 0, d.record->seq(), std::move(match)});
    }
    if (by_relevance) {
      const Bm25 bm25(live_count_, live_count_ > 0
                                       ? total_weighted_length_ / live_count_
                                       : 0);
      std::vector<double> idf;
      for (int64_t n : df) idf.push_back(bm25.Idf(n));
      for (Candidate& c : matches) {
        for (size_t t = 0; t < idf.size(); ++t) {
          c.score +=
              bm25.TermScore(idf[t], WeightedCount(c.match.term_counts[t]),
                             docs_[c.doc].weighted_length);
        }
      }
    }

    v1::SearchResponse response;
    response.set_total_hits(static_cast<int64_t>(matches.size()));
    response.set_applied_seq(applied_seq_);
    if (!facets.empty()) {
      FacetCounter counter(facets, &dictionary_);
      for (const Candidate& c : matches)
        counter.AddDocument(docs_[c.doc].value_ids);
      counter.AppendTo(&response);
    }
    if (cursor.has_value()) {
      matches.erase(std::remove_if(matches.begin(), matches.end(),
                                   [&](const Candidate& c) {
                                     return !Before(cursor->score, cursor->seq,
                                                    c.score, c.seq);
                                   }),
                    matches.end());
    }
    auto order = [](const Candidate& a, const Candidate& b) {
      return Before(a.score, a.seq, b.score, b.seq);
    };
    const size_t page = std::min<size_t>(matches.size(), limit);
    std::partial_sort(matches.begin(), matches.begin() + page, matches.end(),
                      order);
    for (size_t i = 0; i < page; ++i) {
      const Candidate& c = matches[i];
      const Document& d = docs_[c.doc];
      v1::Hit* hit = response.add_hits();
      *hit = MakeHit(*d.record, query->query, d.folded.segments,
                     c.match.snippet_segment, c.match.item_indexes);
      hit->set_score(c.score);
      if (request.include_bulletins()) *hit->mutable_bulletin() = *d.record;
    }
    if (matches.size() > page) {
      response.set_next_page_token(EncodePageToken(
          fingerprint,
          PageCursor{matches[page - 1].score, matches[page - 1].seq}));
    }
    return response;
  }

  v1::StatsResponse Stats() const {
    absl::ReaderMutexLock lock(&mu_);
    v1::StatsResponse stats;
    stats.set_bulletin_count(live_count_);
    stats.set_item_count(item_count_);
    stats.set_applied_seq(applied_seq_);
    stats.set_text_bytes(text_bytes_);
    int64_t index_bytes = static_cast<int64_t>(dictionary_.MemoryBytes());
    for (const Document& d : docs_) {
      for (const std::string& f : d.folded.folded) {
        index_bytes += static_cast<int64_t>(f.capacity());
      }
    }
    stats.set_index_bytes(index_bytes);
    stats.set_stored_bytes(stored_bytes_);
    return stats;
  }

 private:
  void Remove(uint32_t doc) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Document& d = docs_[doc];
    d.live = false;
    live_count_ -= 1;
    item_count_ -= d.record->items_size();
    total_weighted_length_ -= d.weighted_length;
    for (const TextSegment& s : d.folded.segments) {
      text_bytes_ -= static_cast<int64_t>(s.text.size());
    }
    stored_bytes_ -= static_cast<int64_t>(d.record->SpaceUsedLong());
  }

  bool PassesFilters(const CompiledFilters& filters, const Document& d) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    if (filters.empty()) return true;
    return filters.Matches(
        [&](FacetField field, const std::string& folded) {
          std::optional<uint32_t> id = dictionary_.Find(field, folded);
          return id.has_value() && std::binary_search(d.value_ids.begin(),
                                                      d.value_ids.end(), *id);
        },
        d.record->date());
  }

  mutable absl::Mutex mu_;
  std::vector<Document> docs_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, uint32_t> by_id_ ABSL_GUARDED_BY(mu_);
  ValueDictionary dictionary_ ABSL_GUARDED_BY(mu_);
  uint64_t applied_seq_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t live_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t item_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t text_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t stored_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  double total_weighted_length_ ABSL_GUARDED_BY(mu_) = 0;
};

BulletinIndex::BulletinIndex() : impl_(std::make_unique<Impl>()) {}
BulletinIndex::~BulletinIndex() = default;
void BulletinIndex::Apply(const v1::LogRecord& record) { impl_->Apply(record); }
void BulletinIndex::Clear() { impl_->Clear(); }
uint64_t BulletinIndex::applied_seq() const { return impl_->applied_seq(); }
bool BulletinIndex::WaitForSeq(uint64_t seq, absl::Time deadline) const {
  return impl_->WaitForSeq(seq, deadline);
}
absl::StatusOr<v1::Bulletin> BulletinIndex::Get(std::string_view id) const {
  return impl_->Get(id);
}
absl::StatusOr<v1::SearchResponse> BulletinIndex::Search(
    const v1::SearchRequest& request) const {
  return impl_->Search(request);
}
v1::StatsResponse BulletinIndex::Stats() const { return impl_->Stats(); }

}  // namespace bulletin
