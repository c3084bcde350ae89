#include "ingest-service/log/leveldb_log.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "leveldb/write_batch.h"
#include "openssl/sha.h"

namespace bulletin {
namespace {

// Keys (docs/durability.md, "The LevelDB log"). Numbers are big-endian so
// that LevelDB's bytewise order is numeric order.
//   m/format           kFormatValue
//   m/log_id           the log's id
//   e/<epoch>          <first seq of the epoch>
//   r<seq><bulletin id>  <header><LogRecord without its seqs>; the header
//                      is its length (1 byte), then <appended at, unix
//                      micros> and, when appended with one, the dedup
//                      id's digest (16 bytes)
//   d/<dedup digest>   <seq><appended at>: a dedup id whose record was
//                      removed inside the window
//   s/<seq>            <record key>: that record was removed and its bytes
//                      may still be in the files (RemovedRecordScrubber)
// Only records are written by the usual append: everything else the append
// path needs is kept in memory (LevelDbLog::Index).
constexpr char kRecordPrefix = 'r';
constexpr size_t kSeqKeySize = 9;  // kRecordPrefix and the seq.
constexpr char kFormatKey[] = "m/format";
constexpr char kLogIdKey[] = "m/log_id";
constexpr char kFormatV1[] = "bulletin-log-1";
constexpr char kFormatV2[] = "bulletin-log-2";
constexpr char kFormatValue[] = "bulletin-log-3";
constexpr char kEpochPrefix[] = "e/";
constexpr char kDedupPrefix[] = "d/";
constexpr char kScrubPrefix[] = "s/";
// Format 2's index keys, read only to convert.
constexpr char kV2BulletinPrefix[] = "b/";
constexpr char kV2DedupAgePrefix[] = "t/";
constexpr size_t kDigestSize = 16;

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

// The first key of record `seq`, whatever its bulletin: where a scan from
// `seq` starts.
std::string SeqKey(uint64_t seq) {
  std::string key(1, kRecordPrefix);
  PutBigEndian(seq, &key);
  return key;
}

std::string RecordKey(uint64_t seq, absl::string_view bulletin_id) {
  std::string key = SeqKey(seq);
  key.append(bulletin_id.data(), bulletin_id.size());
  return key;
}

// The seq and bulletin id of a record key; false for any other key.
bool DecodeRecordKey(const leveldb::Slice& key, uint64_t* seq,
                     absl::string_view* bulletin_id = nullptr) {
  if (key.size() < kSeqKeySize || key[0] != kRecordPrefix) return false;
  if (bulletin_id != nullptr) {
    *bulletin_id =
        absl::string_view(key.data() + kSeqKeySize, key.size() - kSeqKeySize);
  }
  return GetBigEndian(absl::string_view(key.data() + 1, 8), seq);
}

// What stands for a dedup id in memory and on disk: the first 16 bytes of
// its SHA-256, so that two ids never share one (ids come from clients'
// request ids).
absl::uint128 DedupDigest(absl::string_view dedup_id) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(dedup_id.data()),
         dedup_id.size(), digest);
  uint64_t high = 0, low = 0;
  GetBigEndian(absl::string_view(reinterpret_cast<char*>(digest), 8), &high);
  GetBigEndian(absl::string_view(reinterpret_cast<char*>(digest) + 8, 8), &low);
  return absl::MakeUint128(high, low);
}

void PutDigest(absl::uint128 digest, std::string* out) {
  PutBigEndian(absl::Uint128High64(digest), out);
  PutBigEndian(absl::Uint128Low64(digest), out);
}

bool GetDigest(absl::string_view in, absl::uint128* digest) {
  uint64_t high = 0, low = 0;
  if (in.size() < kDigestSize || !GetBigEndian(in, &high) ||
      !GetBigEndian(in.substr(8), &low)) {
    return false;
  }
  *digest = absl::MakeUint128(high, low);
  return true;
}

