#include "query-service/index/bulletin_index.h"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/error_details.h"
#include "common/sync/mutex.h"
#include "common/time/iso_date.h"
#include "query-service/index/freeze_policy.h"
#include "query-service/index/freezer.h"
#include "query-service/index/index_image.h"
#include "query-service/index/postings/gram_index.h"
#include "query-service/index/query/compiled_query.h"
#include "query-service/index/query/document_match.h"
#include "query-service/index/query/facets.h"
#include "query-service/index/query/hit_builder.h"
#include "query-service/index/query/hit_text_cache.h"
#include "query-service/index/query/match_finder.h"
#include "query-service/index/query/page_token.h"
#include "query-service/index/store/corpus.h"
#include "query-service/index/store/facet_columns.h"
#include "query-service/index/store/field_values.h"
#include "query-service/index/store/record_compressor.h"
#include "query-service/index/store/value_dictionary.h"
#include "query-service/index/text/fold.h"

namespace bulletin {
namespace {

constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 1000;
// Building one hit (folding and matching its text, its snippet) costs about
// as much as this many candidates, in Cancellation ticks.
constexpr int32_t kHitWork = 64;

// Everything a search reads. Replaced whole only by Clear.
struct State {
  Corpus corpus;
  GramIndex grams;
  ValueDictionary dictionary;
  // The corpus's liveness and columned values, for facets.
  FacetColumns columns;
  absl::flat_hash_map<std::string, uint32_t> by_id;
  // Retracted bulletins that no later version brought back: id -> the
  // retraction's seq, for ChangesSince. Kept as long as the log keeps the
  // retraction records (for good: each is its bulletin's last record).
  absl::flat_hash_map<std::string, uint64_t> retracted;
  int64_t live_documents = 0;
  int64_t live_items = 0;
  int64_t text_bytes = 0;
  int64_t stored_bytes = 0;
  double total_weighted_length = 0;
  // Dead documents whose postings are still in the index.
  size_t dead_in_postings = 0;
};

// A bulletin prepared for the index outside the lock.
struct Prepared {
  std::shared_ptr<const StoredRecord> record;
  DocumentText text;
  uint64_t segments_to_fold = 0;
  std::vector<FieldValue> values;
  float weighted_length = 0;
  int64_t text_bytes = 0;
  int64_t stored_bytes = 0;
};

Prepared Prepare(const v1::LogRecord& record, RecordCompressor* compressor) {
  Prepared p;
  v1::Bulletin bulletin = record.upsert();
  bulletin.set_seq(record.seq());
  std::vector<char32_t>& cps = p.text.code_points;
  bool lead_started = false;
  bool items_started = false;
  const std::vector<TextSegment> segments = TextSegmentsOf(bulletin);
  for (size_t i = 0; i < segments.size(); ++i) {
    const TextSegment& s = segments[i];
    // Segments come headline fields, lead fields, items (text_segments.h).
    if (!lead_started && s.kind != FieldKind::kHeadline) {
      p.text.lead_start = static_cast<uint32_t>(cps.size());
      lead_started = true;
    }
    if (!items_started && s.kind == FieldKind::kItem) {
      p.text.item_start = static_cast<uint32_t>(cps.size());
      items_started = true;
    }
    const size_t before = cps.size();
    const bool own_fold = FoldCodePointsOfText(s.text, &cps);
    if (!own_fold && i < 64) p.segments_to_fold |= uint64_t{1} << i;
    p.weighted_length +=
        static_cast<float>(FieldWeight(s.kind) * (cps.size() - before));
    cps.push_back(GramIndex::kEnd);
    p.text_bytes += static_cast<int64_t>(s.text.size());
  }
  if (!lead_started) p.text.lead_start = static_cast<uint32_t>(cps.size());
  if (!items_started) p.text.item_start = static_cast<uint32_t>(cps.size());
  p.values = ExtractFieldValues(bulletin);
  p.record = compressor->Store(std::move(bulletin));
  p.stored_bytes = static_cast<int64_t>(p.record->SpaceUsed());
  return p;
}

// The sort key of a publication date for a date order: YYYYMMDD, negated
// when ascending, so that the usual "higher first" puts it in place; and
// below every date, in either direction, for a bulletin without one.
double DateKey(std::string_view date, bool ascending) {
  constexpr double kUndated = -1e9;  // Below -99991231.
  if (!IsIsoDate(date)) return kUndated;
  double key = 0;  // YYYYMMDD: the date's digits.
  for (char c : date) {
    if (c != '-') key = key * 10 + (c - '0');
  }
  return ascending ? -key : key;
}

// Longest highlight mark a request may give.
constexpr size_t kMaxHighlightTagBytes = 64;

// The presentation options of `request`, checked: INVALID_ARGUMENT with the
// offending field for a facet size out of range or a bad pair of marks.
absl::Status CheckPresentation(const v1::SearchRequest& request) {
  if (request.facet_size() < 0 || request.facet_size() > kMaxFacetValues) {
    return InvalidField(
        "facet_size",
        absl::StrCat("is ", request.facet_size(), "; give 0 (for ",
                     kDefaultFacetValues, ") to ", kMaxFacetValues));
  }
  const bool pre = !request.highlight_pre_tag().empty();
  const bool post = !request.highlight_post_tag().empty();
  if (pre != post) {
    return InvalidField(pre ? "highlight_post_tag" : "highlight_pre_tag",
                        "is empty while the other highlight tag is set; give "
                        "both or neither");
  }
  for (const auto& [name, tag] :
       {std::pair<const char*, const std::string*>{
            "highlight_pre_tag", &request.highlight_pre_tag()},
        {"highlight_post_tag", &request.highlight_post_tag()}}) {
    if (tag->size() > kMaxHighlightTagBytes) {
      return InvalidField(name,
                          absl::StrCat("is ", tag->size(), " bytes; at most ",
                                       kMaxHighlightTagBytes));
    }
  }
  return absl::OkStatus();
}

// The HitOptions `request` asks for (checked by CheckPresentation); the
// marks view the request.
HitOptions HitOptionsOf(const v1::SearchRequest& request) {
  HitOptions options;
  if (!request.highlight_pre_tag().empty()) {
    options.marks.open = request.highlight_pre_tag();
    options.marks.close = request.highlight_post_tag();
  }
  options.marks.escape_html = request.escape_snippet_html();
  options.include_matches = request.include_matches();
  return options;
}

}  // namespace

struct BulletinIndex::Checkpoint::Image : IndexImage {};

class BulletinIndex::Impl {
 public:
  Impl()
      : state_(std::make_unique<State>()),
        freezer_([this](const FreezeJob& job, FrozenTiers tiers) {
          Install(job, std::move(tiers));
        }) {}

