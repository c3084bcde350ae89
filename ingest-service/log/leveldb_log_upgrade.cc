#include "ingest-service/log/leveldb_log_upgrade.h"

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "ingest-service/log/leveldb_log_format.h"
#include "leveldb/write_batch.h"

namespace bulletin::leveldb_log {
namespace {

// The writes of one pass, gathered into chunks: each is written, synced,
// once it holds `chunk_bytes`, and the rest when the pass ends.
class Chunks {
 public:
  Chunks(leveldb::DB* db, const std::string& directory,
         const UpgradeOptions& options)
      : db_(db), directory_(directory), options_(options) {}

  leveldb::WriteBatch& batch() { return batch_; }

  // Writes the chunk if it is full.
  absl::Status WriteIfFull() {
    if (batch_.ApproximateSize() < options_.chunk_bytes) {
      return absl::OkStatus();
    }
    return Write();
  }

  // Ends a pass whose scan was `it`: its error, or the last chunk written.
  absl::Status Finish(const leveldb::Iterator& it) {
    if (!it.status().ok()) {
      return FromLevelDb(
          it.status(), absl::StrCat("cannot upgrade the log in ", directory_));
    }
    if (batch_.ApproximateSize() == leveldb::WriteBatch().ApproximateSize()) {
      return absl::OkStatus();
    }
    return Write();
  }

 private:
  absl::Status Write() {
    const size_t bytes = batch_.ApproximateSize();
    absl::Status written =
        FromLevelDb(db_->Write(Synced(), &batch_),
                    absl::StrCat("cannot upgrade the log in ", directory_));
    if (!written.ok()) return written;
    batch_.Clear();
    if (options_.chunk_written && !options_.chunk_written(bytes)) {
      return absl::AbortedError("the upgrade was stopped after a chunk");
    }
    return absl::OkStatus();
  }

  leveldb::DB* const db_;
  const std::string& directory_;
  const UpgradeOptions& options_;
  leveldb::WriteBatch batch_;
};

// The first format kept every version of a bulletin: removes all but each
// bulletin's last record. A removed record gets an s/ key in the chunk
// that removes it, so the scrubber drops its bytes from the files (the
// log's Open notes every s/ key). A rerun after a kill finds the records
// already removed gone and removes the rest: the bulletins' last records
// are the same.
absl::Status DropSupersededRecords(leveldb::DB* db,
                                   const std::string& directory,
                                   const UpgradeOptions& options) {
  BulletinSeqs seqs(options.bulletin_id_hash);
  auto id_of_record = [&](uint64_t seq) -> absl::StatusOr<std::string> {
    std::string value;
    absl::Status read = FromLevelDb(db->Get({}, SeqKey(seq), &value),
                                    "cannot read the log to upgrade it");
    if (!read.ok()) return read;
    std::string id;
    if (!BulletinIdOfSerialized(value, &id)) {
      return absl::DataLossError(absl::StrCat("log record ", seq, " in ",
                                              directory, " does not parse"));
    }
    return id;
  };
  Chunks chunks(db, directory, options);
  std::string id;
  // The iterator reads the database as it was when it was made, which is
  // what the scan needs: the chunks remove only records behind it.
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator({}));
  for (it->Seek(SeqKey(0)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeRecordKey(it->key(), &seq)) break;
    if (!BulletinIdOfSerialized(
            absl::string_view(it->value().data(), it->value().size()), &id)) {
      return absl::DataLossError(absl::StrCat("log record ", seq, " in ",
                                              directory, " does not parse"));
    }
    absl::StatusOr<BulletinSeqs::Found> found = seqs.Find(id, id_of_record);
    if (!found.ok()) return found.status();
    if (found->seq != 0) {
      chunks.batch().Delete(SeqKey(found->seq));
      chunks.batch().Put(ScrubKey(found->seq), "");
    }
    seqs.Set(id, seq, found->collided);
    absl::Status written = chunks.WriteIfFull();
    if (!written.ok()) return written;
  }
  return chunks.Finish(*it);
}

// The second format kept three index keys beside the records; this one
// keeps what they said in memory, rebuilt at open from the records.
// Removes them; a d/ key (a dedup id) still inside the window becomes a u/
// key in the chunk that removes it, so a retry across the upgrade is still
// found. A rerun after a kill finds the keys already removed gone.
absl::Status DropIndexKeys(leveldb::DB* db, const std::string& directory,
                           const UpgradeOptions& options) {
  const uint64_t now_micros =
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  const uint64_t window_micros =
      static_cast<uint64_t>(absl::ToInt64Microseconds(options.dedup_window));
  Chunks chunks(db, directory, options);
  std::unique_ptr<leveldb::Iterator> it(db->NewIterator({}));
  for (const char* prefix :
       {kV2BulletinPrefix, kV2DedupAgePrefix, kV2DedupPrefix}) {
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
         it->Next()) {
      const absl::string_view key(it->key().data(), it->key().size());
      const absl::string_view value(it->value().data(), it->value().size());
      uint64_t at = 0;
      if (absl::string_view(prefix) == kV2DedupPrefix) {
        // Dropped, a request id still inside the window would let a retry
        // of that request be written twice: refuse instead.
        if (value.size() < 16 || !GetBigEndian(value.substr(8), &at)) {
          return absl::DataLossError(absl::StrCat(
              "cannot upgrade the log in ", directory, ": the dedup entry ",
              absl::CHexEscape(key), " holds ", value.size(),
              " bytes, not a seq and a time (16); restore the log from a "
              "backup"));
        }
        if (at + window_micros > now_micros) {
          chunks.batch().Put(DedupKey(DedupDigest(key.substr(2))),
                             leveldb::Slice(value.data(), 16));
        }
      }
      chunks.batch().Delete(it->key());
      absl::Status written = chunks.WriteIfFull();
      if (!written.ok()) return written;
    }
    if (!it->status().ok()) break;
  }
  return chunks.Finish(*it);
}

}  // namespace

