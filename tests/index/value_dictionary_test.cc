// ValueDictionary: interning, lookup, display forms and document lists
// through appends, seals and freezes.

#include "query-service/index/store/value_dictionary.h"

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

TEST(ValueDictionaryTest, KeepsDocumentsAcrossFreezes) {
  ValueDictionary dictionary;
  const uint32_t a = dictionary.Intern({FacetField::kRegion, "a", "A"});
  const uint32_t b = dictionary.Intern({FacetField::kRegion, "b", "b"});
  dictionary.AddDocument(a, 0);
  dictionary.AddDocument(a, 300);  // a gap of two varint bytes
  dictionary.AddDocument(b, 1);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 300));

  // While a freeze is built, the sealed lists are still read, and
  // documents added meanwhile follow them.
  const ValueDictionary::Sealed sealed = dictionary.Seal();
  const uint32_t c = dictionary.Intern({FacetField::kRegion, "c", "c"});
  dictionary.AddDocument(a, 400);
  dictionary.AddDocument(c, 401);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 300, 400));
  EXPECT_THAT(DocumentsOf(dictionary, b), ElementsAre(1));

  // Document 1 is dropped by this freeze; numbers are kept.
  std::vector<bool> dead(2);
  dead[1] = true;
  dictionary.Install(ValueDictionary::Freeze(sealed, dead));
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 300, 400));
  EXPECT_THAT(DocumentsOf(dictionary, b), IsEmpty());
  EXPECT_THAT(DocumentsOf(dictionary, c), ElementsAre(401));

  // A value interned after the seal gets its frozen list at the next one.
  dictionary.Install(ValueDictionary::Freeze(dictionary.Seal(), {}));
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(0, 300, 400));
  EXPECT_THAT(DocumentsOf(dictionary, c), ElementsAre(401));
  dictionary.AddDocument(c, 402);
  EXPECT_THAT(DocumentsOf(dictionary, c), ElementsAre(401, 402));
}

TEST(ValueDictionaryTest, FreezeReadsOnlyWhatWasSealed) {
  ValueDictionary dictionary;
  const uint32_t a = dictionary.Intern({FacetField::kRegion, "a", "a"});
  dictionary.AddDocument(a, 7);
  const ValueDictionary::Sealed sealed = dictionary.Seal();
  dictionary.AddDocument(a, 8);
  const std::shared_ptr<const ValueDictionary::FrozenLists> frozen =
      ValueDictionary::Freeze(sealed, {});
  // The frozen lists hold document 7 only; 8 stays in the recent lists.
  ASSERT_EQ(frozen->offsets.size(), 2u);
  EXPECT_EQ(frozen->docs, std::string(1, '\x07'));
  dictionary.Install(frozen);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(7, 8));

  // Nothing added or dropped since: the frozen lists are kept, not copied.
  dictionary.Install(ValueDictionary::Freeze(dictionary.Seal(), {}));
  const ValueDictionary::Sealed idle = dictionary.Seal();
  EXPECT_EQ(ValueDictionary::Freeze(idle, {}), idle.frozen);
  dictionary.Install(idle.frozen);
  EXPECT_THAT(DocumentsOf(dictionary, a), ElementsAre(7, 8));
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
