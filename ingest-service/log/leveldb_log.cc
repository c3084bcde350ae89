#include "ingest-service/log/leveldb_log.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ingest-service/log/leveldb_log_format.h"
#include "ingest-service/log/leveldb_log_upgrade.h"
#include "leveldb/write_batch.h"

namespace bulletin {
namespace {

// The keys and values are those of leveldb_log_format.h (docs/durability.md,
// "The LevelDB log on disk"). Only records are written by the usual append:
// everything else the append path needs is kept in memory
// (LevelDbLog::Index).
using leveldb_log::BigEndian;
using leveldb_log::DecodeRecordKey;
using leveldb_log::DedupDigest;
using leveldb_log::DedupKey;
using leveldb_log::FromLevelDb;
using leveldb_log::GetBigEndian;
using leveldb_log::GetDigest;
using leveldb_log::kDedupPrefix;
using leveldb_log::kEpochPrefix;
using leveldb_log::kLogIdKey;
using leveldb_log::kScrubPrefix;
using leveldb_log::kSeqKeySize;
using leveldb_log::ParseStoredValue;
using leveldb_log::PutBigEndian;
using leveldb_log::RecordKey;
using leveldb_log::ScrubKey;
using leveldb_log::SeqKey;
using leveldb_log::StoredParts;
using leveldb_log::StoredValue;
using leveldb_log::Synced;

std::string NewLogId() {
  absl::BitGen random;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                         absl::Uniform<uint64_t>(random));
}

// The bulletin id of a stored record: its key's, or, for a record kept from
// an earlier format, its value's.
absl::StatusOr<std::string> StoredBulletinId(const leveldb::Slice& key,
                                             const leveldb::Slice& value) {
  uint64_t seq = 0;
  absl::string_view id;
  if (!DecodeRecordKey(key, &seq, &id)) {
    return absl::DataLossError("not a log record key");
  }
  if (!id.empty()) return std::string(id);
  std::string from_value;
  if (!leveldb_log::BulletinIdOfSerialized(
          absl::string_view(value.data(), value.size()), &from_value)) {
    return absl::DataLossError(
        absl::StrCat("log record ", seq, " does not parse"));
  }
  return from_value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbLog>> LevelDbLog::Open(
    const std::string& directory, Options log_options) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create log directory ", directory, ": ", error.message()));
  }
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.write_buffer_size = 16 << 20;
  leveldb::DB* raw_db = nullptr;
  leveldb::Status opened = leveldb::DB::Open(options, directory, &raw_db);
  if (!opened.ok()) {
    std::string message =
        absl::StrCat("cannot open log in ", directory, ": ", opened.ToString());
    // LevelDB reports a held LOCK file as an IO error.
    if (opened.IsIOError()) return absl::FailedPreconditionError(message);
    if (opened.IsCorruption()) return absl::DataLossError(message);
    return absl::InternalError(message);
  }
  std::unique_ptr<leveldb::DB> db(raw_db);

  leveldb_log::UpgradeOptions upgrade;
  upgrade.chunk_bytes = log_options.upgrade_chunk_bytes;
  upgrade.dedup_window = log_options.dedup_window;
  upgrade.bulletin_id_hash = log_options.bulletin_id_hash_for_testing;
  upgrade.chunk_written = log_options.upgrade_chunk_written_for_testing;
  absl::Status upgraded = leveldb_log::Upgrade(db.get(), directory, upgrade);
  if (!upgraded.ok()) return upgraded;