  ~Impl() { freezer_.Join(); }

  void Apply(const v1::LogRecord& record,
             std::shared_ptr<const StoredRecord>* replaced) {
    if (replaced != nullptr) replaced->reset();
    std::optional<Prepared> prepared;
    if (record.has_upsert() && !record.upsert().id().empty()) {
      prepared = Prepare(record, compressor_.get());
    }
    std::optional<FreezeJob> job;
    {
      WriterMutexLock lock(&mu_);
      if (record.seq() != 0 && record.seq() <= applied_seq_) return;
      State& s = *state_;
      const std::string& id =
          record.has_upsert() ? record.upsert().id() : record.retraction().id();
      auto old = s.by_id.find(id);
      if (old != s.by_id.end()) {
        if (replaced != nullptr) {
          *replaced = s.corpus.documents[old->second].record;
        }
        // No search can show the old version once this lock is released
        // (hits are built under the read lock), so its text goes now.
        hit_texts_.Erase(s.corpus.documents[old->second].record.get());
        Remove(old->second, &s);
        s.by_id.erase(old);
      }
      if (prepared.has_value()) {
        Add(*std::move(prepared), &s);
        if (!s.retracted.empty()) s.retracted.erase(id);
      } else if (record.has_retraction() && !id.empty()) {
        s.retracted[id] = record.seq();
      }
      applied_seq_ = std::max(applied_seq_, record.seq());
      if (!freezer_.running()) {
        const FreezeDecision decision = DecideFreeze(TierSizesOf(s));
        if (decision.freeze) job = Seal(/*drop_dead=*/decision.drop_dead);
      }
    }
    applied_changed_.SignalAll();
    if (job.has_value()) freezer_.Start(*std::move(job));
  }

  void Clear() {
    freezer_.Join();
    auto fresh = std::make_unique<State>();
    compressor_ = std::make_unique<RecordCompressor>();
    {
      WriterMutexLock lock(&mu_);
      std::swap(state_, fresh);
      applied_seq_ = 0;
      log_identity_ = LogIdentity();
    }
    hit_texts_.Clear();
    applied_changed_.SignalAll();
  }

