#include "query-service/snapshot/snapshot_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace bulletin {
namespace {

// docs/index-format.md, "Snapshots", describes every byte written here.
constexpr char kMagic[8] = {'B', 'L', 'T', 'N', 'S', 'N', 'A', 'P'};
constexpr char kEndMagic[8] = {'B', 'L', 'T', 'N', 'S', 'E', 'N', 'D'};
constexpr size_t kMagicSize = sizeof(kMagic);
// The index image is cut into blocks of this many bytes (the last may be
// shorter), each compressed on its own: large enough for zstd to find the
// repeats between bulletins, small enough that a reader holds one at a
// time.
constexpr size_t kBlockTargetBytes = 1 << 20;
// A bound a reader checks before it allocates for a block.
constexpr uint32_t kMaxBlockRawBytes = kBlockTargetBytes;
constexpr uint32_t kMaxHeaderBytes = 1 << 16;
// Header fields before the log id: seq, epoch, bulletins, log id size.
constexpr uint32_t kFixedHeaderBytes = 8 + 8 + 8 + 4;
// zstd's fastest level: a snapshot is written while the replica serves.
constexpr int kZstdLevel = 1;

void PutU32(uint32_t v, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

void PutU64(uint64_t v, std::string* out) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint32_t GetU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint32_t Crc32(uint32_t crc, const void* data, size_t size) {
  return static_cast<uint32_t>(
      crc32_z(crc, static_cast<const Bytef*>(data), size));
}

absl::Status ErrnoError(absl::string_view call, const std::string& path) {
  const int error = errno;
  return absl::ErrnoToStatus(error, absl::StrCat(call, " ", path));
}

absl::Status WriteAll(int fd, const std::string& path, const char* data,
                      size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Writes the header, the blocks and the trailer to `fd`.
absl::Status WriteContents(int fd, const std::string& path,
                           const BulletinIndex::Checkpoint& checkpoint,
                           int64_t* bytes_written) {
  const LogIdentity& identity = checkpoint.log_identity();
  std::string out(kMagic, kMagicSize);
  PutU32(kSnapshotFormatVersion, &out);
  PutU32(kFixedHeaderBytes + static_cast<uint32_t>(identity.log_id.size()),
         &out);
  PutU64(checkpoint.applied_seq(), &out);
  PutU64(identity.epoch, &out);
  PutU64(checkpoint.size(), &out);
  PutU32(static_cast<uint32_t>(identity.log_id.size()), &out);
  out += identity.log_id;
  PutU32(Crc32(0, out.data() + kMagicSize, out.size() - kMagicSize), &out);

  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> compressor(
      ZSTD_createCCtx(), ZSTD_freeCCtx);
  std::string raw;
  std::string stored;
  auto flush = [&]() -> absl::Status {
    stored.resize(ZSTD_compressBound(raw.size()));
    const size_t size =
        ZSTD_compressCCtx(compressor.get(), stored.data(), stored.size(),
                          raw.data(), raw.size(), kZstdLevel);
    if (ZSTD_isError(size)) {
      return absl::InternalError(absl::StrCat("compressing a block of ", path,
                                              ": ", ZSTD_getErrorName(size)));
    }
    const size_t block_start = out.size();
    PutU32(static_cast<uint32_t>(raw.size()), &out);
    PutU32(static_cast<uint32_t>(size), &out);
    uint32_t crc = Crc32(0, out.data() + block_start, 8);
    crc = Crc32(crc, stored.data(), size);
    PutU32(crc, &out);
    out.append(stored.data(), size);
    raw.clear();
    absl::Status written = WriteAll(fd, path, out.data(), out.size());
    *bytes_written += static_cast<int64_t>(out.size());
    out.clear();
    return written;
  };
  // The image arrives in pieces of any size; blocks are cut at
  // kBlockTargetBytes.
  absl::Status written =
      checkpoint.WriteImage([&](absl::string_view bytes) -> absl::Status {
        while (!bytes.empty()) {
          const size_t take =
              std::min(bytes.size(), kBlockTargetBytes - raw.size());
          raw.append(bytes.data(), take);
          bytes.remove_prefix(take);
          if (raw.size() == kBlockTargetBytes) {
            absl::Status flushed = flush();
            if (!flushed.ok()) return flushed;
          }
        }
        return absl::OkStatus();
      });
  if (!written.ok()) return written;
  if (!raw.empty()) {
    absl::Status flushed = flush();
    if (!flushed.ok()) return flushed;
  }
  PutU32(0, &out);
  PutU64(checkpoint.size(), &out);
  out.append(kEndMagic, sizeof(kEndMagic));
  *bytes_written += static_cast<int64_t>(out.size());
  return WriteAll(fd, path, out.data(), out.size());
}

// Makes a rename in `path`'s directory durable.
absl::Status SyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", dir);
  absl::Status status = absl::OkStatus();
  if (fsync(fd) != 0) status = ErrnoError("fsync", dir);
  close(fd);
  return status;
}

// A file mapped read-only for the life of the object.
class MappedFile {
 public:
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(
      const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoError("open", path);
    absl::Cleanup close_fd = [fd] { close(fd); };
    struct stat info;
    if (fstat(fd, &info) != 0) return ErrnoError("stat", path);
    auto file = std::unique_ptr<MappedFile>(new MappedFile);
    file->size_ = static_cast<size_t>(info.st_size);
    if (file->size_ == 0) return file;
    void* data = mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) return ErrnoError("mmap", path);
    // Read once, front to back: let the kernel read ahead and drop pages
    // behind.
    (void)madvise(data, file->size_, MADV_SEQUENTIAL);
    file->data_ = static_cast<const uint8_t*>(data);
    return file;
  }
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<uint8_t*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Reads a snapshot's bytes front to back, saying where it stopped.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  // The next `n` bytes, or null (and nothing consumed) if fewer are left.
  const uint8_t* Take(size_t n) {
    if (n > size_ - offset_) return nullptr;
    const uint8_t* at = data_ + offset_;
    offset_ += n;
    return at;
  }
  size_t offset() const { return offset_; }
  size_t left() const { return size_ - offset_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

absl::Status Truncated(const Reader& reader, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("truncated: the file ends at byte ",
                                          reader.offset() + reader.left(),
                                          " inside ", what));
}

absl::StatusOr<SnapshotSummary> ReadHeader(Reader& reader) {
  const uint8_t* magic = reader.Take(kMagicSize);
  if (magic == nullptr) return Truncated(reader, "the header");
  if (std::memcmp(magic, kMagic, kMagicSize) != 0) {
    return absl::DataLossError("not a snapshot: its first 8 bytes are wrong");
  }
  const uint8_t* fixed = reader.Take(8);
  if (fixed == nullptr) return Truncated(reader, "the header");
  const uint32_t version = GetU32(fixed);
  if (version != kSnapshotFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("format version ", version, "; this build reads version ",
                     kSnapshotFormatVersion));
  }
  const uint32_t header_bytes = GetU32(fixed + 4);
  if (header_bytes < kFixedHeaderBytes || header_bytes > kMaxHeaderBytes) {
    return absl::DataLossError(absl::StrCat("malformed header: ", header_bytes,
                                            " bytes of header fields"));
  }
  const uint8_t* fields = reader.Take(header_bytes);
  const uint8_t* stored_crc = reader.Take(4);
  if (fields == nullptr || stored_crc == nullptr) {
    return Truncated(reader, "the header");
  }
  if (Crc32(0, fixed, fields + header_bytes - fixed) != GetU32(stored_crc)) {
    return absl::DataLossError("header checksum mismatch");
  }
  SnapshotSummary summary;
  summary.applied_seq = GetU64(fields);
  summary.log_identity.epoch = GetU64(fields + 8);
  summary.bulletins = static_cast<int64_t>(GetU64(fields + 16));
  const uint32_t id_size = GetU32(fields + 24);
  if (id_size != header_bytes - kFixedHeaderBytes) {
    return absl::DataLossError(absl::StrCat("malformed header: a log id of ",
                                            id_size, " bytes in ", header_bytes,
                                            " bytes of fields"));
  }
  summary.log_identity.log_id.assign(
      reinterpret_cast<const char*>(fields + kFixedHeaderBytes), id_size);
  return summary;
}

absl::Status Corrupt(size_t offset, absl::string_view what) {
  return absl::DataLossError(absl::StrCat("at byte ", offset, ": ", what));
}

// Reads the blocks' bytes in order, checking each block before any of its
// bytes are used.
class BlockReader {
 public:
  BlockReader(Reader& reader, ZSTD_DCtx* decompressor)
      : reader_(reader), decompressor_(decompressor) {}

