#include "ingest-service/log/leveldb_log_format.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "openssl/sha.h"

namespace bulletin::leveldb_log {

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

bool DecodeRecordKey(const leveldb::Slice& key, uint64_t* seq,
                     absl::string_view* bulletin_id) {
  if (key.size() < kSeqKeySize || key[0] != kRecordPrefix) return false;
  if (bulletin_id != nullptr) {
    *bulletin_id =
        absl::string_view(key.data() + kSeqKeySize, key.size() - kSeqKeySize);
  }
  return GetBigEndian(absl::string_view(key.data() + 1, 8), seq);
}

std::string ScrubKey(uint64_t seq) {
  return absl::StrCat(kScrubPrefix, BigEndian(seq));
}

absl::uint128 DedupDigest(absl::string_view dedup_id) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(dedup_id.data()),
         dedup_id.size(), digest);
  absl::uint128 result;
  GetDigest(absl::string_view(reinterpret_cast<char*>(digest), 16), &result);
  return result;
}

void PutDigest(absl::uint128 digest, std::string* out) {
  PutBigEndian(absl::Uint128High64(digest), out);
  PutBigEndian(absl::Uint128Low64(digest), out);
}

bool GetDigest(absl::string_view in, absl::uint128* digest) {
  uint64_t high = 0, low = 0;
  if (in.size() < 16 || !GetBigEndian(in, &high) ||
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

bool ParseStoredValue(const leveldb::Slice& key, const leveldb::Slice& value,
                      StoredParts* parts) {
  if (key.size() == kSeqKeySize) {  // Kept from an earlier format.
    *parts = StoredParts();
    parts->record = absl::string_view(value.data(), value.size());
    return true;
  }
  if (value.empty()) return false;
  const size_t header_size = static_cast<unsigned char>(value[0]);
  const absl::string_view in(value.data() + 1, value.size() - 1);
  if (in.size() < header_size || header_size < 8) return false;
  const absl::string_view header(in.data(), header_size);
  GetBigEndian(header, &parts->appended_micros);
  absl::uint128 digest;
  parts->dedup_digest.reset();
  if (GetDigest(header.substr(8), &digest)) parts->dedup_digest = digest;
  parts->record =
      absl::string_view(in.data() + header_size, in.size() - header_size);
  return true;
}

bool BulletinIdOfSerialized(absl::string_view serialized, std::string* id) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream input(
      reinterpret_cast<const uint8_t*>(serialized.data()),
      static_cast<int>(serialized.size()));
  // Both kinds of change keep the bulletin id in field 1.
  static_assert(v1::Bulletin::kIdFieldNumber == 1);
  static_assert(v1::Retraction::kIdFieldNumber == 1);
  constexpr uint32_t kIdTag =
      WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  id->clear();
  // A serializer writes a singular field once; should one appear twice, the
  // last wins, as in a parse.
  while (const uint32_t tag = input.ReadTag()) {
    const int field = WireFormatLite::GetTagFieldNumber(tag);
    if ((field == v1::LogRecord::kUpsertFieldNumber ||
         field == v1::LogRecord::kRetractionFieldNumber) &&
        WireFormatLite::GetTagWireType(tag) ==
            WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      if (!input.ReadVarint32(&length)) return false;
      // A length past the bytes left would let the change end where the
      // bytes do, and a record cut short at a field's end read as whole.
      if (length >
          serialized.size() - static_cast<size_t>(input.CurrentPosition())) {
        return false;
      }
      const auto limit = input.PushLimit(static_cast<int>(length));
      id->clear();
      while (const uint32_t inner = input.ReadTag()) {
        if (inner == kIdTag) {
          if (!WireFormatLite::ReadString(&input, id)) return false;
        } else if (!WireFormatLite::SkipField(&input, inner)) {
          return false;
        }
      }
      if (!input.ConsumedEntireMessage()) return false;
      input.PopLimit(limit);
    } else if (!WireFormatLite::SkipField(&input, tag)) {
      return false;
    }
  }
  return input.ConsumedEntireMessage();
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

}  // namespace bulletin::leveldb_log