  // Takes `other`'s contents and applied seq, leaving it empty; what this
  // index held is freed after the swap, outside the lock.
  void ReplaceWith(Impl& other) {
    freezer_.Join();
    other.freezer_.Join();
    // The dictionary that compressed `other`'s records goes on with them.
    std::swap(compressor_, other.compressor_);
    std::unique_ptr<State> taken = std::make_unique<State>();
    uint64_t taken_seq = 0;
    LogIdentity taken_identity;
    {
      WriterMutexLock lock(&other.mu_);
      std::swap(other.state_, taken);
      std::swap(other.applied_seq_, taken_seq);
      std::swap(other.log_identity_, taken_identity);
    }
    {
      WriterMutexLock lock(&mu_);
      std::swap(state_, taken);
      applied_seq_ = taken_seq;
      log_identity_ = std::move(taken_identity);
    }
    applied_changed_.SignalAll();
  }

  // Freezes everything added so far and drops the postings of every dead
  // document, on the calling thread, after any freeze in progress.
  void Compact() {
    freezer_.Join();
    FreezeJob job;
    {
      WriterMutexLock lock(&mu_);
      job = Seal(/*drop_dead=*/true);
    }
    freezer_.Run(std::move(job));
    // A replica at rest also gives back the growth slack of its per-document
    // tables (a few MB per 100,000 bulletins); they grow again by doubling.
    {
      WriterMutexLock lock(&mu_);
      State& s = *state_;
      s.corpus.documents.shrink_to_fit();
      s.corpus.ranks.shrink_to_fit();
      s.columns.ShrinkToFit();
      s.by_id.rehash(0);
    }
    // And the heap gives back to the system what the merges freed: glibc
    // keeps freed pages of its arenas otherwise, about as much again as
    // the stored records and the index after a replay (docs/benchmarks.md,
    // "Replica memory").
    malloc_trim(0);
  }

  void SetFreezeObserver(std::function<void(const FreezeReport&)> observer) {
    freezer_.SetObserver(std::move(observer));
  }

  void SetFreezeHookForTesting(std::function<void()> hook) {
    freezer_.SetHookForTesting(std::move(hook));
  }

  void SetBoundedCharacterEntriesForTesting(uint32_t entries) {
    WriterMutexLock lock(&mu_);
    bounded_character_entries_ = entries;
  }

  uint64_t applied_seq() const {
    ReaderMutexLock lock(&mu_);
    return applied_seq_;
  }

  void SetTotalHitsThreshold(int64_t threshold) {
    total_hits_threshold_.store(std::max<int64_t>(threshold, 0),
                                std::memory_order_relaxed);
  }

  void SetHitTextCacheBytes(int64_t bytes) {
    hit_texts_.SetCapacity(static_cast<size_t>(std::max<int64_t>(bytes, 0)));
  }

  void SetLogIdentity(const LogIdentity& identity) {
    WriterMutexLock lock(&mu_);
    log_identity_ = identity;
  }

  LogIdentity log_identity() const {
    ReaderMutexLock lock(&mu_);
    return log_identity_;
  }

  void SkipTo(uint64_t seq) {
    {
      WriterMutexLock lock(&mu_);
      if (seq <= applied_seq_) return;
      applied_seq_ = seq;
    }
    applied_changed_.SignalAll();
  }

  // Documents are numbered in the order they were applied, which is seq
  // order, so the live ones in number order are in seq order.
  void TakeCheckpoint(Checkpoint* checkpoint) const {
    auto image = std::make_shared<Checkpoint::Image>();
    ReaderMutexLock lock(&mu_);
    const State& s = *state_;
    checkpoint->applied_seq_ = applied_seq_;
    checkpoint->log_identity_ = log_identity_;
    const size_t live = static_cast<size_t>(s.live_documents);
    image->ranks = s.corpus.ranks;
    image->live_documents.reserve(live);
    image->live_metas.reserve(live);
    for (size_t doc = 0; doc < s.corpus.documents.size(); ++doc) {
      const DocumentMeta& d = s.corpus.documents[doc];
      if (d.record == nullptr) continue;
      image->live_documents.push_back(static_cast<uint32_t>(doc));
      image->live_metas.push_back(d);
    }
    image->grams = s.grams.CopyTiers();
    image->dictionary = s.dictionary.CopyContents();
    image->retracted.reserve(s.retracted.size());
    for (const auto& [id, seq] : s.retracted) {
      image->retracted.push_back(RetractedBulletin{id, seq});
    }
    checkpoint->image_ = std::move(image);
  }

