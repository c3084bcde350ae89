#include "query-service/index/index_image.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "query-service/index/freezer.h"
#include "query-service/index/store/stored_record.h"

namespace bulletin {
namespace {

// Arrays are written as they lie in memory.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "snapshot images are little-endian, like every target built");

// Bytes are handed to `write` in pieces of about this size; larger arrays
// go straight from memory.
constexpr size_t kPieceBytes = 1 << 20;
// No array in an image is larger: a bound checked before allocating.
constexpr uint64_t kMaxArrayBytes = uint64_t{1} << 36;
// A record compressed without a dictionary names this one.
constexpr uint32_t kNoDictionary = UINT32_MAX;
// More than a replica trains in its life (record_compressor.h): a bound
// checked before reading them.
constexpr uint64_t kMaxDictionaries = 1 << 16;

class Writer {
 public:
  explicit Writer(absl::FunctionRef<absl::Status(absl::string_view)> write)
      : write_(write) {}

  template <typename T>
  void Put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    buffer_.append(reinterpret_cast<const char*>(&value), sizeof(T));
    if (buffer_.size() >= kPieceBytes) Flush();
  }
  // The size in bytes (u64), then the bytes.
  void PutBytes(absl::string_view bytes) {
    Put<uint64_t>(bytes.size());
    if (bytes.size() < kPieceBytes) {
      buffer_.append(bytes.data(), bytes.size());
      if (buffer_.size() >= kPieceBytes) Flush();
      return;
    }
    Flush();
    if (status_.ok()) status_ = write_(bytes);
  }
  template <typename T>
  void PutArray(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutBytes(absl::string_view(reinterpret_cast<const char*>(values.data()),
                               values.size() * sizeof(T)));
  }
  absl::Status Finish() {
    Flush();
    return status_;
  }

 private:
  void Flush() {
    if (status_.ok() && !buffer_.empty()) status_ = write_(buffer_);
    buffer_.clear();
  }

  absl::FunctionRef<absl::Status(absl::string_view)> write_;
  std::string buffer_;
  absl::Status status_;
};

// Reads values until the first failure, after which every read gives
// zeros and status() says what failed.
class Reader {
 public:
  explicit Reader(absl::FunctionRef<absl::Status(char*, size_t)> read)
      : read_(read) {}

  template <typename T>
  T Get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    if (status_.ok())
      status_ = read_(reinterpret_cast<char*>(&value), sizeof(T));
    return status_.ok() ? value : T{};
  }
  void GetBytes(std::string* out) {
    const uint64_t size = Get<uint64_t>();
    if (!status_.ok()) return;
    if (size > kMaxArrayBytes) {
      Fail(absl::StrCat("an array of ", size, " bytes"));
      return;
    }
    out->resize(size);
    status_ = read_(out->data(), size);
  }
  template <typename T>
  void GetArray(std::vector<T>* out) {
    static_assert(std::is_trivially_copyable_v<T>);
    const uint64_t size = Get<uint64_t>();
    if (!status_.ok()) return;
    if (size > kMaxArrayBytes || size % sizeof(T) != 0) {
      Fail(absl::StrCat("an array of ", size, " bytes"));
      return;
    }
    out->resize(size / sizeof(T));
    status_ = read_(reinterpret_cast<char*>(out->data()), size);
  }
  void Fail(absl::string_view what) {
    if (status_.ok()) {
      status_ =
          absl::DataLossError(absl::StrCat("malformed index image: ", what));
    }
  }
  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }

 private:
  absl::FunctionRef<absl::Status(char*, size_t)> read_;
  absl::Status status_;
};

// Ascending from 0 to `end`, as the offsets of `count` consecutive parts.
bool AreOffsets(const std::vector<uint32_t>& offsets, size_t count,
                size_t end) {
  return offsets.size() == count + 1 && offsets.front() == 0 &&
         offsets.back() == end &&
         std::is_sorted(offsets.begin(), offsets.end());
}

