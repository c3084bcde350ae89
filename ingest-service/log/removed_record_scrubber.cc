#include "ingest-service/log/removed_record_scrubber.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "leveldb/write_batch.h"

namespace bulletin {

RemovedRecordScrubber::RemovedRecordScrubber(leveldb::DB* db,
                                             absl::Duration interval)
    : db_(db), interval_(interval), thread_([this] { Run(); }) {}

RemovedRecordScrubber::~RemovedRecordScrubber() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
  }
  changed_.SignalAll();
  thread_.join();
}

void RemovedRecordScrubber::NoteRemoved(std::string key, std::string pending) {
  {
    MutexLock lock(&mutex_);
    if (noted_.empty()) oldest_ = absl::Now();
    noted_.push_back(Removed{std::move(key), std::move(pending)});
  }
  changed_.SignalAll();
}

absl::Status RemovedRecordScrubber::ScrubNow() {
  MutexLock pass_lock(&pass_mutex_);
  std::vector<Removed> removed;
  {
    MutexLock lock(&mutex_);
    removed.swap(noted_);
  }
  if (removed.empty()) return absl::OkStatus();
  absl::Status scrubbed = Scrub(removed);
  if (!scrubbed.ok()) {
    MutexLock lock(&mutex_);
    if (noted_.empty()) oldest_ = absl::Now();
    noted_.insert(noted_.end(), std::make_move_iterator(removed.begin()),
                  std::make_move_iterator(removed.end()));
  }
  return scrubbed;
}

absl::Status RemovedRecordScrubber::Scrub(const std::vector<Removed>& removed) {
  const auto [first, last] = std::minmax_element(
      removed.begin(), removed.end(),
      [](const Removed& a, const Removed& b) { return a.key < b.key; });
  const leveldb::Slice begin(first->key);
  const leveldb::Slice end(last->key);
  // 1. Flushes the memtable, so every record and its deletion are in table
  //    files, and compacts what lies above the deepest file in the range.
  db_->CompactRange(&begin, &end);
  // 2. A newer deletion of each key, in a memtable of its own: flushed, it
  //    lands above every file that may still hold the record.
  leveldb::WriteBatch again;
  for (const Removed& entry : removed) again.Delete(entry.key);
  leveldb::Status written = db_->Write(leveldb::WriteOptions(), &again);
  if (!written.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot scrub removed log records: ", written.ToString()));
  }
  // 3. Merges those deletions down through every file in the range: the
  //    records' bytes are dropped and the files that held them deleted.
  db_->CompactRange(&begin, &end);
  // Only now is the work done that a restart would otherwise redo.
  leveldb::WriteBatch done;
  for (const Removed& entry : removed) done.Delete(entry.pending);
  leveldb::WriteOptions synced;
  synced.sync = true;
  written = db_->Write(synced, &done);
  if (!written.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "cannot record scrubbed log records: ", written.ToString()));
  }
  return absl::OkStatus();
}

void RemovedRecordScrubber::Run() {
  while (true) {
    {
      MutexLock lock(&mutex_);
      changed_.Wait(&mutex_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
        return stopping_ || !noted_.empty();
      });
      if (stopping_) return;
      // Until `interval` after the oldest noted key, unless ScrubNow took
      // them meanwhile.
      changed_.WaitUntil(&mutex_, oldest_ + interval_,
                         [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                           return stopping_ || noted_.empty();
                         });
      if (stopping_) return;
      if (noted_.empty()) continue;
    }
    // A failed pass keeps its keys; the next one retries them (a failed
    // write also stops the log, see LevelDbLog).
    ScrubNow().IgnoreError();
  }
}

}  // namespace bulletin