  // One pass over the records builds what the append path keeps in memory
  // (see leveldb_log.h). The head is the last record: compaction only ever
  // removes a record that a later one supersedes.
  const uint64_t now_micros =
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  const uint64_t window_micros = static_cast<uint64_t>(
      absl::ToInt64Microseconds(log_options.dedup_window));
  Index index(log_options.bulletin_id_hash_for_testing);
  std::vector<Index::DedupAge> in_window;
  uint64_t head = 0;
  std::unique_ptr<leveldb::Iterator> it(
      db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(SeqKey(0)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeRecordKey(it->key(), &seq)) break;
    StoredParts parts;
    if (!ParseStoredValue(it->key(), it->value(), &parts)) {
      return absl::DataLossError(
          absl::StrCat("log record ", seq, " in ", directory, " is malformed"));
    }
    absl::StatusOr<std::string> id = StoredBulletinId(it->key(), it->value());
    if (!id.ok()) {
      return absl::DataLossError(
          absl::StrCat(id.status().message(), " in ", directory));
    }
    head = seq;
    // Each bulletin has one record.
    index.last_seq.AddDistinct(*id, seq);
    if (parts.dedup_digest.has_value() &&
        parts.appended_micros + window_micros > now_micros) {
      in_window.push_back({seq, parts.appended_micros, *parts.dedup_digest});
    }
  }
  // Dedup ids whose records do not carry them (removed inside the window,
  // or kept from an earlier format): those still in it are kept, the others
  // go with the new epoch's write below.
  leveldb::WriteBatch identity;
  absl::flat_hash_set<absl::uint128> persisted;
  for (it->Seek(kDedupPrefix);
       it->Valid() && it->key().starts_with(kDedupPrefix); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const absl::string_view value(it->value().data(), it->value().size());
    Index::DedupAge age;
    if (!GetDigest(key.substr(2), &age.digest) ||
        !GetBigEndian(value, &age.seq) ||
        !GetBigEndian(value.substr(std::min<size_t>(8, value.size())),
                      &age.appended_at_micros)) {
      return absl::DataLossError(
          absl::StrCat("log in ", directory, " has a malformed dedup key"));
    }
    if (age.appended_at_micros + window_micros > now_micros) {
      in_window.push_back(age);
      persisted.insert(age.digest);
    } else {
      identity.Delete(it->key());
    }
  }
  std::sort(in_window.begin(), in_window.end(),
            [](const Index::DedupAge& a, const Index::DedupAge& b) {
              return a.seq < b.seq;
            });
  for (const Index::DedupAge& age : in_window) {
    index.dedup[age.digest] = Index::Dedup{age.seq, age.appended_at_micros,
                                           persisted.contains(age.digest)};
    index.dedup_ages.push_back(age);
  }
  if (!it->status().ok()) {
    return FromLevelDb(it->status(),
                       absl::StrCat("cannot scan log in ", directory));
  }

  std::vector<EpochStart> history;
  for (it->Seek(kEpochPrefix);
       it->Valid() && it->key().starts_with(kEpochPrefix); it->Next()) {
    EpochStart start;
    if (!GetBigEndian(
            absl::string_view(it->key().data() + 2, it->key().size() - 2),
            &start.epoch) ||
        !GetBigEndian(absl::string_view(it->value().data(), it->value().size()),
                      &start.first_seq)) {
      return absl::DataLossError(
          absl::StrCat("log in ", directory, " has a malformed epoch key"));
    }
    history.push_back(start);
  }
  // Records an earlier run removed and did not get to scrub. The s/ key's
  // value is the record's key; empty for a record kept from an earlier
  // format (whose key is r<seq>), as the second format wrote them.
  std::vector<std::pair<std::string, std::string>> unscrubbed;
  for (it->Seek(kScrubPrefix);
       it->Valid() && it->key().starts_with(kScrubPrefix); it->Next()) {
    std::string record_key = it->value().ToString();
    if (record_key.empty()) {
      // An empty key would make the scrubber's range start at the
      // beginning of the log: a key it cannot name is damage, not a note.
      uint64_t seq = 0;
      if (!GetBigEndian(
              absl::string_view(it->key().data(), it->key().size()).substr(2),
              &seq)) {
        return absl::DataLossError(absl::StrCat(
            "the log in ", directory,
            " has a malformed scrub note (an s/ key without a seq); restore "
            "it from a backup"));
      }
      record_key = SeqKey(seq);
    }
    unscrubbed.emplace_back(std::move(record_key), it->key().ToString());
  }
  if (!it->status().ok()) {
    return FromLevelDb(it->status(),
                       absl::StrCat("cannot scan log in ", directory));
  }
  it.reset();

