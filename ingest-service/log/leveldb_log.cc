#include "ingest-service/log/leveldb_log.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/sync/wait.h"
#include "leveldb/write_batch.h"

namespace bulletin {
namespace {

// Record keys are 'r' followed by the seq in big-endian, so that LevelDB's
// bytewise order is seq order. The format key guards against opening a
// directory written by something else.
constexpr char kRecordPrefix = 'r';
constexpr char kFormatKey[] = "m/format";
constexpr char kFormatValue[] = "bulletin-log-1";
constexpr size_t kRecordKeySize = 9;

std::string RecordKey(uint64_t seq) {
  std::string key(kRecordKeySize, '\0');
  key[0] = kRecordPrefix;
  for (int i = 8; i >= 1; --i) {
    key[i] = static_cast<char>(seq & 0xff);
    seq >>= 8;
  }
  return key;
}

bool DecodeRecordKey(const leveldb::Slice& key, uint64_t* seq) {
  if (key.size() != kRecordKeySize || key[0] != kRecordPrefix) return false;
  uint64_t value = 0;
  for (size_t i = 1; i < kRecordKeySize; ++i) {
    value = (value << 8) | static_cast<unsigned char>(key[i]);
  }
  *seq = value;
  return true;
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

}  // namespace

absl::StatusOr<std::unique_ptr<LevelDbLog>> LevelDbLog::Open(
    const std::string& directory) {
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
    leveldb::WriteOptions sync;
    sync.sync = true;
    absl::Status written =
        FromLevelDb(db->Put(sync, kFormatKey, kFormatValue),
                    absl::StrCat("cannot initialise log in ", directory));
    if (!written.ok()) return written;
  } else if (!read.ok()) {
    return FromLevelDb(read, absl::StrCat("cannot read log in ", directory));
  } else if (format != kFormatValue) {
    return absl::DataLossError(absl::StrCat("log in ", directory,
                                            " has unknown format '", format,
                                            "'; expected ", kFormatValue));
  }

  // The head is the last record key. Gaps cannot arise (every append is one
  // batch of consecutive seqs), and the version index checks contiguity when
  // it replays the log at start-up.
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
  it.reset();
  return std::unique_ptr<LevelDbLog>(new LevelDbLog(std::move(db), head));
}

LevelDbLog::LevelDbLog(std::unique_ptr<leveldb::DB> db, uint64_t head_seq)
    : db_(std::move(db)), head_seq_(head_seq) {}

LevelDbLog::~LevelDbLog() = default;

absl::Status LevelDbLog::Append(const std::vector<v1::LogRecord>& records) {
  if (records.empty()) return absl::OkStatus();
  // append_mutex_ serializes writers across the synced write; mutex_ is only
  // taken to read and publish the head, so readers never wait for the disk.
  std::lock_guard<std::mutex> append_lock(append_mutex_);
  uint64_t head = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_) return absl::UnavailableError("log is closed");
    if (!write_failure_.ok()) return write_failure_;
    head = head_seq_;
  }
  leveldb::WriteBatch batch;
  std::string value;
  for (size_t i = 0; i < records.size(); ++i) {
    const uint64_t expected = head + 1 + i;
    if (records[i].seq() != expected) {
      return absl::FailedPreconditionError(
          absl::StrCat("append out of order: record has seq ", records[i].seq(),
                       ", log expects ", expected));
    }
    value.clear();
    records[i].SerializeToString(&value);
    batch.Put(RecordKey(expected), value);
  }
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status written = db_->Write(sync, &batch);
  if (!written.ok()) {
    std::lock_guard<std::mutex> lock(mutex_);
    write_failure_ = absl::UnavailableError(absl::StrCat(
        "the log could not be written (", written.ToString(),
        "); nothing more is accepted until ingest-service restarts"));
    return write_failure_;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    head_seq_ = head + records.size();
  }
  head_changed_.notify_all();
  return absl::OkStatus();
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
  uint64_t expected = after_seq + 1;
  for (it->Seek(RecordKey(expected));
       it->Valid() && records.size() < max_records && expected <= head;
       it->Next(), ++expected) {
    uint64_t seq = 0;
    if (!DecodeRecordKey(it->key(), &seq)) break;
    if (seq != expected) {
      return absl::DataLossError(absl::StrCat("log has a gap: expected seq ",
                                              expected, ", found ", seq));
    }
    v1::LogRecord& record = records.emplace_back();
    if (!record.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("log record ", seq, " does not parse"));
    }
  }
  if (!it->status().ok()) return FromLevelDb(it->status(), "cannot read log");
  if (records.empty()) {
    return absl::DataLossError(
        absl::StrCat("log record ", after_seq + 1, " is missing"));
  }
  return records;
}

uint64_t LevelDbLog::head_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return head_seq_;
}

uint64_t LevelDbLog::WaitForHeadAbove(uint64_t seq, absl::Time deadline) const {
  std::unique_lock<std::mutex> lock(mutex_);
  WaitUntil(head_changed_, lock, deadline,
            [&] { return head_seq_ > seq || closed_; });
  return head_seq_;
}

void LevelDbLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  head_changed_.notify_all();
}

bool LevelDbLog::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

}  // namespace bulletin