  absl::Status LoadImage(
      absl::FunctionRef<absl::Status(char* into, size_t size)> read,
      uint64_t applied_seq) {
    if (this->applied_seq() != 0) {
      return absl::FailedPreconditionError(
          "an index image loads only into an empty index");
    }
    absl::StatusOr<ReadImage> image = ReadIndexImage(read, applied_seq);
    if (!image.ok()) return image.status();
    auto fresh = std::make_unique<State>();
    State& s = *fresh;
    absl::Status restored = s.dictionary.Restore(
        std::move(image->dictionary_arena), std::move(image->dictionary_values),
        std::move(image->dictionary_lists));
    if (!restored.ok()) return restored;
    s.grams.Restore(std::move(image->grams));
    s.corpus = std::move(image->corpus);
    for (size_t doc = 0; doc < s.corpus.documents.size(); ++doc) {
      const DocumentMeta& d = s.corpus.documents[doc];
      if (d.record == nullptr) {
        s.columns.AddDead(static_cast<uint32_t>(doc));
        continue;
      }
      std::string id(d.record->id());
      if (!s.by_id.emplace(std::move(id), static_cast<uint32_t>(doc)).second) {
        return absl::DataLossError(
            absl::StrCat("malformed index image: bulletin ",
                         std::string(d.record->id()), " is there twice"));
      }
      for (uint32_t value : d.value_ids) {
        if (!s.dictionary.AddLive(value)) {
          return absl::DataLossError(absl::StrCat(
              "malformed index image: bulletin ", std::string(d.record->id()),
              " has value ", value, ", which the dictionary lacks"));
        }
      }
      s.columns.Add(static_cast<uint32_t>(doc), d.value_ids, s.dictionary);
      s.live_documents += 1;
      s.live_items += d.record->items_size();
      s.text_bytes += d.text_bytes;
      s.stored_bytes += static_cast<int64_t>(d.record->SpaceUsed());
      s.total_weighted_length += s.corpus.ranks[doc].weighted_length;
    }
    for (RetractedBulletin& retracted : image->retracted) {
      if (s.by_id.contains(retracted.id) ||
          !s.retracted.emplace(std::move(retracted.id), retracted.seq).second) {
        return absl::DataLossError(
            "malformed index image: a retracted bulletin is live, or "
            "retracted twice");
      }
    }
    // New records get the newest dictionary the saved ones had, and the
    // trainings go on from their count.
    std::shared_ptr<const StoreDictionary> newest;
    for (const std::shared_ptr<const StoreDictionary>& d :
         image->store_dictionaries) {
      if (newest == nullptr || d->generation() > newest->generation()) {
        newest = d;
      }
    }
    compressor_->Resume(std::move(newest),
                        static_cast<uint64_t>(s.live_documents));
    {
      WriterMutexLock lock(&mu_);
      std::swap(state_, fresh);
      applied_seq_ = applied_seq;
    }
    applied_changed_.SignalAll();
    return absl::OkStatus();
  }

  bool WaitForSeq(uint64_t seq, absl::Time deadline) const {
    ReaderMutexLock lock(&mu_);
    return applied_changed_.ReaderWaitUntil(
        &mu_, deadline, [this, seq]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return applied_seq_ >= seq;
        });
  }

  absl::StatusOr<v1::Bulletin> Get(std::string_view id) const {
    const std::string key(id);
    ReaderMutexLock lock(&mu_);
    auto it = state_->by_id.find(key);
    if (it == state_->by_id.end()) {
      return absl::NotFoundError(absl::StrCat("no bulletin with id ", key));
    }
    return state_->corpus.documents[it->second].record->ToBulletin();
  }

  absl::StatusOr<v1::SearchResponse> Search(const v1::SearchRequest& request,
                                            Cancellation* cancellation) const;

