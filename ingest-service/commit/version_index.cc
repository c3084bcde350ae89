#include "ingest-service/commit/version_index.h"

#include "absl/strings/str_cat.h"

namespace bulletin {

absl::StatusOr<VersionIndex> VersionIndex::Rebuild(const BulletinLog& log) {
  VersionIndex index;
  const uint64_t head = log.head_seq();
  uint64_t applied = 0;
  while (applied < head) {
    absl::StatusOr<std::vector<v1::LogRecord>> records =
        log.Read(applied, /*max_records=*/1024);
    if (!records.ok()) return records.status();
    for (const v1::LogRecord& record : *records) {
      if (record.seq() != applied + 1) {
        return absl::DataLossError(
            absl::StrCat("log has a gap: after seq ", applied, " comes ",
                         record.seq(), "; refusing to start"));
      }
      index.Apply(record);
      applied = record.seq();
    }
  }
  return index;
}

const VersionIndex::Entry* VersionIndex::Find(absl::string_view id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

void VersionIndex::Apply(const v1::LogRecord& record) {
  switch (record.change_case()) {
    case v1::LogRecord::kUpsert: {
      Entry& entry = entries_[record.upsert().id()];
      if (!entry.live) ++live_count_;
      entry = Entry{record.version_digest(), record.seq(), true};
      break;
    }
    case v1::LogRecord::kRetraction: {
      auto it = entries_.find(record.retraction().id());
      if (it == entries_.end()) break;
      if (it->second.live) --live_count_;
      it->second.live = false;
      it->second.seq = record.seq();
      break;
    }
    case v1::LogRecord::CHANGE_NOT_SET:
      break;
  }
}

}  // namespace bulletin
