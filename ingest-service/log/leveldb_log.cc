#include "ingest-service/log/leveldb_log.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "leveldb/write_batch.h"

namespace bulletin {
namespace {

// Keys (docs/durability.md, "The LevelDB log"). Numbers are big-endian so
// that LevelDB's bytewise order is numeric order.
//   m/format           kFormatValue
//   m/log_id           the log's id
//   e/<epoch>          <first seq of the epoch>
//   r<seq>             LogRecord without its seqs
//   b/<bulletin id>    <seq of the bulletin's last record>
//   d/<dedup id>       <seq><appended at, unix micros>
//   t/<micros><dedup id>  (empty): dedup ids in age order, for expiry
//   s/<seq>            (empty): record <seq> was removed and its bytes may
//                      still be in the files (RemovedRecordScrubber)
constexpr char kRecordPrefix = 'r';
constexpr char kFormatKey[] = "m/format";
constexpr char kLogIdKey[] = "m/log_id";
constexpr char kFormatV1[] = "bulletin-log-1";
constexpr char kFormatValue[] = "bulletin-log-2";
constexpr char kEpochPrefix[] = "e/";
constexpr char kBulletinPrefix[] = "b/";
constexpr char kDedupPrefix[] = "d/";
constexpr char kDedupAgePrefix[] = "t/";
constexpr char kScrubPrefix[] = "s/";
// Expired dedup ids removed per Append at most, so one Append never pays for
// a long backlog.
constexpr int kMaxExpiriesPerAppend = 256;

void PutBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

bool GetBigEndian(absl::string_view in, uint64_t* value) {
  if (in.size() < 8) return false;
  uint64_t result = 0;
  for (int i = 0; i < 8; ++i) {
    result = (result << 8) | static_cast<unsigned char>(in[i]);
  }
  *value = result;
  return true;
}

std::string BigEndian(uint64_t value) {
  std::string out;
  PutBigEndian(value, &out);
  return out;
}

std::string ScrubKey(uint64_t seq) {
  return absl::StrCat(kScrubPrefix, BigEndian(seq));
}

std::string RecordKey(uint64_t seq) {
  std::string key(1, kRecordPrefix);
  PutBigEndian(seq, &key);
  return key;
}

bool DecodeRecordKey(const leveldb::Slice& key, uint64_t* seq) {
  if (key.size() != 9 || key[0] != kRecordPrefix) return false;
  return GetBigEndian(absl::string_view(key.data() + 1, 8), seq);
}

std::string BulletinKey(absl::string_view id) {
  return absl::StrCat(kBulletinPrefix, id);
}

absl::Status FromLevelDb(const leveldb::Status& status,
                         absl::string_view doing) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(doing, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsIOError()) return absl::UnavailableError(message);
  if (status.IsNotFound()) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

leveldb::WriteOptions Synced() {
  leveldb::WriteOptions options;
  options.sync = true;
  return options;
}

// The stored form of a record: its seqs are its key, so they are not stored.
std::string StoredValue(const v1::LogRecord& record) {
  if (record.seq() == 0 && record.upsert().seq() == 0) {
    return record.SerializeAsString();
  }
  v1::LogRecord without_seqs = record;
  without_seqs.clear_seq();
  if (without_seqs.has_upsert()) without_seqs.mutable_upsert()->clear_seq();
  return without_seqs.SerializeAsString();
}

// Converts a log of the first format (records carry their seqs, every
// version kept, no per-bulletin keys) to this one: keeps each bulletin's
// last record, writes its key, and sets the format, in one synced batch.
absl::Status ConvertFromV1(leveldb::DB* db, const std::string& directory) {
  leveldb::WriteBatch batch;
  absl::flat_hash_map<std::string, uint64_t> last_seq;
  std::unique_ptr<leveldb::Iterator> it(
      db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(RecordKey(0)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeRecordKey(it->key(), &seq)) break;
    v1::LogRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("log record ", seq, " in ",
                                              directory, " does not parse"));
    }
    std::string id(BulletinIdOf(record));
    auto [entry, inserted] = last_seq.try_emplace(id, seq);
    if (!inserted) {
      batch.Delete(RecordKey(entry->second));
      entry->second = seq;
    }
    batch.Put(RecordKey(seq), StoredValue(record));
  }
  if (!it->status().ok()) {
    return FromLevelDb(it->status(),
                       absl::StrCat("cannot convert log in ", directory));
  }
  for (const auto& [id, seq] : last_seq) {
    batch.Put(BulletinKey(id), BigEndian(seq));
  }
  batch.Put(kFormatKey, kFormatValue);
  return FromLevelDb(db->Write(Synced(), &batch),
                     absl::StrCat("cannot convert log in ", directory));
}