  Changes ChangesSince(uint64_t after_seq, size_t max_changes) const {
    Changes changes;
    ReaderMutexLock lock(&mu_);
    const State& s = *state_;
    changes.applied_seq = applied_seq_;
    if (after_seq >= applied_seq_) return changes;
    // Documents are numbered in seq order (see TakeCheckpoint).
    const std::vector<DocumentRank>& ranks = s.corpus.ranks;
    const auto first = std::upper_bound(
        ranks.begin(), ranks.end(), after_seq,
        [](uint64_t seq, const DocumentRank& rank) { return seq < rank.seq; });
    for (size_t doc = static_cast<size_t>(first - ranks.begin());
         doc < ranks.size(); ++doc) {
      if (!ranks[doc].live) continue;
      if (changes.changes.size() >= max_changes) {
        changes.over_limit = true;
        break;
      }
      changes.changes.push_back(
          Change{ranks[doc].seq, s.corpus.documents[doc].record, {}});
    }
    const size_t live = changes.changes.size();
    for (const auto& [id, seq] : s.retracted) {
      if (seq <= after_seq) continue;
      if (changes.over_limit || changes.changes.size() >= max_changes) {
        changes.over_limit = true;
        break;
      }
      changes.changes.push_back(Change{seq, nullptr, id});
    }
    if (changes.over_limit) {
      changes.changes.clear();
      return changes;
    }
    // Both parts are in seq order after this; the live part already is.
    std::sort(changes.changes.begin() + static_cast<ptrdiff_t>(live),
              changes.changes.end(),
              [](const Change& a, const Change& b) { return a.seq < b.seq; });
    std::inplace_merge(
        changes.changes.begin(),
        changes.changes.begin() + static_cast<ptrdiff_t>(live),
        changes.changes.end(),
        [](const Change& a, const Change& b) { return a.seq < b.seq; });
    return changes;
  }

  v1::StatsResponse Stats() const {
    ReaderMutexLock lock(&mu_);
    const State& s = *state_;
    v1::StatsResponse stats;
    stats.set_bulletin_count(s.live_documents);
    stats.set_item_count(s.live_items);
    stats.set_applied_seq(applied_seq_);
    stats.set_text_bytes(s.text_bytes);
    size_t bytes = s.grams.MemoryBytes() + s.dictionary.MemoryBytes() +
                   s.corpus.documents.capacity() * sizeof(DocumentMeta) +
                   s.corpus.ranks.capacity() * sizeof(DocumentRank) +
                   s.by_id.capacity() * (sizeof(std::string) + 5) +
                   s.columns.MemoryBytes();
    // The stored records' dictionaries: a few, each shared by many.
    absl::flat_hash_set<const StoreDictionary*> dictionaries;
    int64_t stored_bytes = s.stored_bytes;
    for (const DocumentMeta& d : s.corpus.documents) {
      bytes += d.value_ids.capacity() * sizeof(uint32_t);
      if (d.record != nullptr && d.record->dictionary() != nullptr &&
          dictionaries.insert(d.record->dictionary().get()).second) {
        stored_bytes +=
            static_cast<int64_t>(d.record->dictionary()->SpaceUsed());
      }
    }
    for (const auto& [id, doc] : s.by_id) {
      if (id.capacity() > 15) bytes += id.capacity() + 1;
    }
    bytes += s.retracted.capacity() * (sizeof(std::string) + 9);
    for (const auto& [id, seq] : s.retracted) {
      if (id.capacity() > 15) bytes += id.capacity() + 1;
    }
    stats.set_index_bytes(static_cast<int64_t>(bytes));
    stats.set_stored_bytes(stored_bytes);
    return stats;
  }

 private:
  static void Add(Prepared p, State* s) {
    Corpus& corpus = s->corpus;
    const uint32_t doc = static_cast<uint32_t>(corpus.documents.size());
    DocumentMeta meta;
    meta.lead_start = p.text.lead_start;
    meta.item_start = p.text.item_start;
    meta.text_bytes = static_cast<uint32_t>(p.text_bytes);
    meta.segments_to_fold = p.segments_to_fold;
    corpus.ranks.push_back(
        DocumentRank{p.record->seq(), p.weighted_length, /*live=*/true});
    s->grams.AddDocument(doc, p.text);
    meta.value_ids.reserve(p.values.size());
    for (const FieldValue& value : p.values) {
      const uint32_t id = s->dictionary.Intern(value);
      s->dictionary.AddDocument(id, doc);
      meta.value_ids.push_back(id);
    }
    std::sort(meta.value_ids.begin(), meta.value_ids.end());
    s->columns.Add(doc, meta.value_ids, s->dictionary);
    s->live_documents += 1;
    s->live_items += p.record->items_size();
    s->text_bytes += p.text_bytes;
    s->stored_bytes += p.stored_bytes;
    s->total_weighted_length += p.weighted_length;
    s->by_id[std::string(p.record->id())] = doc;
    meta.record = std::move(p.record);
    corpus.documents.push_back(std::move(meta));
  }

