#include "common/server/token_file.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/json_log.h"
#include "common/server/auth.h"
#include "common/server/tls.h"

namespace bulletin {

absl::StatusOr<std::shared_ptr<TokenFile>> TokenFile::Open(
    std::string path, absl::Duration recheck) {
  std::shared_ptr<TokenFile> file(new TokenFile(std::move(path), recheck));
  MutexLock lock(&file->mutex_);
  absl::Status loaded = file->Load();
  if (!loaded.ok()) return loaded;
  return file;
}

absl::Status TokenFile::Load() {
  std::optional<FileVersion> version = FileVersion::Of(path_);
  if (!version.has_value()) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path_));
  }
  absl::StatusOr<std::string> content = ReadWholeFile(path_);
  if (!content.ok()) return content.status();
  std::vector<Token> tokens;
  for (absl::string_view line : absl::StrSplit(*content, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    tokens.push_back({std::string(line), TokenFingerprint(line)});
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, " holds no token"));
  }
  tokens_ = std::move(tokens);
  version_ = *version;
  checked_ = absl::Now();
  return absl::OkStatus();
}

void TokenFile::ReloadIfChanged() {
  const absl::Time now = absl::Now();
  if (now - checked_ < recheck_) return;
  checked_ = now;
  std::optional<FileVersion> seen = FileVersion::Of(path_);
  if (!seen.has_value() || *seen == version_) return;
  const size_t before = tokens_.size();
  absl::Status loaded = Load();
  if (!loaded.ok()) {
    // Keep what worked; try again at the next check.
    version_ = *seen;
    LogWarning("token_file_unusable", {{"path", path_},
                                       {"error", loaded.ToString()},
                                       {"kept_tokens", before}});
    return;
  }
  LogInfo("token_file_reloaded",
          {{"path", path_}, {"tokens", static_cast<uint64_t>(tokens_.size())}});
}

std::string TokenFile::Match(absl::string_view presented) {
  MutexLock lock(&mutex_);
  ReloadIfChanged();
  std::string matched;
  for (const Token& token : tokens_) {
    if (TokensEqual(presented, token.secret)) matched = token.fingerprint;
  }
  return matched;
}

size_t TokenFile::size() {
  MutexLock lock(&mutex_);
  return tokens_.size();
}

}  // namespace bulletin
