// Builders of log records for the ingest tests, and a way to append them
// without conditions.

#ifndef BULLETIN_TESTS_INGEST_LOG_RECORDS_H_
#define BULLETIN_TESTS_INGEST_LOG_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "bulletin/v1/log.pb.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin::testing {

// A record as the log returns it at `seq`. Appended, the seq is ignored: the
// log assigns its own.
inline v1::LogRecord UpsertRecord(uint64_t seq, const std::string& id,
                                  const std::string& digest) {
  v1::LogRecord record;
  record.set_seq(seq);
  record.set_version_digest(digest);
  record.mutable_upsert()->set_seq(seq);
  record.mutable_upsert()->set_id(id);
  record.mutable_upsert()->set_headline("headline " + id);
  return record;
}

// UpsertRecord of `version` of bulletin `id`, submitted as `source`.
inline v1::LogRecord UpsertWithSource(uint64_t seq, const std::string& id,
                                      int64_t version,
                                      const std::string& source) {
  v1::LogRecord record = UpsertRecord(seq, id, absl::StrCat("v", version));
  record.mutable_upsert()->set_version(version);
  record.mutable_upsert()->set_source_text(source);
  return record;
}

inline v1::LogRecord RetractionRecord(uint64_t seq, const std::string& id) {
  v1::LogRecord record;
  record.set_seq(seq);
  record.mutable_retraction()->set_id(id);
  return record;
}

// Appends `records` in order without conditions; their seqs, or the first
// failure.
inline absl::StatusOr<std::vector<uint64_t>> AppendRecords(
    BulletinLog& log, const std::vector<v1::LogRecord>& records) {
  std::vector<LogAppend> entries(records.size());
  for (size_t i = 0; i < records.size(); ++i) entries[i].record = records[i];
  absl::StatusOr<std::vector<AppendOutcome>> outcomes = log.Append(entries);
  if (!outcomes.ok()) return outcomes.status();
  std::vector<uint64_t> seqs;
  for (const AppendOutcome& outcome : *outcomes) {
    if (!outcome.status.ok()) return outcome.status;
    seqs.push_back(outcome.seq);
  }
  return seqs;
}

inline v1::Bulletin BulletinWithId(const std::string& id) {
  v1::Bulletin bulletin;
  bulletin.set_id(id);
  bulletin.set_headline("headline " + id);
  return bulletin;
}

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_INGEST_LOG_RECORDS_H_
