// The distinct values of the filter and facet fields (field_values.h), each
// with an id and the ascending list of documents that have it: the inverted
// index behind filters, and the names behind facet counts.
//
//   uint32_t id = dictionary.Intern(value);
//   dictionary.AddDocument(id, doc);
//   if (auto found = dictionary.Find(FacetField::kRegion, "忠县")) ...
//
// Thread-safety: none of its own; BulletinIndex guards it.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_VALUE_DICTIONARY_H_
#define BULLETIN_QUERY_SERVICE_INDEX_VALUE_DICTIONARY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "query-service/index/field_values.h"

namespace bulletin {

class ValueDictionary {
 public:
  // The id of `value`, added (with its display form) if new.
  uint32_t Intern(const FieldValue& value);

  std::optional<uint32_t> Find(FacetField field, std::string_view folded) const;

  FacetField field(uint32_t id) const { return values_[id].field; }
  const std::string& display(uint32_t id) const { return values_[id].display; }

  // Documents must be added in ascending order.
  void AddDocument(uint32_t id, uint32_t doc) {
    values_[id].documents.push_back(doc);
  }
  const std::vector<uint32_t>& documents(uint32_t id) const {
    return values_[id].documents;
  }
  // Renumbers documents after a compaction: `remap[old]` is the new number,
  // or kDropped for a document that is gone.
  static constexpr uint32_t kDropped = 0xFFFFFFFFu;
  void Remap(const std::vector<uint32_t>& remap);

  size_t size() const { return values_.size(); }
  size_t MemoryBytes() const;

 private:
  struct Value {
    FacetField field;
    std::string display;
    std::vector<uint32_t> documents;
  };
  static std::string Key(FacetField field, std::string_view folded);

  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<Value> values_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_VALUE_DICTIONARY_H_
