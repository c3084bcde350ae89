#include "bench/log/load_run.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/testing/child_process.h"

namespace bulletin::bench {

absl::StatusOr<LoadFigures> MeasureLoad(const LoadRun& run,
                                        const std::string& scratch_dir) {
  std::vector<std::string> argv = {
      run.load_binary,
      "--mode=" + run.mode,
      "--target=" + run.target,
      absl::StrCat("--concurrency=", run.concurrency),
      "--warmup=" + absl::FormatDuration(run.warmup),
      "--duration=" + absl::FormatDuration(run.duration)};
  if (run.mode == "submit") {
    argv.push_back(absl::StrCat("--first_bulletin=", run.first_bulletin));
    argv.push_back(absl::StrCat("--bulletins=", run.bulletins));
  }
  if (run.server_pid > 0) {
    argv.push_back(absl::StrCat("--server_pid=", run.server_pid));
  }
  if (!run.peer_pids.empty()) {
    argv.push_back("--peer_pids=" + absl::StrJoin(run.peer_pids, ","));
  }
  // Generous: the corpus is generated before the timed window.
  const absl::Duration timeout = run.warmup + run.duration + absl::Minutes(2);
  absl::StatusOr<testing::CommandResult> result =
      testing::RunCommand(argv, scratch_dir, timeout);
  if (!result.ok()) return result.status();
  const std::string line(absl::StripAsciiWhitespace(result->out));
  if (result->exit_code != 0) {
    return absl::InternalError(absl::StrCat("bulletin_load exited ",
                                            result->exit_code, ": ", line, " ",
                                            result->err));
  }
  absl::flat_hash_map<std::string, std::string> fields;
  for (absl::string_view field :
       absl::StrSplit(line, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(field, absl::MaxSplits('=', 1));
    fields[kv.first] = kv.second;
  }
  LoadFigures rate;
  rate.line = line;
  const std::pair<const char*, double*> wanted[] = {
      {"throughput", &rate.per_second},
      {"p50_ms", &rate.p50_ms},
      {"p99_ms", &rate.p99_ms},
      {"client_cpu_us", &rate.client_cpu_us}};
  for (const auto& [key, value] : wanted) {
    if (!absl::SimpleAtod(fields[key], value)) {
      return absl::InternalError(
          absl::StrCat("bulletin_load printed no ", key, ": ", line));
    }
  }
  if (fields["failed"] != "0") {
    return absl::InternalError(
        absl::StrCat("calls failed under load: ", line, " ", result->err));
  }
  // Present only when asked for (server_pid, peer_pids).
  if (run.server_pid > 0 &&
      !absl::SimpleAtod(fields["server_cpu_us"], &rate.server_cpu_us)) {
    return absl::InternalError(
        absl::StrCat("bulletin_load printed no server_cpu_us: ", line));
  }
  if (!run.peer_pids.empty() &&
      !absl::SimpleAtod(fields["peer_cpu_us"], &rate.peer_cpu_us)) {
    return absl::InternalError(
        absl::StrCat("bulletin_load printed no peer_cpu_us: ", line));
  }
  return rate;
}

}  // namespace bulletin::bench