  // Fills `size` bytes at `into` from the blocks.
  absl::Status Read(char* into, size_t size) {
    while (size > 0) {
      if (at_ == raw_.size()) {
        absl::Status next = NextBlock();
        if (!next.ok()) return next;
      }
      const size_t take = std::min(size, raw_.size() - at_);
      std::memcpy(into, raw_.data() + at_, take);
      at_ += take;
      into += take;
      size -= take;
    }
    return absl::OkStatus();
  }

  // True when every byte of the blocks was read and the next thing in the
  // file is the trailer's end mark, which it consumes.
  bool AtEnd() {
    if (at_ != raw_.size()) return false;
    const uint8_t* end = reader_.Take(4);
    return end != nullptr && GetU32(end) == 0;
  }

 private:
  absl::Status NextBlock() {
    const size_t block_start = reader_.offset();
    const uint8_t* header = reader_.Take(12);
    if (header == nullptr) return Truncated(reader_, "a block header");
    const uint32_t raw_size = GetU32(header);
    const uint32_t stored_size = GetU32(header + 4);
    if (raw_size == 0) {
      return Corrupt(block_start, "the blocks end inside the index image");
    }
    const uint8_t* stored = reader_.Take(stored_size);
    if (stored == nullptr) return Truncated(reader_, "a block");
    uint32_t crc = Crc32(0, header, 8);
    crc = Crc32(crc, stored, stored_size);
    if (crc != GetU32(header + 8)) {
      return Corrupt(block_start, "block checksum mismatch");
    }
    if (raw_size > kMaxBlockRawBytes ||
        ZSTD_getFrameContentSize(stored, stored_size) != raw_size) {
      return Corrupt(block_start, "malformed block: sizes disagree");
    }
    raw_.resize(raw_size);
    const size_t size = ZSTD_decompressDCtx(decompressor_, raw_.data(),
                                            raw_size, stored, stored_size);
    if (ZSTD_isError(size) || size != raw_size) {
      return Corrupt(block_start, "malformed block: it does not decompress");
    }
    at_ = 0;
    return absl::OkStatus();
  }