std::string DedupKey(absl::uint128 digest) {
  std::string key(kDedupPrefix);
  PutDigest(digest, &key);
  return key;
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

// The stored form of a record: a header (when and with which dedup id it
// was appended), then the record without its seqs (they are its key).
std::string StoredValue(const v1::LogRecord& record, uint64_t appended_micros,
                        const absl::uint128* dedup_digest) {
  std::string header;
  PutBigEndian(appended_micros, &header);
  if (dedup_digest != nullptr) PutDigest(*dedup_digest, &header);
  std::string value(1, static_cast<char>(header.size()));
  value.append(header);
  if (record.seq() == 0 && record.upsert().seq() == 0) {
    record.AppendToString(&value);
    return value;
  }
  v1::LogRecord without_seqs = record;
  without_seqs.clear_seq();
  if (without_seqs.has_upsert()) without_seqs.mutable_upsert()->clear_seq();
  without_seqs.AppendToString(&value);
  return value;
}

// A stored value split into its header's fields and the serialized record.
struct StoredParts {
  uint64_t appended_micros = 0;
  std::optional<absl::uint128> dedup_digest;
  absl::string_view record;
};

bool ParseStoredValue(const leveldb::Slice& value, StoredParts* parts) {
  if (value.empty()) return false;
  const size_t header_size = static_cast<unsigned char>(value[0]);
  const absl::string_view in(value.data() + 1, value.size() - 1);
  if (in.size() < header_size || header_size < 8) return false;
  const absl::string_view header(in.data(), header_size);
  GetBigEndian(header, &parts->appended_micros);
  absl::uint128 digest;
  if (GetDigest(header.substr(8), &digest)) parts->dedup_digest = digest;
  parts->record =
      absl::string_view(in.data() + header_size, in.size() - header_size);
  return true;
}

// Converts a log of an earlier format to this one, in one synced batch.
// Format 1 (records carry their seqs, every version kept): keeps each
// bulletin's last record. Format 2 (one record a bulletin, with b/, d/ and
// t/ index keys): drops the b/ and t/ keys, and keeps each d/ key under its
// dedup id's digest. Both: records go under keys that hold their bulletin
// ids, with headers; a record removed and not yet scrubbed (s/) keeps its
// old key for the scrubber.
absl::Status ConvertToCurrent(leveldb::DB* db, const std::string& directory,
                              bool from_v1) {
  leveldb::WriteBatch removals;  // Written first: old keys may be new ones.
  leveldb::WriteBatch batch;
  absl::flat_hash_map<std::string, uint64_t> last_seq;
  std::unique_ptr<leveldb::Iterator> it(
      db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(SeqKey(0)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeRecordKey(it->key(), &seq)) break;
    v1::LogRecord record;
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("log record ", seq, " in ",
                                              directory, " does not parse"));
    }
    std::string id(BulletinIdOf(record));
    removals.Delete(it->key());
    auto [entry, inserted] = last_seq.try_emplace(id, seq);
    if (!inserted) {
      batch.Delete(RecordKey(entry->second, id));
      entry->second = seq;
    }
    batch.Put(
        RecordKey(seq, id),
        StoredValue(record, static_cast<uint64_t>(record.appended_at_micros()),
                    nullptr));
  }
  if (!from_v1) {
    for (const char* prefix :
         {kV2BulletinPrefix, kDedupPrefix, kV2DedupAgePrefix, kScrubPrefix}) {
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
           it->Next()) {
        const absl::string_view key(it->key().data(), it->key().size());
        removals.Delete(it->key());
        if (prefix == kDedupPrefix) {
          batch.Put(DedupKey(DedupDigest(key.substr(2))),
                    leveldb::Slice(it->value()));
        } else if (prefix == kScrubPrefix) {
          uint64_t seq = 0;
          if (GetBigEndian(key.substr(2), &seq)) {
            batch.Put(it->key(), SeqKey(seq));
          }
        }
      }
    }
  }
  if (!it->status().ok()) {
    return FromLevelDb(it->status(),
                       absl::StrCat("cannot convert log in ", directory));
  }
  removals.Append(batch);
  removals.Put(kFormatKey, kFormatValue);
  return FromLevelDb(db->Write(Synced(), &removals),
                     absl::StrCat("cannot convert log in ", directory));
}