  std::string log_id;
  leveldb::Status got = db->Get(leveldb::ReadOptions(), kLogIdKey, &log_id);
  if (got.IsNotFound()) {
    log_id = NewLogId();
    identity.Put(kLogIdKey, log_id);
  } else if (!got.ok()) {
    return FromLevelDb(got, absl::StrCat("cannot read log in ", directory));
  }
  // Epochs are unique as well as increasing (they are a clock reading), so a
  // copy restored from backup and reopened never reuses an epoch that the
  // original went on to write.
  EpochStart epoch;
  epoch.epoch = std::max<uint64_t>(
      history.empty() ? 1 : history.back().epoch + 1,
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())));
  epoch.first_seq = head + 1;
  identity.Put(absl::StrCat(kEpochPrefix, BigEndian(epoch.epoch)),
               BigEndian(epoch.first_seq));
  history.push_back(epoch);
  absl::Status written =
      FromLevelDb(db->Write(Synced(), &identity),
                  absl::StrCat("cannot start a new epoch in ", directory));
  if (!written.ok()) return written;

  std::unique_ptr<LevelDbLog> log(new LevelDbLog(
      std::move(db), log_options, std::move(log_id), std::move(history), head));
  for (auto& [key, pending] : unscrubbed) {
    log->scrubber_.NoteRemoved(std::move(key), std::move(pending));
  }
  {
    MutexLock append_lock(&log->append_mutex_);
    log->index_ = std::move(index);
  }
  return log;
}

LevelDbLog::LevelDbLog(std::unique_ptr<leveldb::DB> db, Options options,
                       std::string log_id, std::vector<EpochStart> history,
                       uint64_t head_seq)
    : db_(std::move(db)),
      options_(options),
      scrubber_(db_.get(), options_.scrub_interval),
      log_id_(std::move(log_id)),
      history_(std::move(history)),
      head_seq_(head_seq) {}

LevelDbLog::~LevelDbLog() = default;