  Reader& reader_;
  ZSTD_DCtx* decompressor_;
  std::string raw_;
  size_t at_ = 0;
};

absl::StatusOr<SnapshotSummary> Load(const MappedFile& file,
                                     BulletinIndex* index) {
  Reader reader(file.data(), file.size());
  absl::StatusOr<SnapshotSummary> summary = ReadHeader(reader);
  if (!summary.ok()) return summary.status();
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> decompressor(
      ZSTD_createDCtx(), ZSTD_freeDCtx);
  BlockReader blocks(reader, decompressor.get());
  absl::Status loaded = index->LoadImage(
      [&blocks](char* into, size_t size) { return blocks.Read(into, size); },
      summary->applied_seq);
  if (!loaded.ok()) return loaded;
  const size_t trailer_start = reader.offset();
  if (!blocks.AtEnd()) {
    return reader.left() == 0
               ? Truncated(reader, "the trailer")
               : Corrupt(trailer_start,
                         "the index image ends before its blocks");
  }
  const uint8_t* count = reader.Take(8);
  const uint8_t* magic = reader.Take(sizeof(kEndMagic));
  if (count == nullptr || magic == nullptr) {
    return Truncated(reader, "the trailer");
  }
  if (std::memcmp(magic, kEndMagic, sizeof(kEndMagic)) != 0 ||
      reader.left() != 0) {
    return Corrupt(trailer_start, "malformed trailer");
  }
  const int64_t bulletins = index->Stats().bulletin_count();
  if (static_cast<int64_t>(GetU64(count)) != summary->bulletins ||
      bulletins != summary->bulletins) {
    return Corrupt(trailer_start,
                   absl::StrCat("the header counts ", summary->bulletins,
                                " bulletins, the trailer ", GetU64(count),
                                ", the image holds ", bulletins));
  }
  index->SetLogIdentity(summary->log_identity);
  summary->bytes = static_cast<int64_t>(file.size());
  return summary;
}

}  // namespace

absl::StatusOr<SnapshotSummary> WriteSnapshotFile(
    const BulletinIndex::Checkpoint& checkpoint, const std::string& path) {
  const std::string temp = path + ".tmp";
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("open", temp);
  SnapshotSummary summary;
  summary.applied_seq = checkpoint.applied_seq();
  summary.log_identity = checkpoint.log_identity();
  summary.bulletins = static_cast<int64_t>(checkpoint.size());
  absl::Status status = WriteContents(fd, temp, checkpoint, &summary.bytes);
  if (status.ok() && fsync(fd) != 0) status = ErrnoError("fsync", temp);
  if (close(fd) != 0 && status.ok()) status = ErrnoError("close", temp);
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoError("rename to " + path, temp);
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  absl::Status synced = SyncDirectoryOf(path);
  if (!synced.ok()) return synced;
  return summary;
}

absl::StatusOr<SnapshotSummary> LoadSnapshotFile(const std::string& path,
                                                 BulletinIndex* index) {
  if (index->applied_seq() != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("loading ", path, " into an index that is not empty"));
  }
  absl::StatusOr<std::unique_ptr<MappedFile>> file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<SnapshotSummary> loaded = Load(**file, index);
  if (!loaded.ok()) {
    index->Clear();
    return absl::Status(loaded.status().code(),
                        absl::StrCat(path, ": ", loaded.status().message()));
  }
  return loaded;
}

}  // namespace bulletin
