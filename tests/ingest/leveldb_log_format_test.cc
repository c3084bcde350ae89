#include "ingest-service/log/leveldb_log_format.h"

#include <string>

#include "bulletin/v1/log.pb.h"
#include "gtest/gtest.h"

namespace bulletin::leveldb_log {
namespace {

// A record whose upsert holds its id, then a headline: cut at the
// headline's start, the upsert's bytes end on a field's end.
struct Serialized {
  std::string whole;
  size_t headline_bytes = 0;
};

Serialized RecordWithHeadline() {
  v1::Bulletin headline_only;
  headline_only.set_headline("重庆市渝中区政协召开常委会议");
  v1::LogRecord record;
  record.set_seq(7);
  record.mutable_upsert()->set_id("0a1b2c");
  record.mutable_upsert()->set_headline(headline_only.headline());
  return Serialized{record.SerializeAsString(),
                    headline_only.SerializeAsString().size()};
}

TEST(BulletinIdOfSerializedTest, ReadsTheIdOfAnUpsertAndOfARetraction) {
  std::string id;
  ASSERT_TRUE(BulletinIdOfSerialized(RecordWithHeadline().whole, &id));
  EXPECT_EQ(id, "0a1b2c");

  v1::LogRecord retraction;
  retraction.set_seq(9);
  retraction.mutable_retraction()->set_id("ffee01");
  ASSERT_TRUE(BulletinIdOfSerialized(retraction.SerializeAsString(), &id));
  EXPECT_EQ(id, "ffee01");
}

TEST(BulletinIdOfSerializedTest, ARecordCutShortIsNotARecord) {
  const Serialized record = RecordWithHeadline();
  // The upsert is the record's last field, so this cut leaves its length
  // claiming the headline's bytes, which are gone; what is left ends on a
  // field's end.
  const std::string cut =
      record.whole.substr(0, record.whole.size() - record.headline_bytes);
  std::string id;
  EXPECT_FALSE(BulletinIdOfSerialized(cut, &id));
  // And a cut inside a field.
  EXPECT_FALSE(BulletinIdOfSerialized(
      record.whole.substr(0, record.whole.size() - 3), &id));
}

}  // namespace
}  // namespace bulletin::leveldb_log
