// ValueDictionary: interning, lookup, display forms and document lists
// through appends, remaps and copies.

#include "query-service/index/value_dictionary.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace bulletin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<uint32_t> DocumentsOf(const ValueDictionary& dictionary,
                                  uint32_t id) {
  std::vector<uint32_t> docs;
  dictionary.AppendDocuments(id, &docs);
  return docs;
}

TEST(ValueDictionaryTest, InternsOncePerFieldAndFoldedValue) {
  ValueDictionary dictionary;
  const uint32_t region =
      dictionary.Intern({FacetField::kRegion, "忠县", "忠縣"});
  const uint32_t again =
      dictionary.Intern({FacetField::kRegion, "忠县", "忠县"});
  const uint32_t person =
      dictionary.Intern({FacetField::kPerson, "忠县", "忠县"});
  EXPECT_EQ(region, again);
  EXPECT_NE(region, person);
  EXPECT_EQ(dictionary.size(), 2u);
  // The display form is the first one written.
  EXPECT_EQ(dictionary.display(region), "忠縣");
  EXPECT_EQ(dictionary.display(person), "忠县");
  EXPECT_EQ(dictionary.field(region), FacetField::kRegion);
  EXPECT_EQ(dictionary.field(person), FacetField::kPerson);
}

TEST(ValueDictionaryTest, FindsOnlyWhatWasInterned) {
  ValueDictionary dictionary;
  const uint32_t id = dictionary.Intern({FacetField::kTitle, "书记", "書記"});
  EXPECT_EQ(dictionary.Find(FacetField::kTitle, "书记"), id);
  EXPECT_EQ(dictionary.Find(FacetField::kTitle, "書記"), std::nullopt);
  EXPECT_EQ(dictionary.Find(FacetField::kPerson, "书记"), std::nullopt);
  EXPECT_EQ(dictionary.Find(FacetField::kTitle, "书"), std::nullopt);
  EXPECT_EQ(dictionary.Find(FacetField::kTitle, ""), std::nullopt);
}

TEST(ValueDictionaryTest, KeepsDocumentsAcrossRemaps) {
  ValueDictionary dictionary;
  const uint32_t a = dictionary.Intern({FacetField::kRegion, "a", "A"});
  const uint32_t b = dictionary.Intern({FacetField::kRegion, "b", "b"});
  dictionary.AddDocument(a, 0);
  dictionary.AddDocument(a, 300);  // a gap of two varint bytes
  dictionary.AddDocument(b, 1);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 300));

  // Document 1 is dropped; the others close up.
  std::vector<uint32_t> remap(400);
  for (uint32_t d = 0; d < remap.size(); ++d) remap[d] = d == 0 ? 0 : d - 1;
  remap[1] = ValueDictionary::kDropped;
  dictionary.Remap(remap);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 299));
  EXPECT_THAT(DocumentsOf(dictionary, b), IsEmpty());

  // Documents added after a remap follow the remapped ones, and values
  // interned after it have lists of their own.
  const uint32_t c = dictionary.Intern({FacetField::kRegion, "c", "c"});
  dictionary.AddDocument(a, 400);
  dictionary.AddDocument(c, 401);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 299, 400));
  EXPECT_THAT(DocumentsOf(dictionary, c), ElementsAre(401));
  std::vector<uint32_t> identity(402);
  for (uint32_t d = 0; d < identity.size(); ++d) identity[d] = d;
  dictionary.Remap(identity);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 299, 400));
  EXPECT_THAT(DocumentsOf(dictionary, c), ElementsAre(401));
}

TEST(ValueDictionaryTest, CopiesAreIndependentAndSearchable) {
  auto original = std::make_unique<ValueDictionary>();
  const uint32_t id = original->Intern({FacetField::kSeries, "x", "X"});
  original->AddDocument(id, 5);
  ValueDictionary copy = *original;
  ValueDictionary assigned;
  assigned = *original;
  original->AddDocument(id, 6);
  // The copies' lookups must not read the original's strings.
  original.reset();
  for (const ValueDictionary* d : {&copy, &assigned}) {
    EXPECT_EQ(d->Find(FacetField::kSeries, "x"), id);
    EXPECT_EQ(d->display(id), "X");
    EXPECT_THAT(DocumentsOf(*d, id), ElementsAre(5));
    EXPECT_EQ(d->Find(FacetField::kSeries, "y"), std::nullopt);
  }
  EXPECT_EQ(copy.Intern({FacetField::kSeries, "y", "y"}), 1u);
  EXPECT_EQ(copy.Find(FacetField::kSeries, "y"), 1u);
}

TEST(ValueDictionaryTest, ManyValuesStayFindable) {
  ValueDictionary dictionary;
  for (int i = 0; i < 5000; ++i) {
    const std::string name = "人" + std::to_string(i);
    EXPECT_EQ(dictionary.Intern({FacetField::kPerson, name, name}),
              static_cast<uint32_t>(i));
  }
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(dictionary.Find(FacetField::kPerson, "人" + std::to_string(i)),
              static_cast<uint32_t>(i));
  }
  EXPECT_GT(dictionary.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace bulletin
