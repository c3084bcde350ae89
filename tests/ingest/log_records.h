// Builders of log records for the ingest tests.

#ifndef BULLETIN_TESTS_INGEST_LOG_RECORDS_H_
#define BULLETIN_TESTS_INGEST_LOG_RECORDS_H_

#include <cstdint>
#include <string>

#include "bulletin/v1/log.pb.h"

namespace bulletin::testing {

inline v1::LogRecord UpsertRecord(uint64_t seq, const std::string& id,
                                  const std::string& digest) {
  v1::LogRecord record;
  record.set_seq(seq);
  record.set_version_digest(digest);
  record.mutable_upsert()->set_id(id);
  record.mutable_upsert()->set_seq(seq);
  record.mutable_upsert()->set_headline("headline " + id);
  return record;
}

inline v1::LogRecord RetractionRecord(uint64_t seq, const std::string& id) {
  v1::LogRecord record;
  record.set_seq(seq);
  record.mutable_retraction()->set_id(id);
  return record;
}

inline v1::Bulletin BulletinWithId(const std::string& id) {
  v1::Bulletin bulletin;
  bulletin.set_id(id);
  bulletin.set_headline("headline " + id);
  return bulletin;
}

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INGEST_LOG_RECORDS_H_
