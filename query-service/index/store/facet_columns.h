// What facet counting reads of every match, laid out by document number:
// which documents are live (a bit each), and, for the fields whose values
// are few in all and few per bulletin and which the search page counts on
// every search (region, date), each document's values as small codes in a
// column. Counting a field over a million matches is then a sequential
// read of the column and an increment in a dense array per value, where
// reading each match's value ids (DocumentMeta::value_ids: dozens of every
// field, behind a pointer) cost a cache miss or more a match.
//
//   FacetColumns columns;
//   columns.Add(doc, meta.value_ids, dictionary);  // each document, in order
//   columns.Remove(doc);                           // it died
//   if (const FacetColumns::Column* region =
//           columns.column(FacetField::kRegion)) {
//     for (uint32_t code : region->CodesOf(doc)) ++counts[code];
//     // code c is value dictionary.ids_of(FacetField::kRegion)[c]
//   }
//
// A code is the value's place among its field's values in the dictionary
// (ValueDictionary::ids_of), so a count array of a field is as long as its
// values and no table maps codes back. Document numbers only grow and a
// document's values never change (a correction is a new document), so the
// columns only grow: a dead document keeps its codes, which no count reads
// (its live bit is clear), and each value's live count (Column::live) is
// kept as documents come and go, so that counting the complement of a
// query matching most of the archive starts from it.
//
// Nothing of it is in a snapshot: a load rebuilds it from the documents'
// value ids (BulletinIndex), reading each once.
//
// Thread-safety: none of its own; BulletinIndex guards it. Const methods
// only read.

#ifndef BULLETIN_QUERY_SERVICE_INDEX_STORE_FACET_COLUMNS_H_
#define BULLETIN_QUERY_SERVICE_INDEX_STORE_FACET_COLUMNS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "query-service/index/store/field_values.h"
#include "query-service/index/store/value_dictionary.h"

namespace bulletin {

class FacetColumns {
 public:
  // Whether `field` has a column: region and date. Their values are few
  // (tens of thousands at a million bulletins at most) and a bulletin has
  // few of them, so a dense count array per search and a code per value a
  // document are cheap, and the search page asks for both on every
  // search. People, titles, organizations and reporters (hundreds of
  // thousands of values, several a bulletin) are counted from the
  // dictionary (facets.h), and so are the fields no page counts on every
  // search (organization kind, province, series), whose columns would
  // cost memory (4 bytes a document and a value each) for no common
  // search.
  static bool Columned(FacetField field);

  struct Column {
    // Document d's codes are codes[offsets[d], offsets[d + 1]), ascending.
    std::vector<uint32_t> offsets{0};
    std::vector<uint32_t> codes;
    // Per code, the live documents that have it.
    std::vector<uint32_t> live;

    absl::Span<const uint32_t> CodesOf(uint32_t doc) const {
      return absl::MakeConstSpan(codes.data() + offsets[doc],
                                 offsets[doc + 1] - offsets[doc]);
    }
  };

  FacetColumns();

  // The next document, numbered documents(), live, with `value_ids` (its
  // DocumentMeta::value_ids) interned in `dictionary`.
  void Add(uint32_t doc, absl::Span<const uint32_t> value_ids,
           const ValueDictionary& dictionary);
  // The next document, dead (a restored index's): no values, never live.
  void AddDead(uint32_t doc);
  // Live document `doc` died.
  void Remove(uint32_t doc);

  // Null when `field` has no column.
  const Column* column(FacetField field) const {
    return columns_[static_cast<int>(field)].get();
  }
  // Bit d % 64 of word d / 64 is set when document d is live; a word for
  // every 64 documents.
  const std::vector<uint64_t>& live_bits() const { return live_bits_; }
  size_t documents() const { return documents_; }

  size_t MemoryBytes() const;

  // Gives back the slack the tables kept for growth (they grow by
  // doubling), as BulletinIndex::Compact does for its other per-document
  // tables.
  void ShrinkToFit();

 private:
  // Gives a code to every value the dictionary added since the last call.
  void Learn(const ValueDictionary& dictionary);

  std::unique_ptr<Column> columns_[kFacetFieldCount];
  std::vector<uint64_t> live_bits_;
  size_t documents_ = 0;
  // Where a columned value's code goes: its column and code. Most of a
  // document's value ids are of other fields (people's names), so a bit
  // per dictionary id (a few hundred KB at a million bulletins, where the
  // map is larger and slower) answers first.
  struct Coded {
    uint32_t field;
    uint32_t code;
  };
  std::vector<uint64_t> columned_ids_;
  absl::flat_hash_map<uint32_t, Coded> codes_;
  // Per columned field, how many of its values have a code.
  size_t learned_[kFacetFieldCount] = {};
  size_t learned_values_ = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_INDEX_STORE_FACET_COLUMNS_H_
