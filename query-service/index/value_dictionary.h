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
// when each value had its own strings and vector, so it is packed: every folded and display string sits in one arena, the
// lookup table holds only 4-byte ids (hashing the arena's bytes), and the
// document lists as of the last Remap are varint gaps in one byte array,
// with documents added since kept per value until the next Remap.
//
// Thread-safety: none of its own; BulletinIndex guards it. Const methods
// only read.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_VALUE_DICTIONARY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_VALUE_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "query-service/index/field_values.h"

namespace bulletin {

class ValueDictionary {
 public:
  ValueDictionary();
  // Copies rebuild the lookup table, whose hashing reads this object's
  // arena.
  ValueDictionary(const ValueDictionary& other);
  ValueDictionary& operator=(const ValueDictionary& other);

  // The id of `value`, added (with its display form) if new.
  uint32_t Intern(const FieldValue& value);

  std::optional<uint32_t> Find(FacetField field, std::string_view folded) const;

  FacetField field(uint32_t id) const { return values_[id].field; }
  std::string_view display(uint32_t id) const;

  // Documents must be added in ascending order per value.
  void AddDocument(uint32_t id, uint32_t doc);
  // Appends the documents that have value `id`, ascending.
  void AppendDocuments(uint32_t id, std::vector<uint32_t>* out) const;

  // Renumbers documents after a compaction: `remap[old]` is the new number,
  // or kDropped for a document that is gone. Remapping must keep order.
  static constexpr uint32_t kDropped = 0xFFFFFFFFu;
  void Remap(const std::vector<uint32_t>& remap);

  size_t size() const { return values_.size(); }
  size_t MemoryBytes() const;

 private:
  // The value's folded form is arena_[text_offset, +folded_size); its
  // display form follows it, or is the folded form when display_size is
  // kSameAsFolded.
  struct Value {
    uint32_t text_offset;
    uint32_t folded_size;
    uint32_t display_size;
    FacetField field;
  };
  static constexpr uint32_t kSameAsFolded = 0xFFFFFFFFu;

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
  void RebuildIds();

  std::string arena_;
  std::vector<Value> values_;
  IdSet ids_;

  // Document lists as of the last Remap: value id v < frozen_offsets_.size()
  // - 1 owns frozen_docs_[frozen_offsets_[v], frozen_offsets_[v + 1]), the
  // first document as a varint, then varint gaps.
  std::vector<uint32_t> frozen_offsets_;
  std::string frozen_docs_;
  // Documents added since, by value id.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> recent_docs_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_VALUE_DICTIONARY_H_
