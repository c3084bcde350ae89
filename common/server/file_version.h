// Which version of a file is on disk, cheaply: its inode, size and
// modification time. A changed version means the file was rewritten, or
// replaced (a Kubernetes Secret update swaps the mounted files by renaming
// a symlink, which changes the inode the path leads to).
//
//   std::optional<bulletin::FileVersion> seen =
//       bulletin::FileVersion::Of("/etc/bulletin/token/token");
//   if (seen && *seen != last_read) ... read it again
//
// Used by what re-reads its files while the process runs: bearer tokens
// (token_file.h) and the HTTPS certificate (tls_files.h).
//
// Thread-safety: a value type; Of is a pure function of the file system.

#ifndef BULLETIN_COMMON_SERVER_FILE_VERSION_H_
#define BULLETIN_COMMON_SERVER_FILE_VERSION_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace bulletin {

struct FileVersion {
  ino_t inode = 0;
  off_t size = 0;
  int64_t modified_ns = 0;

  // The version of `path` now (following symlinks); nullopt when it cannot
  // be stat'ed.
  static std::optional<FileVersion> Of(const std::string& path) {
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) return std::nullopt;
    return FileVersion{info.st_ino, info.st_size,
                       static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 +
                           info.st_mtim.tv_nsec};
  }

  bool operator==(const FileVersion& other) const {
    return inode == other.inode && size == other.size &&
           modified_ns == other.modified_ns;
  }
  bool operator!=(const FileVersion& other) const { return !(*this == other); }
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_FILE_VERSION_H_
