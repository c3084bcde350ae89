#include "query-service/snapshot/snapshot_directory.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/log/json_log.h"

namespace bulletin {
namespace {

constexpr absl::string_view kPrefix = "snapshot-";
constexpr absl::string_view kSuffix = ".snap";
constexpr absl::string_view kTempSuffix = ".snap.tmp";

struct Entry {
  uint64_t generation;
  std::string path;
};

// The names in `dir` (without . and ..).
absl::StatusOr<std::vector<std::string>> Names(const std::string& dir) {
  DIR* handle = opendir(dir.c_str());
  if (handle == nullptr) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrCat("opendir ", dir));
  }
  std::vector<std::string> names;
  while (const dirent* entry = readdir(handle)) {
    const absl::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  closedir(handle);
  return names;
}

// The snapshots in `dir`, newest first.
absl::StatusOr<std::vector<Entry>> Entries(const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> names = Names(dir);
  if (!names.ok()) return names.status();
  std::vector<Entry> entries;
  for (absl::string_view name : *names) {
    if (!absl::ConsumePrefix(&name, kPrefix) ||
        !absl::ConsumeSuffix(&name, kSuffix)) {
      continue;
    }
    uint64_t generation = 0;
    if (!absl::SimpleAtoi(name, &generation)) continue;
    entries.push_back(
        {generation, absl::StrCat(dir, "/", kPrefix, name, kSuffix)});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.generation > b.generation;
  });
  return entries;
}

}  // namespace

SnapshotDirectory::SnapshotDirectory(std::string path, int keep)
    : path_(std::move(path)), keep_(std::max(keep, 1)) {}

absl::Status SnapshotDirectory::Open() {
  if (mkdir(path_.c_str(), 0755) != 0 && errno != EEXIST) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrCat("mkdir ", path_));
  }
  absl::StatusOr<std::vector<std::string>> names = Names(path_);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (!absl::StartsWith(name, kPrefix) ||
        !absl::EndsWith(name, kTempSuffix)) {
      continue;
    }
    const std::string temp = absl::StrCat(path_, "/", name);
    LogInfo("snapshot_temp_removed", {{"file", temp}});
    unlink(temp.c_str());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SnapshotDirectory::List() const {
  absl::StatusOr<std::vector<Entry>> entries = Entries(path_);
  if (!entries.ok()) return entries.status();
  std::vector<std::string> paths;
  for (Entry& entry : *entries) paths.push_back(std::move(entry.path));
  return paths;
}

absl::StatusOr<WrittenSnapshot> SnapshotDirectory::LoadNewest(
    BulletinIndex* index) {
  absl::StatusOr<std::vector<std::string>> paths = List();
  if (!paths.ok()) return paths.status();
  for (const std::string& path : *paths) {
    absl::StatusOr<SnapshotSummary> loaded = LoadSnapshotFile(path, index);
    if (loaded.ok()) return WrittenSnapshot{path, *std::move(loaded)};
    LogWarning("snapshot_skipped",
               {{"file", path}, {"reason", loaded.status().ToString()}});
    skipped_.insert(path);
  }
  return absl::NotFoundError(absl::StrCat("no valid snapshot in ", path_, " (",
                                          paths->size(), " skipped)"));
}

absl::StatusOr<WrittenSnapshot> SnapshotDirectory::Write(
    const BulletinIndex::Checkpoint& checkpoint) {
  absl::StatusOr<std::vector<Entry>> entries = Entries(path_);
  if (!entries.ok()) return entries.status();
  const uint64_t generation =
      entries->empty() ? 1 : entries->front().generation + 1;
  WrittenSnapshot written;
  written.path =
      absl::StrFormat("%s/%s%020d%s", path_, kPrefix, generation, kSuffix);
  absl::StatusOr<SnapshotSummary> summary =
      WriteSnapshotFile(checkpoint, written.path);
  if (!summary.ok()) return summary.status();
  written.summary = *std::move(summary);
  // The new one is the newest: keep it and the keep_ - 1 newest valid
  // others.
  int kept = 1;
  for (const Entry& entry : *entries) {
    if (!skipped_.count(entry.path) && kept < keep_) {
      ++kept;
      continue;
    }
    if (unlink(entry.path.c_str()) == 0) {
      LogInfo("snapshot_removed", {{"file", entry.path}});
    }
  }
  skipped_.clear();
  return written;
}

}  // namespace bulletin