absl::StatusOr<std::vector<AppendOutcome>> LevelDbLog::Append(
    const std::vector<LogAppend>& entries) {
  std::vector<AppendOutcome> outcomes(entries.size());
  if (entries.empty()) return outcomes;
  // append_mutex_ serializes writers across the synced write; mutex_ is only
  // taken to read and publish the head, so readers never wait for the disk.
  MutexLock append_lock(&append_mutex_);
  uint64_t head = 0;
  {
    MutexLock lock(&mutex_);
    if (closed_) return absl::UnavailableError("log is closed");
    if (!write_failure_.ok()) return write_failure_;
    head = head_seq_;
  }
  const uint64_t head_at_start = head;
  const uint64_t now_micros =
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  const uint64_t window_micros =
      static_cast<uint64_t>(absl::ToInt64Microseconds(options_.dedup_window));
  auto in_window = [&](uint64_t appended_micros) {
    return appended_micros + window_micros > now_micros;
  };
  leveldb::WriteBatch batch;
  bool batch_empty = true;
  // Dedup ids past the window leave the index once the batch is written,
  // oldest first; those that have a u/ key leave it in the batch.
  size_t expired = 0;
  for (const Index::DedupAge& age : index_.dedup_ages) {
    if (in_window(age.appended_at_micros)) break;
    ++expired;
    auto it = index_.dedup.find(age.digest);
    if (it != index_.dedup.end() && it->second.seq == age.seq &&
        it->second.persisted) {
      batch.Delete(DedupKey(age.digest));
      batch_empty = false;
    }
  }
  // Decisions see the entries before them: `last_seq` and `taken` hold what
  // this batch has written so far.
  absl::flat_hash_map<std::string, Last> last_seq;
  absl::flat_hash_set<uint64_t> new_hashes;
  absl::flat_hash_map<absl::uint128, uint64_t> taken;
  std::vector<Index::DedupAge> new_dedups;  // In seq order.
  std::vector<absl::uint128> persisted;
  // The seqs and keys of the records this batch removes, for the scrubber.
  std::vector<std::pair<uint64_t, std::string>> removed;
  for (size_t i = 0; i < entries.size(); ++i) {
    const LogAppend& entry = entries[i];
    AppendOutcome& outcome = outcomes[i];
    const std::string id(BulletinIdOf(entry.record));
    if (id.empty()) {
      outcome.status =
          absl::InvalidArgumentError("a log record needs a bulletin id");
      continue;
    }
    std::optional<absl::uint128> digest;
    if (!entry.dedup_id.empty()) {
      digest = DedupDigest(entry.dedup_id);
      if (auto in_batch = taken.find(*digest); in_batch != taken.end()) {
        outcome.seq = in_batch->second;
        outcome.duplicate = true;
        continue;
      }
      auto stored = index_.dedup.find(*digest);
      if (stored != index_.dedup.end() &&
          in_window(stored->second.appended_at_micros)) {
        outcome.seq = stored->second.seq;
        outcome.duplicate = true;
        continue;
      }
    }
    if (entry.read_through_seq.has_value() &&
        *entry.read_through_seq < head_at_start) {
      outcome.status = absl::FailedPreconditionError(absl::StrCat(
          "the log went on to seq ", head_at_start, " after seq ",
          *entry.read_through_seq, ", which this append was decided at"));
      continue;
    }
    Last last{0, false};
    if (auto it = last_seq.find(id); it != last_seq.end()) {
      last = it->second;
    } else {
      absl::StatusOr<Last> stored = LastOf(id);
      if (!stored.ok()) return stored.status();
      last = *stored;
      // A new bulletin whose id hash another new one of this batch took.
      if (last.seq == 0 && !last.collided &&
          !new_hashes.insert(index_.last_seq.HashOf(id)).second) {
        last.collided = true;
      }
    }
    if (entry.expected_last_seq.has_value() &&
        *entry.expected_last_seq != last.seq) {
      outcome.status = absl::FailedPreconditionError(
          absl::StrCat("bulletin ", id, " was last written at seq ", last.seq,
                       ", not ", *entry.expected_last_seq));
      continue;
    }
    const uint64_t seq = ++head;
    batch_empty = false;
    batch.Put(RecordKey(seq, id),
              StoredValue(entry.record, now_micros,
                          digest.has_value() ? &*digest : nullptr));
    if (last.seq != 0) {
      std::string removed_key =
          last.earlier_format ? SeqKey(last.seq) : RecordKey(last.seq, id);
      batch.Delete(removed_key);
      batch.Put(ScrubKey(last.seq), removed_key);
      removed.emplace_back(last.seq, std::move(removed_key));
      // A dedup id of the removed record, still in the window, must outlive
      // its record: a retry of that append is still a duplicate.
      const Index::DedupAge* age = nullptr;
      if (last.seq > head_at_start) {  // Appended by this batch.
        for (const Index::DedupAge& candidate : new_dedups) {
          if (candidate.seq == last.seq) age = &candidate;
        }
      } else {
        auto found = std::lower_bound(
            index_.dedup_ages.begin() + expired, index_.dedup_ages.end(),
            last.seq,
            [](const Index::DedupAge& a, uint64_t seq) { return a.seq < seq; });
        if (found != index_.dedup_ages.end() && found->seq == last.seq) {
          age = &*found;
        }
      }
      if (age != nullptr) {
        std::string value = BigEndian(age->seq);
        PutBigEndian(age->appended_at_micros, &value);
        batch.Put(DedupKey(age->digest), value);
        persisted.push_back(age->digest);
      }
    }
    last_seq[id] = Last{seq, last.collided};
    if (digest.has_value()) {
      taken[*digest] = seq;
      new_dedups.push_back({seq, now_micros, *digest});
    }
    outcome.seq = seq;
  }
  if (batch_empty) return outcomes;  // Every entry failed or repeated.
  const absl::Time write_began = absl::Now();
  leveldb::Status written = db_->Write(Synced(), &batch);
  if (written.ok() && options_.metrics != nullptr) {
    options_.metrics->ObserveSync(absl::Now() - write_began);
  }
  if (!written.ok()) {
    MutexLock lock(&mutex_);
    write_failure_ = absl::UnavailableError(absl::StrCat(
        "the log could not be written (", written.ToString(),
        "); nothing more is accepted until ingest-service restarts"));
    return write_failure_;
  }
  for (size_t i = 0; i < expired; ++i) {
    const Index::DedupAge& age = index_.dedup_ages.front();
    auto it = index_.dedup.find(age.digest);
    if (it != index_.dedup.end() && it->second.seq == age.seq) {
      index_.dedup.erase(it);
    }
    index_.dedup_ages.pop_front();
  }
  for (const Index::DedupAge& age : new_dedups) {
    index_.dedup[age.digest] = Index::Dedup{age.seq, age.appended_at_micros};
    index_.dedup_ages.push_back(age);
  }
  for (const absl::uint128& digest : persisted) {
    index_.dedup[digest].persisted = true;
  }
  for (const auto& [id, last] : last_seq) {
    index_.last_seq.Set(id, last.seq, last.collided);
  }
  {
    MutexLock lock(&mutex_);
    head_seq_ = head;
  }
  head_changed_.SignalAll();
  for (auto& [seq, key] : removed) {
    scrubber_.NoteRemoved(std::move(key), ScrubKey(seq));
  }
  return outcomes;
}