absl::Status Upgrade(leveldb::DB* db, const std::string& directory,
                     const UpgradeOptions& options) {
  std::string format;
  leveldb::Status read = db->Get({}, kFormatKey, &format);
  if (read.IsNotFound()) {  // A new log.
    return FromLevelDb(db->Put(Synced(), kFormatKey, kFormatValue),
                       absl::StrCat("cannot initialise log in ", directory));
  }
  if (!read.ok()) {
    return FromLevelDb(read, absl::StrCat("cannot read log in ", directory));
  }
  std::string from;
  if (format == kFormatV1 || format == kFormatV2) {
    leveldb::WriteBatch start;
    start.Put(kFormatKey, kFormatValue);
    start.Put(kUpgradeKey, format);
    absl::Status started =
        FromLevelDb(db->Write(Synced(), &start),
                    absl::StrCat("cannot upgrade the log in ", directory));
    if (!started.ok()) return started;
    from = format;
  } else if (format == kFormatValue) {
    leveldb::Status unfinished = db->Get({}, kUpgradeKey, &from);
    if (unfinished.IsNotFound()) return absl::OkStatus();
    if (!unfinished.ok()) {
      return FromLevelDb(unfinished,
                         absl::StrCat("cannot read log in ", directory));
    }
  } else {
    return absl::DataLossError(absl::StrCat("log in ", directory,
                                            " has unknown format '", format,
                                            "'; expected ", kFormatValue));
  }
  absl::Status upgraded;
  if (from == kFormatV1) {
    upgraded = DropSupersededRecords(db, directory, options);
  } else if (from == kFormatV2) {
    upgraded = DropIndexKeys(db, directory, options);
  } else {
    upgraded = absl::DataLossError(absl::StrCat(
        "log in ", directory, " has an upgrade from unknown format '", from,
        "' unfinished"));
  }
  if (!upgraded.ok()) return upgraded;
  return FromLevelDb(db->Delete(Synced(), kUpgradeKey),
                     absl::StrCat("cannot upgrade the log in ", directory));
}

}  // namespace bulletin::leveldb_log
