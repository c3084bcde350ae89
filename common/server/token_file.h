// The bearer tokens in a file, re-read when the file changes, so that tokens
// rotate without a restart: add the new token on a line of its own beside
// the old one, move the clients over, then remove the old line. A Secret
// update (kubelet swaps the mounted files) or an edit takes effect within
// `recheck` of the change.
//
//   absl::StatusOr<std::shared_ptr<bulletin::TokenFile>> tokens =
//       bulletin::TokenFile::Open("/etc/bulletin/token/token");
//   std::string caller = (*tokens)->Match(presented);   // "" if none
//
// The file holds one token per line; blank lines and lines starting with
// '#' are ignored; surrounding whitespace is not part of a token. A file
// that becomes unreadable or holds no token keeps the tokens last read (and
// logs a warning), so a botched edit does not lock every client out.
//
// Thread-safety: Match may be called from any thread.

#ifndef BULLETIN_COMMON_SERVER_TOKEN_FILE_H_
#define BULLETIN_COMMON_SERVER_TOKEN_FILE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/file_version.h"
#include "common/sync/mutex.h"

namespace bulletin {

class TokenFile {
 public:
  // Reads `path` now: NOT_FOUND or PERMISSION_DENIED when it cannot be
  // read, INVALID_ARGUMENT when it holds no token.
  static absl::StatusOr<std::shared_ptr<TokenFile>> Open(
      std::string path, absl::Duration recheck = absl::Seconds(1));

  // The fingerprint ("bearer:" and 8 hex digits, see TokenFingerprint) of
  // the token equal to `presented`, or "" when none is. Every token is
  // compared, each in constant time.
  std::string Match(absl::string_view presented);

  // How many tokens the file held when last read.
  size_t size();

 private:
  struct Token {
    std::string secret;
    std::string fingerprint;
  };

  TokenFile(std::string path, absl::Duration recheck)
      : path_(std::move(path)), recheck_(recheck) {}
  // Re-reads the file if `recheck` has passed and it changed.
  void ReloadIfChanged() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string path_;
  const absl::Duration recheck_;
  Mutex mutex_;
  std::vector<Token> tokens_ ABSL_GUARDED_BY(mutex_);
  FileVersion version_ ABSL_GUARDED_BY(mutex_);
  absl::Time checked_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_TOKEN_FILE_H_
