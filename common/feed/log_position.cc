#include "common/feed/log_position.h"

#include "absl/strings/str_cat.h"

namespace bulletin {

absl::Status CheckLogPosition(absl::string_view log_id,
                              absl::Span<const EpochStart> history,
                              uint64_t head_seq, const LogIdentity& seen,
                              uint64_t applied_seq) {
  if (applied_seq == 0) return absl::OkStatus();
  if (seen.log_id != log_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the reader followed log '", seen.log_id, "' but this is log '", log_id,
        "' (the log was replaced): rebuild from seq 0"));
  }
  if (applied_seq > head_seq) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the reader applied up to seq ", applied_seq, " but this log ends at ",
        head_seq, " (it was restored or truncated): rebuild from seq 0"));
  }
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].epoch != seen.epoch) continue;
    if (i + 1 < history.size() && applied_seq >= history[i + 1].first_seq) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the reader applied up to seq ", applied_seq, " in epoch ",
          seen.epoch, ", but in this log that epoch ended at seq ",
          history[i + 1].first_seq - 1,
          " (the log was restored from an earlier copy): rebuild from seq 0"));
    }
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat("epoch ", seen.epoch, " of log '", log_id,
                   "' is not in its history (the log was restored from an "
                   "earlier copy): rebuild from seq 0"));
}

}  // namespace bulletin