  // The document keeps its number (numbers only grow, which lets frozen
  // lists be extended rather than rewritten) and its rank, marked dead, so
  // that every search skips its postings until a freeze drops them; its
  // record and value ids are released now.
  static void Remove(uint32_t doc, State* s) {
    DocumentMeta& d = s->corpus.documents[doc];
    DocumentRank& rank = s->corpus.ranks[doc];
    rank.live = false;
    s->live_documents -= 1;
    s->live_items -= d.record->items_size();
    s->total_weighted_length -= rank.weighted_length;
    s->text_bytes -= d.text_bytes;
    s->stored_bytes -= static_cast<int64_t>(d.record->SpaceUsed());
    s->dead_in_postings += 1;
    for (uint32_t value : d.value_ids) s->dictionary.RemoveLive(value);
    s->columns.Remove(doc);
    d.record.reset();
    d.value_ids = std::vector<uint32_t>();
  }

  static TierSizes TierSizesOf(const State& s) {
    TierSizes sizes;
    sizes.recent_bigrams = s.grams.recent_bigrams();
    sizes.frozen_bigrams = s.grams.frozen_bigrams();
    sizes.recent_bytes = s.grams.recent_bytes();
    sizes.frozen_bytes = s.grams.frozen_bytes();
    sizes.dead_in_postings = s.dead_in_postings;
    sizes.live_documents = static_cast<size_t>(s.live_documents);
    return sizes;
  }

  // Seals the recent tiers for a freeze; the caller has the freezer run it.
  FreezeJob Seal(bool drop_dead) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    State& s = *state_;
    FreezeJob job;
    job.grams = s.grams.Seal();
    job.dictionary = s.dictionary.Seal();
    if (drop_dead && s.dead_in_postings > 0) {
      // Every document dead now has all its postings in the sealed and
      // frozen tiers; those that die from here on are counted anew.
      job.dead.resize(s.corpus.ranks.size());
      for (size_t doc = 0; doc < s.corpus.ranks.size(); ++doc) {
        job.dead[doc] = !s.corpus.ranks[doc].live;
      }
      job.dropped = s.dead_in_postings;
    }
    job.bounds = BlockBoundsOf(s.corpus.ranks);
    job.bounds.bounded_character_entries = bounded_character_entries_;
    job.documents = static_cast<int64_t>(s.corpus.ranks.size());
    return job;
  }

  // The freezer's install: readers and the applier wait only for this.
  void Install(const FreezeJob& job, FrozenTiers tiers) {
    WriterMutexLock lock(&mu_);
    // Clear and ReplaceWith join the freezer before replacing the state, so
    // this is the state the job was sealed from.
    State& s = *state_;
    s.grams.Install(std::move(tiers.grams));
    s.dictionary.Install(std::move(tiers.lists));
    s.dead_in_postings -= job.dropped;
  }

  // See SetTotalHitsThreshold; read by every search, hence atomic.
  std::atomic<int64_t> total_hits_threshold_{kDefaultTotalHitsThreshold};
  // Filled by searches (it locks itself): keyed by record, so a change of
  // the state never makes an entry wrong; Clear empties it to free memory.
  mutable HitTextCache hit_texts_{kDefaultHitTextCacheBytes};
  mutable SharedMutex mu_;
  // Signalled whenever applied_seq_ changes, for WaitForSeq.
  mutable SharedCondVar applied_changed_;
  std::unique_ptr<State> state_ ABSL_GUARDED_BY(mu_);
  uint64_t applied_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t bounded_character_entries_ ABSL_GUARDED_BY(mu_) =
      kBoundedCharacterEntries;
  LogIdentity log_identity_ ABSL_GUARDED_BY(mu_);
  // Compresses the records Apply stores; owned by the writer.
  std::unique_ptr<RecordCompressor> compressor_ =
      std::make_unique<RecordCompressor>();
  // Merges sealed tiers, on its own thread for Apply; owned by the writer.
  // Declared after what Install touches, and joined by ~Impl before it goes.
  Freezer freezer_;
};

