// The distinct values of the filter and facet fields (field_values.h), each
// with an id and the ascending list of documents that have it: the inverted
// index behind filters, and the names behind facet counts.
//
//   uint32_t id = dictionary.Intern(value);
//   dictionary.AddDocument(id, doc);
//   if (auto found = dictionary.Find(FacetField::kRegion, "忠县")) ...
//
// Tens of thousands of values (mostly people's names) and hundreds of
// thousands of (value, document) pairs made this a quarter of the index
// when each value had its own strings and vector, so it is packed: every
// folded and display string sits in one arena, the lookup table holds only
// 4-byte ids (hashing the arena's bytes), and the frozen document lists are
// varint gaps in one byte array. Documents added since are kept per value;
// like GramIndex, the dictionary seals them, freezes them into new frozen
// lists on any thread, and installs the result.
//
// Thread-safety: none of its own; BulletinIndex guards it. Const methods
// only read. Freeze reads only its argument, which nothing changes.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_VALUE_DICTIONARY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_VALUE_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "query-service/index/store/field_values.h"

namespace bulletin {

class ValueDictionary {
 public:
  ValueDictionary();
  // Not copyable or movable: the lookup table's hashing reads this
  // object's arena through a pointer to it.
  ValueDictionary(const ValueDictionary&) = delete;
  ValueDictionary& operator=(const ValueDictionary&) = delete;

  // The id of `value`, added (with its display form) if new.
  uint32_t Intern(const FieldValue& value);

  std::optional<uint32_t> Find(FacetField field, std::string_view folded) const;

  FacetField field(uint32_t id) const { return values_[id].field; }
  // The ids of `field`'s values, ascending: what a facet of that field
  // counts, without visiting the other fields' (millions of) values.
  const std::vector<uint32_t>& ids_of(FacetField field) const {
    return field_ids_[static_cast<int>(field)];
  }
  std::string_view display(uint32_t id) const;

  // Documents must be added in ascending order per value. The document
  // counts as live (below) until RemoveLive.
  void AddDocument(uint32_t id, uint32_t doc);

  // Live documents per value, and (value, live document) pairs per field:
  // what facet counting plans by (facets.h), kept as documents come and
  // go while their postings stay until a freeze. RemoveLive: a live
  // document with value `id` died. AddLive: a live document of a restored
  // index has value `id` (Restore counts none); false when there is no
  // such value.
  void RemoveLive(uint32_t id);
  bool AddLive(uint32_t id);
  uint32_t live_documents(uint32_t id) const { return live_[id]; }
  int64_t live_pairs(FacetField field) const {
    return live_pairs_[static_cast<int>(field)];
  }
  // Appends the documents that have value `id`, ascending.
  void AppendDocuments(uint32_t id, std::vector<uint32_t>* out) const;
  // How many documents with value `id` are marked in `marked` (bit d % 64
  // of word d / 64 for document d; every document of the index has a
  // word), reading its lists in place; *read is set to how many documents
  // the lists hold (dead ones included, until a freeze drops them).
  int64_t CountMarked(uint32_t id, const std::vector<uint64_t>& marked,
                      int64_t* read) const;

  // Document lists, frozen: value id v < offsets.size() - 1 owns
  // docs[offsets[v], offsets[v + 1]), the first document as a varint, then
  // varint gaps.
  struct FrozenLists {
    std::vector<uint32_t> offsets{0};
    std::string docs;
  };
  // Documents added since, by value id.
  using RecentLists = absl::flat_hash_map<uint32_t, std::vector<uint32_t>>;
  // What Freeze merges: the frozen lists and the recent ones Seal set aside.
  struct Sealed {
    std::shared_ptr<const FrozenLists> frozen;
    std::shared_ptr<const RecentLists> recent;
  };

  // Sets the recent lists aside for Freeze; they are read until Install.
  Sealed Seal();
  // The frozen lists holding everything in `sealed`, without the documents
  // d for which dead[d] (d < dead.size()). Reads nothing else.
  static std::shared_ptr<const FrozenLists> Freeze(
      const Sealed& sealed, const std::vector<bool>& dead);
  // Replaces the frozen and sealed lists with Freeze's result for the last
  // Seal().
  void Install(std::shared_ptr<const FrozenLists> frozen);

  size_t size() const { return values_.size(); }
  size_t MemoryBytes() const;

  // The value's folded form is arena[text_offset, +folded_size); its
  // display form follows it, or is the folded form when display_size is
  // kSameAsFolded.
  struct Value {
    uint32_t text_offset;
    uint32_t folded_size;
    uint32_t display_size;
    FacetField field;
  };
  static constexpr uint32_t kSameAsFolded = 0xFFFFFFFFu;

  // Everything the dictionary holds, for a snapshot (bulletin_index.h):
  // the values copied, the frozen and sealed lists shared, the recent ones
  // copied, so that MergeLists can run on any thread meanwhile.
  struct Contents {
    std::string arena;
    std::vector<Value> values;
    std::shared_ptr<const FrozenLists> frozen;
    std::shared_ptr<const RecentLists> sealed;  // null when none
    std::shared_ptr<const RecentLists> recent;
  };
  Contents CopyContents() const;
  // The document lists of every tier in one, without the documents d for
  // which dead[d].
  static std::shared_ptr<const FrozenLists> MergeLists(
      const Contents& contents, const std::vector<bool>& dead);
  // Starts an empty dictionary from a snapshot's values and lists;
  // DATA_LOSS if they do not fit together, when what it holds is no longer
  // of use (its index is cleared).
  absl::Status Restore(std::string arena, std::vector<Value> values,
                       std::shared_ptr<const FrozenLists> lists);

 private:
  // What Find looks up: a value not (yet) in the arena.
  struct Probe {
    FacetField field;
    std::string_view folded;
  };
  // Hash and equality of ids by their (field, folded form), so that the
  // table stores ids alone. They read the dictionary they belong to.
  struct IdHash {
    using is_transparent = void;
    const ValueDictionary* dictionary;
    size_t operator()(uint32_t id) const;
    size_t operator()(const Probe& probe) const;
  };
  struct IdEq {
    using is_transparent = void;
    const ValueDictionary* dictionary;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t id, const Probe& probe) const;
    bool operator()(const Probe& probe, uint32_t id) const {
      return (*this)(id, probe);
    }
  };
  using IdSet = absl::flat_hash_set<uint32_t, IdHash, IdEq>;

  std::string_view folded(uint32_t id) const {
    return std::string_view(arena_).substr(values_[id].text_offset,
                                           values_[id].folded_size);
  }

  std::string arena_;
  std::vector<Value> values_;
  // Per field, its values' ids; see ids_of.
  std::vector<uint32_t> field_ids_[kFacetFieldCount];
  // Per value id, and per field; see live_documents.
  std::vector<uint32_t> live_;
  int64_t live_pairs_[kFacetFieldCount] = {};
  IdSet ids_;

  // Immutable and shared with a running Freeze.
  std::shared_ptr<const FrozenLists> frozen_;
  std::shared_ptr<const RecentLists> sealed_;  // null when none
  RecentLists recent_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_VALUE_DICTIONARY_H_