absl::StatusOr<LevelDbLog::Last> LevelDbLog::LastOf(const std::string& id) {
  bool earlier_format = false;
  absl::StatusOr<BulletinSeqs::Found> found = index_.last_seq.Find(
      id, [&](uint64_t seq) { return IdOfRecord(seq, &earlier_format); });
  if (!found.ok()) return found.status();
  Last last;
  last.seq = found->seq;
  last.collided = found->collided;
  if (found->seq != 0 && !found->collided) {
    last.earlier_format = earlier_format;
  } else if (found->seq != 0) {
    // Kept by its whole id: its record was not read.
    absl::StatusOr<std::string> holder =
        IdOfRecord(found->seq, &last.earlier_format);
    if (!holder.ok()) return holder.status();
  }
  return last;
}

absl::StatusOr<std::string> LevelDbLog::IdOfRecord(uint64_t seq,
                                                   bool* earlier_format) const {
  // Read through an iterator, which charges LevelDB no seeks (DB::Get does,
  // and enough of them make LevelDB compact the files they land on).
  const std::string prefix = SeqKey(seq);
  std::unique_ptr<leveldb::Iterator> reader(
      db_->NewIterator(leveldb::ReadOptions()));
  reader->Seek(prefix);
  if (!reader->status().ok()) {
    return FromLevelDb(reader->status(), "cannot read the log");
  }
  if (!reader->Valid() || !reader->key().starts_with(prefix)) {
    // The index holds only records in the log.
    return absl::DataLossError(absl::StrCat("log record ", seq, " is missing"));
  }
  *earlier_format = reader->key().size() == kSeqKeySize;
  return StoredBulletinId(reader->key(), reader->value());
}

absl::StatusOr<std::vector<v1::LogRecord>> LevelDbLog::Read(
    uint64_t after_seq, size_t max_records) const {
  const uint64_t head = head_seq();
  if (after_seq > head) {
    return absl::OutOfRangeError(absl::StrCat(
        "seq ", after_seq, " is beyond the head of the log (", head, ")"));
  }
  std::vector<v1::LogRecord> records;
  if (after_seq == head) return records;
  std::unique_ptr<leveldb::Iterator> it(
      db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(SeqKey(after_seq + 1));
       it->Valid() && records.size() < max_records; it->Next()) {
    uint64_t seq = 0;
    // Stop at the published head: a write in progress is not there yet.
    if (!DecodeRecordKey(it->key(), &seq) || seq > head) break;
    v1::LogRecord& record = records.emplace_back();
    StoredParts parts;
    if (!ParseStoredValue(it->key(), it->value(), &parts) ||
        !record.ParseFromArray(parts.record.data(),
                               static_cast<int>(parts.record.size()))) {
      return absl::DataLossError(
          absl::StrCat("log record ", seq, " does not parse"));
    }
    record.set_seq(seq);
    if (record.has_upsert()) record.mutable_upsert()->set_seq(seq);
  }
  if (!it->status().ok()) return FromLevelDb(it->status(), "cannot read log");
  return records;
}

uint64_t LevelDbLog::head_seq() const {
  MutexLock lock(&mutex_);
  return head_seq_;
}

uint64_t LevelDbLog::WaitForHeadAbove(uint64_t seq, absl::Time deadline) const {
  MutexLock lock(&mutex_);
  head_changed_.WaitUntil(&mutex_, deadline,
                          [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                            return head_seq_ > seq || closed_;
                          });
  return head_seq_;
}

LogIdentity LevelDbLog::identity() const {
  return LogIdentity{log_id_, history_.back().epoch};
}

std::vector<EpochStart> LevelDbLog::epochs() const { return history_; }

absl::Status LevelDbLog::CheckPosition(const LogIdentity& seen,
                                       uint64_t applied_seq) const {
  return CheckLogPosition(log_id_, history_, head_seq(), seen, applied_seq);
}

void LevelDbLog::Close() {
  {
    MutexLock lock(&mutex_);
    closed_ = true;
  }
  head_changed_.SignalAll();
}

bool LevelDbLog::closed() const {
  MutexLock lock(&mutex_);
  return closed_;
}

absl::Status LevelDbLog::ScrubRemovedRecords() { return scrubber_.ScrubNow(); }

bool LevelDbLog::writable() const {
  MutexLock lock(&mutex_);
  return write_failure_.ok() && !closed_;
}

absl::Status LevelDbLog::Readiness() const {
  MutexLock lock(&mutex_);
  if (closed_) return absl::UnavailableError("the log is closed");
  return write_failure_;
}

}  // namespace bulletin