absl::StatusOr<v1::SearchResponse> BulletinIndex::Impl::Search(
    const v1::SearchRequest& request, Cancellation* cancellation) const {
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
  absl::Status presentation = CheckPresentation(request);
  if (!presentation.ok()) return presentation;
  const HitOptions hit_options = HitOptionsOf(request);
  const int limit = request.limit() == 0 ? kDefaultLimit : request.limit();
  const uint64_t fingerprint = RequestFingerprint(request);
  std::optional<PageCursor> cursor;
  if (!request.page_token().empty()) {
    absl::StatusOr<PageCursor> decoded =
        DecodePageToken(request.page_token(), fingerprint);
    if (!decoded.ok()) return decoded.status();
    cursor = *decoded;
  }
  const ParsedQuery& terms = query->query;
  const CompiledFilters& filters = query->filters;
  const bool by_relevance =
      request.order() == v1::SearchRequest::RELEVANCE && !terms.terms.empty();
  const bool by_date = request.order() == v1::SearchRequest::DATE_DESCENDING ||
                       request.order() == v1::SearchRequest::DATE_ASCENDING;

  // A caller gone while the request waited (for min_seq, for a thread)
  // costs no lock and no posting.
  if (cancellation->Check()) return cancellation->status();

  ReaderMutexLock lock(&mu_);
  const State& s = *state_;
  const Corpus& corpus = s.corpus;

  MatchOptions options;
  options.by_relevance = by_relevance;
  if (by_date) {
    // The date is read from each candidate's record, as a date filter
    // reads it.
    const bool ascending = request.order() == v1::SearchRequest::DATE_ASCENDING;
    options.key_of = [&corpus, ascending](uint32_t doc) {
      return DateKey(corpus.documents[doc].record->date(), ascending);
    };
  }
  options.limit = static_cast<size_t>(limit);
  options.after = cursor;
  options.count_threshold =
      request.exact_total_hits()
          ? SIZE_MAX
          : static_cast<size_t>(
                total_hits_threshold_.load(std::memory_order_relaxed));
  options.mark_matches = !facets.empty();
  absl::StatusOr<FoundMatches> found =
      FindMatches(terms, filters, options,
                  IndexView{corpus, s.grams, s.dictionary, s.live_documents,
                            s.total_weighted_length, &s.columns.live_bits()},
                  cancellation);
  if (!found.ok()) return found.status();
  const std::vector<ScoredMatch>& matches = found->page;

  v1::SearchResponse response;
  response.set_total_hits(found->total);
  response.set_total_hits_is_lower_bound(found->total_is_lower_bound);
  response.set_applied_seq(applied_seq_);
  if (!facets.empty()) {
    FacetCounter counter(
        facets, &s.dictionary, &s.columns,
        request.facet_size() == 0 ? kDefaultFacetValues : request.facet_size());
    if (!counter.Count(found->matching, found->total, corpus, s.live_documents,
                       cancellation)) {
      return cancellation->status();
    }
    counter.AppendTo(&response);
  }
  if (cancellation->Check()) return cancellation->status();
  const size_t page = std::min<size_t>(matches.size(), limit);
  for (size_t i = 0; i < page; ++i) {
    if (cancellation->Tick(kHitWork)) return cancellation->status();
    // Item indexes and the snippet come from the same exact matcher Watch
    // uses, run on the few bulletins of this page.
    const DocumentMeta& meta = corpus.documents[matches[i].doc];
    const StoredRecord& record = *meta.record;
    const absl::StatusOr<std::shared_ptr<const HitText>> text =
        hit_texts_.Get(meta.record, meta.segments_to_fold);
    if (!text.ok()) return text.status();
    const FoldedDocument& folded = (*text)->folded;
    const DocumentMatch match = MatchDocument(terms, folded);
    // MakeHit reads id, seq and date of the bulletin; the text it takes
    // from `folded`.
    v1::Bulletin header;
    header.set_id(std::string(record.id()));
    header.set_seq(record.seq());
    header.set_date(std::string(record.date()));
    v1::Hit* hit = response.add_hits();
    *hit = MakeHit(header, terms, folded, match.snippet_segment,
                   match.item_indexes, hit_options);
    // A date order's key is not a score.
    hit->set_score(by_date ? 0 : matches[i].score);
    if (request.include_bulletins()) {
      absl::StatusOr<v1::Bulletin> bulletin = record.ToBulletin();
      if (!bulletin.ok()) return bulletin.status();
      *hit->mutable_bulletin() = *std::move(bulletin);
    }
  }
  if (matches.size() > page) {
    response.set_next_page_token(EncodePageToken(
        fingerprint,
        PageCursor{matches[page - 1].score, matches[page - 1].seq}));
  }
  return response;
}

