#include "common/record/bulletin_id.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(BulletinIdTest, ContentIdIsStableAndWellFormed) {
  const std::string id = ContentId("为新时代新征程汇聚力量");
  EXPECT_EQ(id, ContentId("为新时代新征程汇聚力量"));
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
}

TEST(BulletinIdTest, DifferentTextsGetDifferentIds) {
  EXPECT_NE(ContentId("忠县政协"), ContentId("忠县政协 "));
}

TEST(BulletinIdTest, DerivationsAreDomainSeparated) {
  EXPECT_NE(ContentId("x"), ExternalIdToId("", "x"));
  EXPECT_NE(ContentId("x"), VersionDigest("x"));
  EXPECT_NE(ExternalIdToId("", "x"), VersionDigest("x"));
}

// Sources scope external ids: equal external ids of two sources are two
// bulletins, and neither collides with the default source's.
TEST(BulletinIdTest, ExternalIdsAreScopedBySource) {
  EXPECT_NE(ExternalIdToId("cms-a", "42"), ExternalIdToId("cms-b", "42"));
  EXPECT_NE(ExternalIdToId("cms-a", "42"), ExternalIdToId("", "42"));
  EXPECT_EQ(ExternalIdToId("cms-a", "42"), ExternalIdToId("cms-a", "42"));
}

TEST(BulletinIdTest, KnownValueDoesNotDrift) {
  // Ids are stored in logs and held by clients: the derivation must never
  // change. SHA-256("bulletin-content\n") truncated to 8 bytes.
  EXPECT_EQ(ContentId(""), "1e34dcbca20f41b2");
  // The default source keeps the ids external ids had before sources.
  // SHA-256("bulletin-external-id\ncms-2021-1123-07") truncated.
  EXPECT_EQ(ExternalIdToId("", "cms-2021-1123-07"), "d7bc2e9225901023");
}

}  // namespace
}  // namespace bulletin
