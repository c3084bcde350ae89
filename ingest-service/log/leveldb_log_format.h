// The LevelDB log's keys and values (docs/durability.md, "The LevelDB log
// on disk"), shared by the log (leveldb_log.cc) and the upgrade of a log of
// an earlier format (leveldb_log_upgrade.cc). Internal to ingest-service.
//
//   std::string key = leveldb_log::RecordKey(seq, bulletin_id);
//   std::string value = leveldb_log::StoredValue(record, now_micros, nullptr);
//   leveldb_log::StoredParts parts;
//   if (!leveldb_log::ParseStoredValue(key, value, &parts)) ...;  // corrupt
//
// Numbers are 8 bytes big-endian, so that LevelDB's bytewise order is
// numeric order. Keys:
//   m/format             kFormatValue
//   m/log_id             the log's id
//   m/upgrade            the format an unfinished upgrade started from
//   e/<epoch>            <first seq of the epoch>
//   r<seq><bulletin id>  <header><LogRecord without its seqs> (this format)
//   r<seq>               <LogRecord> (kept from an earlier format)
//   u/<dedup digest>     <seq><appended at, unix micros>: a dedup id inside
//                        the window whose record does not carry it
//   s/<seq>              <record key>, or empty for r<seq>: that record was
//                        removed and its bytes may still be in the files
// Thread-safety: stateless functions and constants.

#ifndef BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_FORMAT_H_
#define BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bulletin/v1/log.pb.h"
#include "leveldb/options.h"
#include "leveldb/slice.h"
#include "leveldb/status.h"

namespace bulletin::leveldb_log {

inline constexpr char kRecordPrefix = 'r';
inline constexpr size_t kSeqKeySize = 9;  // kRecordPrefix and the seq.
inline constexpr char kFormatKey[] = "m/format";
inline constexpr char kLogIdKey[] = "m/log_id";
inline constexpr char kUpgradeKey[] = "m/upgrade";
inline constexpr char kFormatV1[] = "bulletin-log-1";
inline constexpr char kFormatV2[] = "bulletin-log-2";
inline constexpr char kFormatValue[] = "bulletin-log-3";
inline constexpr char kEpochPrefix[] = "e/";
inline constexpr char kDedupPrefix[] = "u/";
inline constexpr char kScrubPrefix[] = "s/";
// The second format's index keys, read only by the upgrade.
inline constexpr char kV2BulletinPrefix[] = "b/";
inline constexpr char kV2DedupPrefix[] = "d/";
inline constexpr char kV2DedupAgePrefix[] = "t/";

void PutBigEndian(uint64_t value, std::string* out);
bool GetBigEndian(absl::string_view in, uint64_t* value);
std::string BigEndian(uint64_t value);

// The first key of record `seq`, whatever its bulletin, and the whole key
// of a record kept from an earlier format.
std::string SeqKey(uint64_t seq);
// The key of a record of this format.
std::string RecordKey(uint64_t seq, absl::string_view bulletin_id);
// The seq of a record key, of either layout; false for any other key.
// `bulletin_id` (when not null) is the id the key holds: empty for a
// record kept from an earlier format, whose value holds it instead.
bool DecodeRecordKey(const leveldb::Slice& key, uint64_t* seq,
                     absl::string_view* bulletin_id = nullptr);
std::string ScrubKey(uint64_t seq);

// What stands for a dedup id in memory and on disk: the first 16 bytes of
// its SHA-256. Ids come from clients' request ids; two that share a
// digest are as unlikely as a SHA-256 collision, so a digest is taken for
// its id.
absl::uint128 DedupDigest(absl::string_view dedup_id);
std::string DedupKey(absl::uint128 digest);
bool GetDigest(absl::string_view in, absl::uint128* digest);
void PutDigest(absl::uint128 digest, std::string* out);

// The stored form of a record of this format: a header (when, and with
// which dedup id, it was appended), then the record without its seqs (its
// key holds the seq).
std::string StoredValue(const v1::LogRecord& record, uint64_t appended_micros,
                        const absl::uint128* dedup_digest);

// A stored record split into its header's fields and the serialized
// record. A record kept from an earlier format has no header.
struct StoredParts {
  uint64_t appended_micros = 0;
  std::optional<absl::uint128> dedup_digest;
  absl::string_view record;
};
// False when a value of this format's layout is malformed. `key` says
// which layout `value` has.
bool ParseStoredValue(const leveldb::Slice& key, const leveldb::Slice& value,
                      StoredParts* parts);

// The bulletin id of a serialized LogRecord, read without parsing the rest
// (a record kept from an earlier format holds its id nowhere else, and Open
// reads every record). False when the bytes are not a LogRecord's.
bool BulletinIdOfSerialized(absl::string_view serialized, std::string* id);

absl::Status FromLevelDb(const leveldb::Status& status,
                         absl::string_view doing);
leveldb::WriteOptions Synced();

}  // namespace bulletin::leveldb_log

#endif  // BULLETIN_INGEST_SERVICE_LOG_LEVELDB_LOG_FORMAT_H_