bool IsFrozenTier(const GramIndex::FrozenTier& tier) {
  if (!AreOffsets(tier.first_begin, tier.first.size(), tier.second.size()) ||
      !AreOffsets(tier.offsets, tier.second.size(), tier.bytes.size()) ||
      std::adjacent_find(tier.first.begin(), tier.first.end(),
                         std::greater_equal<uint32_t>()) != tier.first.end()) {
    return false;
  }
  // Lookups binary-search the second code points of each first one.
  for (size_t k = 0; k < tier.first.size(); ++k) {
    const auto begin = tier.second.begin() + tier.first_begin[k];
    const auto end = tier.second.begin() + tier.first_begin[k + 1];
    if (std::adjacent_find(begin, end, std::greater_equal<uint32_t>()) != end) {
      return false;
    }
  }
  // One-character bounds: ascending code points, one whole table each.
  const size_t blocks = tier.character_documents / GramIndex::kCharacterBlock;
  if (tier.character_documents % GramIndex::kCharacterBlock != 0 ||
      tier.character_reference == 0 ||
      !AreOffsets(tier.character_begin, tier.character_points.size(),
                  tier.character_saturation.size()) ||
      std::adjacent_find(
          tier.character_points.begin(), tier.character_points.end(),
          std::greater_equal<uint32_t>()) != tier.character_points.end()) {
    return false;
  }
  for (size_t i = 0; i < tier.character_points.size(); ++i) {
    if (tier.character_begin[i + 1] - tier.character_begin[i] != blocks) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status WriteIndexImage(
    const IndexImage& image,
    absl::FunctionRef<absl::Status(absl::string_view bytes)> write) {
  std::vector<bool> dead(image.ranks.size());
  for (size_t doc = 0; doc < image.ranks.size(); ++doc) {
    dead[doc] = !image.ranks[doc].live;
  }
  const std::shared_ptr<const ValueDictionary::FrozenLists> lists =
      ValueDictionary::MergeLists(image.dictionary, dead);
  const BlockBounds bounds = BlockBoundsOf(image.ranks);
  const std::shared_ptr<const GramIndex::FrozenTier> grams =
      GramIndex::Merge(image.grams, dead, bounds.basis());

  Writer out(write);
  out.PutBytes(image.dictionary.arena);
  out.PutArray(image.dictionary.values);
  out.PutArray(lists->offsets);
  out.PutBytes(lists->docs);

  out.PutArray(grams->first);
  out.PutArray(grams->first_begin);
  out.PutArray(grams->second);
  out.PutArray(grams->offsets);
  out.PutBytes(grams->bytes);
  out.PutArray(grams->character_points);
  out.PutArray(grams->character_begin);
  out.PutArray(grams->character_saturation);
  out.Put<uint32_t>(grams->character_documents);
  out.Put<uint32_t>(grams->character_reference);

  out.Put<uint64_t>(image.ranks.size());
  for (const DocumentRank& rank : image.ranks) {
    out.Put<uint64_t>(rank.seq);
    out.Put<float>(rank.weighted_length);
    out.Put<uint8_t>(rank.live ? 1 : 0);
  }
  // The records' dictionaries, each once, numbered in the order written.
  absl::flat_hash_map<const StoreDictionary*, uint32_t> dictionary_numbers;
  std::vector<const StoreDictionary*> dictionaries;
  for (const DocumentMeta& meta : image.live_metas) {
    const StoreDictionary* d = meta.record->dictionary().get();
    if (d != nullptr &&
        dictionary_numbers
            .emplace(d, static_cast<uint32_t>(dictionaries.size()))
            .second) {
      dictionaries.push_back(d);
    }
  }
  out.Put<uint64_t>(dictionaries.size());
  for (const StoreDictionary* d : dictionaries) {
    out.Put<uint32_t>(d->generation());
    out.PutBytes(d->bytes());
  }

  out.Put<uint64_t>(image.live_documents.size());
  std::string record;
  for (size_t i = 0; i < image.live_documents.size(); ++i) {
    const DocumentMeta& meta = image.live_metas[i];
    out.Put<uint32_t>(image.live_documents[i]);
    out.Put<uint32_t>(meta.lead_start);
    out.Put<uint32_t>(meta.item_start);
    out.Put<uint32_t>(meta.text_bytes);
    out.Put<uint64_t>(meta.segments_to_fold);
    out.PutArray(meta.value_ids);
    const StoreDictionary* d = meta.record->dictionary().get();
    out.Put<uint32_t>(d == nullptr ? kNoDictionary : dictionary_numbers[d]);
    record.clear();
    meta.record->AppendEncoded(&record);
    out.PutBytes(record);
  }
  out.Put<uint64_t>(image.retracted.size());
  for (const RetractedBulletin& retracted : image.retracted) {
    out.PutBytes(retracted.id);
    out.Put<uint64_t>(retracted.seq);
  }
  return out.Finish();
}

absl::StatusOr<ReadImage> ReadIndexImage(
    absl::FunctionRef<absl::Status(char* into, size_t size)> read,
    uint64_t applied_seq) {
  Reader in(read);
  ReadImage image;
  in.GetBytes(&image.dictionary_arena);
  in.GetArray(&image.dictionary_values);
  auto lists = std::make_shared<ValueDictionary::FrozenLists>();
  in.GetArray(&lists->offsets);
  in.GetBytes(&lists->docs);
  image.dictionary_lists = lists;

  auto grams = std::make_shared<GramIndex::FrozenTier>();
  in.GetArray(&grams->first);
  in.GetArray(&grams->first_begin);
  in.GetArray(&grams->second);
  in.GetArray(&grams->offsets);
  in.GetBytes(&grams->bytes);
  in.GetArray(&grams->character_points);
  in.GetArray(&grams->character_begin);
  in.GetArray(&grams->character_saturation);
  grams->character_documents = in.Get<uint32_t>();
  grams->character_reference = in.Get<uint32_t>();
  if (in.ok() && !IsFrozenTier(*grams)) in.Fail("posting lists");
  image.grams = grams;

  const uint64_t documents = in.Get<uint64_t>();
  if (documents > UINT32_MAX) in.Fail("too many documents");
  // Character bounds past the documents would prune those loaded after.
  if (in.ok() && grams->character_documents > documents) {
    in.Fail("character bounds past the documents");
  }
  if (!in.ok()) return in.status();
  Corpus& corpus = image.corpus;
  corpus.ranks.resize(documents);
  uint64_t live_ranks = 0;
  for (DocumentRank& rank : corpus.ranks) {
    rank.seq = in.Get<uint64_t>();
    rank.weighted_length = in.Get<float>();
    const uint8_t live = in.Get<uint8_t>();
    if (live > 1) in.Fail("a document neither live nor dead");
    rank.live = live == 1;
    live_ranks += live;
  }
  const uint64_t dictionaries = in.Get<uint64_t>();
  if (dictionaries > kMaxDictionaries) in.Fail("too many record dictionaries");
  std::string bytes;
  for (uint64_t i = 0; i < dictionaries && in.ok(); ++i) {
    const uint32_t generation = in.Get<uint32_t>();
    in.GetBytes(&bytes);
    if (!in.ok()) break;
    absl::StatusOr<std::shared_ptr<const StoreDictionary>> dictionary =
        StoreDictionary::FromBytes(std::move(bytes), generation);
    if (!dictionary.ok()) {
      in.Fail(absl::StrCat("record dictionary ", i, ": ",
                           dictionary.status().message()));
      break;
    }
    image.store_dictionaries.push_back(*std::move(dictionary));
  }
  const uint64_t live_documents = in.Get<uint64_t>();
  if (in.ok() && live_documents != live_ranks) {
    in.Fail("the live documents disagree with the ranks");
  }
  corpus.documents.resize(documents);
  const size_t values = image.dictionary_values.size();
  int64_t next_doc = 0;
  std::string record;
  for (uint64_t i = 0; i < live_documents && in.ok(); ++i) {
    const uint32_t doc = in.Get<uint32_t>();
    if (doc < next_doc || doc >= documents || !corpus.ranks[doc].live) {
      in.Fail(absl::StrCat("live document ", doc, " out of place"));
      break;
    }
    next_doc = int64_t{doc} + 1;
    DocumentMeta& meta = corpus.documents[doc];
    meta.lead_start = in.Get<uint32_t>();
    meta.item_start = in.Get<uint32_t>();
    meta.text_bytes = in.Get<uint32_t>();
    meta.segments_to_fold = in.Get<uint64_t>();
    in.GetArray(&meta.value_ids);
    if (std::adjacent_find(meta.value_ids.begin(), meta.value_ids.end(),
                           std::greater_equal<uint32_t>()) !=
            meta.value_ids.end() ||
        (!meta.value_ids.empty() && meta.value_ids.back() >= values)) {
      in.Fail(absl::StrCat("the filter values of document ", doc));
    }
    const uint32_t dictionary = in.Get<uint32_t>();
    if (dictionary != kNoDictionary && dictionary >= dictionaries) {
      in.Fail(absl::StrCat("the record dictionary of document ", doc));
    }
    in.GetBytes(&record);
    if (!in.ok()) break;
    absl::StatusOr<std::shared_ptr<const StoredRecord>> stored =
        StoredRecord::Decode(record,
                             dictionary == kNoDictionary
                                 ? nullptr
                                 : image.store_dictionaries[dictionary]);
    if (!stored.ok()) {
      in.Fail(absl::StrCat("document ", doc, ": ", stored.status().message()));
      break;
    }
    const StoredRecord& stored_record = **stored;
    if (stored_record.id().empty() ||
        stored_record.seq() != corpus.ranks[doc].seq ||
        stored_record.seq() > applied_seq) {
      in.Fail(absl::StrCat("the record of document ", doc, " (seq ",
                           stored_record.seq(), ", in an image at seq ",
                           applied_seq, ")"));
      break;
    }
    meta.record = *std::move(stored);
  }
  const uint64_t retracted = in.Get<uint64_t>();
  // Each takes at least 16 bytes; the bound stops a damaged count from
  // reserving memory.
  if (retracted > kMaxArrayBytes / 16) in.Fail("too many retractions");
  if (!in.ok()) return in.status();
  image.retracted.resize(retracted);
  for (RetractedBulletin& bulletin : image.retracted) {
    in.GetBytes(&bulletin.id);
    bulletin.seq = in.Get<uint64_t>();
    if (!in.ok()) break;
    if (bulletin.id.empty() || bulletin.seq > applied_seq) {
      in.Fail(absl::StrCat("a retraction at seq ", bulletin.seq,
                           " in an image at seq ", applied_seq));
      break;
    }
  }
  if (!in.ok()) return in.status();
  return image;
}

}  // namespace bulletin
