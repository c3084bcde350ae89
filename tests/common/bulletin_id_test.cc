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
  EXPECT_NE(ContentId("x"), ExternalIdToId("x"));
  EXPECT_NE(ContentId("x"), VersionDigest("x"));
  EXPECT_NE(ExternalIdToId("x"), VersionDigest("x"));
}

TEST(BulletinIdTest, KnownValueDoesNotDrift) {
  // Ids are stored in logs and held by clients: the derivation must never
  // change. SHA-256("bulletin-content\n") truncated to 8 bytes.
  EXPECT_EQ(ContentId(""), "1e34dcbca20f41b2");
}

}  // namespace
}  // namespace bulletin