// What stands for a bulletin id in LevelDbLog::Index::last_seq.
uint64_t KeyHash(absl::string_view id) {
  return absl::Hash<absl::string_view>()(id);
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
  } else if (format == kFormatV1 || format == kFormatV2) {
    absl::Status converted =
        ConvertToCurrent(db.get(), directory, format == kFormatV1);
    if (!converted.ok()) return converted;
  } else if (format != kFormatValue) {
    return absl::DataLossError(absl::StrCat("log in ", directory,
                                            " has unknown format '", format,
                                            "'; expected ", kFormatValue));
  }

  // One pass over the records builds what the append path keeps in memory
  // (see leveldb_log.h). The head is the last record: compaction only ever
  // removes a record that a later one supersedes.
  const uint64_t now_micros =
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  const uint64_t window_micros = static_cast<uint64_t>(
      absl::ToInt64Microseconds(log_options.dedup_window));
  Index index;
  std::vector<Index::DedupAge> in_window;
  uint64_t head = 0;
  std::unique_ptr<leveldb::Iterator> it(
      db->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(SeqKey(0)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    absl::string_view id;
    if (!DecodeRecordKey(it->key(), &seq, &id)) break;
    StoredParts parts;
    if (!ParseStoredValue(it->value(), &parts)) {
      return absl::DataLossError(
          absl::StrCat("log record ", seq, " in ", directory, " is malformed"));
    }
    head = seq;
    // Each bulletin has one record.
    if (!index.last_seq.try_emplace(KeyHash(id), seq).second) {
      index.collided_last_seq[std::string(id)] = seq;
    }
    if (parts.dedup_digest.has_value() &&
        parts.appended_micros + window_micros > now_micros) {
      in_window.push_back({seq, parts.appended_micros, *parts.dedup_digest});
    }
  }
  // Dedup ids whose records were removed inside the window: those still in
  // it are kept, the others go with the new epoch's write below.
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
  // Records an earlier run removed and did not get to scrub.
  std::vector<std::pair<std::string, std::string>> unscrubbed;
  for (it->Seek(kScrubPrefix);
       it->Valid() && it->key().starts_with(kScrubPrefix); it->Next()) {
    unscrubbed.emplace_back(it->value().ToString(), it->key().ToString());
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
  // oldest first; those that have a d/ key leave it in the batch.
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
          !new_hashes.insert(KeyHash(id)).second) {
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
      std::string removed_key = RecordKey(last.seq, id);
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
    if (last.collided) {
      index_.collided_last_seq[id] = last.seq;
    } else {
      index_.last_seq[KeyHash(id)] = last.seq;
    }
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
  if (auto it = index_.collided_last_seq.find(id);
      it != index_.collided_last_seq.end()) {
    return Last{it->second, true};
  }
  auto it = index_.last_seq.find(KeyHash(id));
  if (it == index_.last_seq.end()) return Last{0, false};
  // The hash may be another bulletin's: the record key says whose. Read
  // through an iterator, which charges LevelDB no seeks (DB::Get does, and
  // enough of them make LevelDB compact the files they land on).
  const std::string key = RecordKey(it->second, id);
  std::unique_ptr<leveldb::Iterator> reader(
      db_->NewIterator(leveldb::ReadOptions()));
  reader->Seek(key);
  if (!reader->status().ok()) {
    return FromLevelDb(reader->status(), "cannot read the log");
  }
  if (reader->Valid() && reader->key() == leveldb::Slice(key)) {
    return Last{it->second, false};
  }
  return Last{0, true};
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
    if (!ParseStoredValue(it->value(), &parts) ||
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
