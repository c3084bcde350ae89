#include "ingest-service/commit/version_index.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace bulletin {

absl::StatusOr<VersionIndex> VersionIndex::Rebuild(const BulletinLog& log) {
  VersionIndex index;
  absl::Status caught_up = index.CatchUp(log);
  if (!caught_up.ok()) return caught_up;
  return index;
}

absl::Status VersionIndex::CatchUp(const BulletinLog& log) {
  const uint64_t head = log.head_seq();
  while (applied_seq_ < head) {
    absl::StatusOr<std::vector<v1::LogRecord>> records =
        log.Read(applied_seq_, /*max_records=*/1024);
    if (!records.ok()) return records.status();
    if (records->empty()) break;  // The records up to head were compacted.
    for (const v1::LogRecord& record : *records) {
      if (record.seq() <= applied_seq_) {
        return absl::DataLossError(
            absl::StrCat("log went backwards: after seq ", applied_seq_,
                         " came ", record.seq()));
      }
      Apply(record);
      applied_seq_ = record.seq();
    }
  }
  applied_seq_ = std::max(applied_seq_, head);
  return absl::OkStatus();
}

const VersionIndex::Entry* VersionIndex::Find(absl::string_view id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

namespace {

// The requests `record` remembers, the one that wrote it given its seq.
std::vector<v1::RequestOutcome> RequestsOf(const v1::LogRecord& record) {
  std::vector<v1::RequestOutcome> requests(record.requests().begin(),
                                           record.requests().end());
  for (v1::RequestOutcome& request : requests) {
    if (request.seq() == 0) request.set_seq(record.seq());
  }
  return requests;
}

}  // namespace

void VersionIndex::Apply(const v1::LogRecord& record) {
  switch (record.change_case()) {
    case v1::LogRecord::kUpsert: {
      Entry& entry = entries_[record.upsert().id()];
      if (entry.seq >= record.seq()) break;
      if (!entry.live) ++live_count_;
      const int64_t version = record.upsert().version() > 0
                                  ? record.upsert().version()
                                  : entry.version + 1;
      entry = Entry{record.version_digest(),  record.seq(),      true, version,
                    record.upsert().source(), RequestsOf(record)};
      break;
    }
    case v1::LogRecord::kRetraction: {
      Entry& entry = entries_[record.retraction().id()];
      if (entry.seq >= record.seq()) break;
      if (entry.live) --live_count_;
      entry.live = false;
      entry.seq = record.seq();
      if (record.retraction().version() > 0) {
        entry.version = record.retraction().version();
      }
      entry.requests = RequestsOf(record);
      break;
    }
    case v1::LogRecord::CHANGE_NOT_SET:
      break;
  }
}

void VersionIndex::MarkAppliedThrough(uint64_t seq) {
  applied_seq_ = std::max(applied_seq_, seq);
}

}  // namespace bulletin