// What stands for a key in the append path's key filters.
uint64_t KeyHash(absl::string_view key) {
  return absl::Hash<absl::string_view>()(key);
}

// The value of `key` as `reader` sees the database; nullopt when absent.
//
// The append path looks keys up through one iterator rather than with
// DB::Get. A Get that consults more than one table file (as every lookup of
// a key that is not there does: a new bulletin's b/ key, a new dedup id)
// charges a "seek" to the first file, and LevelDB compacts a file into the
// level below once it has been charged about one seek per 16 KiB. The b/
// and d/ keys sort among the records, so every table file spans the record
// keys, and each such compaction rewrote every record of the level below:
// after each memtable flush, the whole log again (docs/benchmarks.md, "Write
// path"). Iterators charge no seeks.
absl::StatusOr<std::optional<std::string>> ValueOf(leveldb::Iterator* reader,
                                                   const std::string& key) {
  reader->Seek(key);
  if (!reader->Valid()) {
    if (!reader->status().ok()) {
      return FromLevelDb(reader->status(), "cannot read the log");
    }
    return std::nullopt;
  }
  if (reader->key() != leveldb::Slice(key)) return std::nullopt;
  return reader->value().ToString();
}

std::string NewLogId() {
  absl::BitGen random;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                         absl::Uniform<uint64_t>(random));
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

  std::string format;
  leveldb::Status read = db->Get(leveldb::ReadOptions(), kFormatKey, &format);
  if (read.IsNotFound()) {
    absl::Status written =
        FromLevelDb(db->Put(Synced(), kFormatKey, kFormatValue),
                    absl::StrCat("cannot initialise log in ", directory));
    if (!written.ok()) return written;
  } else if (!read.ok()) {
    return FromLevelDb(read, absl::StrCat("cannot read log in ", directory));
  } else if (format == kFormatV1) {
    absl::Status converted = ConvertFromV1(db.get(), directory);
    if (!converted.ok()) return converted;
  } else if (format != kFormatValue) {
    return absl::DataLossError(absl::StrCat("log in ", directory,
                                            " has unknown format '", format,
                                            "'; expected ", kFormatValue));
  }

  // The head is the last record key: compaction only ever removes a record
  // that a later one supersedes, so the last record is never removed.
  uint64_t head = 0;
  std::unique_ptr<leveldb::Iterator> it(
      db->NewIterator(leveldb::ReadOptions()));
  it->Seek(RecordKey(UINT64_MAX));
  if (it->Valid()) {
    it->Prev();
  } else {
    it->SeekToLast();
  }
  while (it->Valid() && !DecodeRecordKey(it->key(), &head)) it->Prev();
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
  // Records an earlier run removed and did not get to scrub.
  std::vector<uint64_t> unscrubbed;
  for (it->Seek(kScrubPrefix);
       it->Valid() && it->key().starts_with(kScrubPrefix); it->Next()) {
    uint64_t seq = 0;
    if (GetBigEndian(
            absl::string_view(it->key().data() + 2, it->key().size() - 2),
            &seq)) {
      unscrubbed.push_back(seq);
    }
  }
  // What the append path's key filters start from (see leveldb_log.h).
  KeyFilters filters;
  for (it->Seek(kBulletinPrefix);
       it->Valid() && it->key().starts_with(kBulletinPrefix); it->Next()) {
    filters.bulletins.insert(KeyHash(
        absl::string_view(it->key().data(), it->key().size()).substr(2)));
  }
  for (it->Seek(kDedupAgePrefix);
       it->Valid() && it->key().starts_with(kDedupAgePrefix); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (key.size() >= 2 + 8) ++filters.dedup_ids[KeyHash(key.substr(2 + 8))];
  }
  if (!it->status().ok()) {
    return FromLevelDb(it->status(),
                       absl::StrCat("cannot scan log in ", directory));
  }
  it.reset();

  std::string log_id;
  leveldb::Status got = db->Get(leveldb::ReadOptions(), kLogIdKey, &log_id);
  leveldb::WriteBatch identity;
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
  for (uint64_t seq : unscrubbed) {
    log->scrubber_.NoteRemoved(RecordKey(seq), ScrubKey(seq));
  }
  {
    MutexLock append_lock(&log->append_mutex_);
    log->filters_ = std::move(filters);
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

absl::StatusOr<uint64_t> LevelDbLog::LastSeqOf(
    leveldb::Iterator* reader, const std::string& bulletin_id) const {
  absl::StatusOr<std::optional<std::string>> value =
      ValueOf(reader, BulletinKey(bulletin_id));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return 0;
  uint64_t seq = 0;
  if (!GetBigEndian(**value, &seq)) {
    return absl::DataLossError(
        absl::StrCat("malformed last seq for bulletin ", bulletin_id));
  }
  return seq;
}

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
  // Decisions see the entries before them: `last_seq` and `taken` hold what
  // this batch has written so far.
  absl::flat_hash_map<std::string, uint64_t> last_seq;
  absl::flat_hash_map<std::string, uint64_t> taken;
  // Every lookup of this append, and the expiry below, read through one
  // iterator (see ValueOf for why not DB::Get), made when first needed: the
  // usual append needs none. Only this append writes the keys it reads
  // (append_mutex_), so what it sees is current.
  std::unique_ptr<leveldb::Iterator> iterator;
  auto reader = [&]() -> leveldb::Iterator* {
    if (iterator == nullptr) {
      iterator.reset(db_->NewIterator(leveldb::ReadOptions()));
    }
    return iterator.get();
  };
  leveldb::WriteBatch batch;
  bool batch_empty = true;
  // The seqs of the records this batch removes, for the scrubber.
  std::vector<uint64_t> removed;
  // What the key filters learn once the batch is written.
  struct {
    std::vector<uint64_t> bulletins;
    std::vector<uint64_t> dedup_ids_added;
    std::vector<uint64_t> dedup_ids_removed;
  } filter_changes;
  for (size_t i = 0; i < entries.size(); ++i) {
    const LogAppend& entry = entries[i];
    AppendOutcome& outcome = outcomes[i];
    const std::string id(BulletinIdOf(entry.record));
    if (id.empty()) {
      outcome.status =
          absl::InvalidArgumentError("a log record needs a bulletin id");
      continue;
    }
    if (!entry.dedup_id.empty()) {
      auto in_batch = taken.find(entry.dedup_id);
      if (in_batch != taken.end()) {
        outcome.seq = in_batch->second;
        outcome.duplicate = true;
        continue;
      }
      absl::StatusOr<std::optional<std::string>> value = std::nullopt;
      if (filters_.dedup_ids.contains(KeyHash(entry.dedup_id))) {
        value = ValueOf(reader(), absl::StrCat(kDedupPrefix, entry.dedup_id));
      }
      if (!value.ok()) return value.status();
      uint64_t seq = 0, at = 0;
      if (value->has_value() && GetBigEndian(**value, &seq) &&
          GetBigEndian(absl::string_view(**value).substr(8), &at) &&
          at + window_micros > now_micros) {
        outcome.seq = seq;
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
    uint64_t last = 0;
    if (auto it = last_seq.find(id); it != last_seq.end()) {
      last = it->second;
    } else {
      // A bulletin the filter has not seen has no record: nothing to read.
      if (filters_.bulletins.contains(KeyHash(id))) {
        absl::StatusOr<uint64_t> stored = LastSeqOf(reader(), id);
        if (!stored.ok()) return stored.status();
        last = *stored;
      }
    }
    if (entry.expected_last_seq.has_value() &&
        *entry.expected_last_seq != last) {
      outcome.status = absl::FailedPreconditionError(
          absl::StrCat("bulletin ", id, " was last written at seq ", last,
                       ", not ", *entry.expected_last_seq));
      continue;
    }
    const uint64_t seq = ++head;
    batch_empty = false;
    batch.Put(RecordKey(seq), StoredValue(entry.record));
    if (last != 0) {
      batch.Delete(RecordKey(last));
      batch.Put(ScrubKey(last), "");
      removed.push_back(last);
    }
    batch.Put(BulletinKey(id), BigEndian(seq));
    last_seq[id] = seq;
    filter_changes.bulletins.push_back(KeyHash(id));
    if (!entry.dedup_id.empty()) {
      std::string value = BigEndian(seq);
      PutBigEndian(now_micros, &value);
      batch.Put(absl::StrCat(kDedupPrefix, entry.dedup_id), value);
      batch.Put(
          absl::StrCat(kDedupAgePrefix, BigEndian(now_micros), entry.dedup_id),
          "");
      taken[entry.dedup_id] = seq;
      filter_changes.dedup_ids_added.push_back(KeyHash(entry.dedup_id));
    }
    outcome.seq = seq;
  }
  // Forget dedup ids past the window, oldest first, from where the last
  // pass stopped: the t/ keys before it are deleted, and seeking past them
  // spares skipping their deletion markers. No pass at all while the oldest
  // is inside the window.
  uint64_t expiry_from = filters_.dedup_expiry_from_micros;
  if (expiry_from != KeyFilters::kNothingToExpire &&
      expiry_from + window_micros <= now_micros) {
    leveldb::Iterator* it = reader();
    int expired = 0;
    for (it->Seek(absl::StrCat(kDedupAgePrefix, BigEndian(expiry_from)));;
         it->Next(), ++expired) {
      if (!it->Valid() || !it->key().starts_with(kDedupAgePrefix)) {
        if (!it->status().ok()) {
          return FromLevelDb(it->status(), "cannot read the log");
        }
        expiry_from = KeyFilters::kNothingToExpire;
        break;
      }
      absl::string_view key(it->key().data(), it->key().size());
      uint64_t at = 0;
      if (!GetBigEndian(key.substr(2), &at)) break;  // Tried again next time.
      if (at + window_micros > now_micros || expired >= kMaxExpiriesPerAppend) {
        expiry_from = at;
        break;
      }
      const std::string dedup_id(key.substr(2 + 8));
      // A dedup id taken again in this batch keeps its new d/ key.
      if (!taken.contains(dedup_id)) {
        batch.Delete(absl::StrCat(kDedupPrefix, dedup_id));
      }
      batch.Delete(it->key());
      filter_changes.dedup_ids_removed.push_back(KeyHash(dedup_id));
      batch_empty = false;
    }
  }
  if (!taken.empty()) expiry_from = std::min(expiry_from, now_micros);
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
  filters_.bulletins.insert(filter_changes.bulletins.begin(),
                            filter_changes.bulletins.end());
  for (uint64_t hash : filter_changes.dedup_ids_added) {
    ++filters_.dedup_ids[hash];
  }
  for (uint64_t hash : filter_changes.dedup_ids_removed) {
    auto it = filters_.dedup_ids.find(hash);
    if (it != filters_.dedup_ids.end() && --it->second == 0) {
      filters_.dedup_ids.erase(it);
    }
  }
  filters_.dedup_expiry_from_micros = expiry_from;
  {
    MutexLock lock(&mutex_);
    head_seq_ = head;
  }
  head_changed_.SignalAll();
  for (uint64_t seq : removed) {
    scrubber_.NoteRemoved(RecordKey(seq), ScrubKey(seq));
  }
  return outcomes;
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
  for (it->Seek(RecordKey(after_seq + 1));
       it->Valid() && records.size() < max_records; it->Next()) {
    uint64_t seq = 0;
    // Stop at the published head: a write in progress is not there yet.
    if (!DecodeRecordKey(it->key(), &seq) || seq > head) break;
    v1::LogRecord& record = records.emplace_back();
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
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