BulletinIndex::BulletinIndex() : impl_(std::make_unique<Impl>()) {}
BulletinIndex::~BulletinIndex() = default;
void BulletinIndex::Apply(const v1::LogRecord& record,
                          std::shared_ptr<const StoredRecord>* replaced) {
  impl_->Apply(record, replaced);
}
void BulletinIndex::ReplaceWith(BulletinIndex& other) {
  impl_->ReplaceWith(*other.impl_);
}

void BulletinIndex::Clear() { impl_->Clear(); }
void BulletinIndex::SetLogIdentity(const LogIdentity& identity) {
  impl_->SetLogIdentity(identity);
}
LogIdentity BulletinIndex::log_identity() const {
  return impl_->log_identity();
}
void BulletinIndex::SkipTo(uint64_t seq) { impl_->SkipTo(seq); }
BulletinIndex::Checkpoint BulletinIndex::TakeCheckpoint() const {
  Checkpoint checkpoint;
  impl_->TakeCheckpoint(&checkpoint);
  return checkpoint;
}
absl::Status BulletinIndex::LoadImage(
    absl::FunctionRef<absl::Status(char* into, size_t size)> read,
    uint64_t applied_seq) {
  return impl_->LoadImage(read, applied_seq);
}
void BulletinIndex::Compact() { impl_->Compact(); }
void BulletinIndex::SetFreezeObserver(
    std::function<void(const FreezeReport&)> observer) {
  impl_->SetFreezeObserver(std::move(observer));
}
void BulletinIndex::SetFreezeHookForTesting(std::function<void()> hook) {
  impl_->SetFreezeHookForTesting(std::move(hook));
}
void BulletinIndex::SetBoundedCharacterEntriesForTesting(uint32_t entries) {
  impl_->SetBoundedCharacterEntriesForTesting(entries);
}
void BulletinIndex::SetTotalHitsThreshold(int64_t threshold) {
  impl_->SetTotalHitsThreshold(threshold);
}
void BulletinIndex::SetHitTextCacheBytes(int64_t bytes) {
  impl_->SetHitTextCacheBytes(bytes);
}
uint64_t BulletinIndex::applied_seq() const { return impl_->applied_seq(); }
bool BulletinIndex::WaitForSeq(uint64_t seq, absl::Time deadline) const {
  return impl_->WaitForSeq(seq, deadline);
}
absl::StatusOr<v1::Bulletin> BulletinIndex::Get(std::string_view id) const {
  return impl_->Get(id);
}
absl::StatusOr<v1::SearchResponse> BulletinIndex::Search(
    const v1::SearchRequest& request) const {
  Cancellation never;
  return impl_->Search(request, &never);
}
absl::StatusOr<v1::SearchResponse> BulletinIndex::Search(
    const v1::SearchRequest& request, Cancellation* cancellation) const {
  return impl_->Search(request, cancellation);
}
BulletinIndex::Changes BulletinIndex::ChangesSince(uint64_t after_seq,
                                                   size_t max_changes) const {
  return impl_->ChangesSince(after_seq, max_changes);
}
v1::StatsResponse BulletinIndex::Stats() const { return impl_->Stats(); }

BulletinIndex::Checkpoint::Checkpoint() = default;
BulletinIndex::Checkpoint::~Checkpoint() = default;
BulletinIndex::Checkpoint::Checkpoint(Checkpoint&&) noexcept = default;
BulletinIndex::Checkpoint& BulletinIndex::Checkpoint::operator=(
    Checkpoint&&) noexcept = default;

size_t BulletinIndex::Checkpoint::size() const {
  return image_ == nullptr ? 0 : image_->live_documents.size();
}

absl::Status BulletinIndex::Checkpoint::WriteImage(
    absl::FunctionRef<absl::Status(absl::string_view bytes)> write) const {
  if (image_ == nullptr) {
    return absl::FailedPreconditionError("an empty Checkpoint has no image");
  }
  return WriteIndexImage(*image_, write);
}

}  // namespace bulletin
