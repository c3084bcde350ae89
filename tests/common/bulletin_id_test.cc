#include "common/record/bulletin_id.h"

#include "gtest/gtest.h"

namespace bulletin {
namespace {

TEST(BulletinIdTest, ContentIdIsStableAndWellFormed) {
  const std::string id = ContentId("为新时代新征程汇聚力量");
  EXPECT_EQ(id, ContentId("为新时代新征程汇聚力量"));
  EXPECT_TRUE(LooksLikeBulletinId(id)) << id;
}

TEST(BulletinIdTest, DifferentTextsGetDifferentIds) {
  EXPECT_NE(ContentId("忠县政协"), ContentId("忠县政协 "));
}

TEST(BulletinIdTest, DerivationsAreDomainSeparated) {
  EXPECT_NE(ContentId("x"), ExternalIdToId("x"));
  EXPECT_NE(ContentId("x"), VersionDigest("x"));
  EXPECT_NE(ExternalIdToId("x"), VersionDigest("x"));
}

TEST(BulletinIdTest, KnownValueDoesNotDrift) {
  // Ids are stored in logs and held by clients: the derivation must never
  // change. SHA-256("bulletin-content\n") truncated to 8 bytes.
  EXPECT_EQ(ContentId(""), "1e34dcbca20f41b2");
}

TEST(LooksLikeBulletinIdTest, RejectsOtherShapes) {
  EXPECT_FALSE(LooksLikeBulletinId(""));
  EXPECT_FALSE(LooksLikeBulletinId("5015a53f3f76cdc"));
  EXPECT_FALSE(LooksLikeBulletinId("5015A53F3F76CDC6"));
  EXPECT_FALSE(LooksLikeBulletinId("5015a53f3f76cdcg"));
  EXPECT_TRUE(LooksLikeBulletinId("5015a53f3f76cdc6"));
}

}  // namespace
}  // namespace bulletin
