#include "query-service/served_log.h"

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/server/error_details.h"

namespace bulletin {
namespace {

// `after_seq`: the position refused, if one was.
absl::Status ResyncRequired(absl::string_view why, const LogIdentity& served,
                            std::optional<uint64_t> after_seq) {
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"log_id", served.log_id}, {"log_epoch", absl::StrCat(served.epoch)}};
  if (after_seq.has_value()) {
    metadata.emplace_back("after_seq", absl::StrCat(*after_seq));
  }
  return WithErrorInfo(
      absl::FailedPreconditionError(absl::StrCat(
          why,
          "; resync: Search for the current matches, then Watch with "
          "after_seq, log_id and log_epoch set to that response's "
          "applied_seq, log_id and log_epoch")),
      kReasonResyncRequired, metadata);
}

}  // namespace

void ServedLog::Loaded(const LogIdentity& identity) {
  MutexLock lock(&mutex_);
  identity_ = identity;
  epochs_.clear();
}

bool ServedLog::Heard(const LogIdentity& identity,
                      std::vector<EpochStart> epochs) {
  MutexLock lock(&mutex_);
  const bool other_log =
      !identity_.log_id.empty() && identity.log_id != identity_.log_id;
  if (other_log) generation_ += 2;
  identity_ = identity;
  epochs_ = std::move(epochs);
  return other_log;
}

void ServedLog::BeginReplace() {
  MutexLock lock(&mutex_);
  ++generation_;
}

void ServedLog::Replaced(const LogIdentity& identity,
                         std::vector<EpochStart> epochs) {
  MutexLock lock(&mutex_);
  if (generation_ % 2 == 1) ++generation_;
  identity_ = identity;
  epochs_ = std::move(epochs);
}

uint64_t ServedLog::generation() const {
  MutexLock lock(&mutex_);
  return generation_;
}

LogIdentity ServedLog::identity() const {
  MutexLock lock(&mutex_);
  return identity_;
}

absl::Status ServedLog::ReplacedStatus() const {
  MutexLock lock(&mutex_);
  return ReplacedStatusLocked();
}

absl::Status ServedLog::ReplacedStatusLocked() const {
  return ResyncRequired(
      absl::StrCat("this replica now serves log '", identity_.log_id,
                   "': the log it followed was replaced, "
                   "and positions in it mean nothing here"),
      identity_, std::nullopt);
}

absl::Status ServedLog::Replacing() const {
  return WithRetryInfo(
      WithErrorInfo(absl::UnavailableError(
                        "this replica is switching to an index of another "
                        "log; watch again in a moment"),
                    kReasonLogUnavailable),
      absl::Seconds(1));
}

absl::Status ServedLog::CheckResume(uint64_t generation,
                                    const LogIdentity& seen,
                                    uint64_t after_seq) const {
  MutexLock lock(&mutex_);
  if (generation != generation_ || generation % 2 == 1) return Replacing();
  if (seen.log_id.empty()) return absl::OkStatus();
  // A copy: the lambda below is not seen to run under mutex_.
  const LogIdentity served = identity_;
  const auto cannot_tell_yet = [&served](absl::string_view why) {
    return WithRetryInfo(
        WithErrorInfo(
            absl::UnavailableError(absl::StrCat(
                why, "; watch again in a moment, or through another replica")),
            kReasonLogUnavailable,
            {{"log_id", served.log_id},
             {"log_epoch", absl::StrCat(served.epoch)}}),
        absl::Seconds(1));
  };
  if (identity_.log_id.empty()) {
    return cannot_tell_yet("this replica has not reached the log yet");
  }
  if (seen.log_id != identity_.log_id) {
    return ResyncRequired(
        absl::StrCat("the position is in log '", seen.log_id,
                     "' but this replica serves log '", identity_.log_id,
                     "' (the log was replaced)"),
        identity_, after_seq);
  }
  if (seen.epoch == identity_.epoch) {
    // The epoch the replica follows wrote everything it has applied, and
    // an after_seq beyond that is waited for.
    return absl::OkStatus();
  }
  if (epochs_.empty()) {
    return cannot_tell_yet(absl::StrCat(
        "this replica has not yet heard the history of log '", identity_.log_id,
        "' to place epoch ", seen.epoch, " in it"));
  }
  if (seen.epoch > epochs_.back().epoch) {
    return cannot_tell_yet(
        absl::StrCat("this replica follows epoch ", epochs_.back().epoch,
                     " of the log, not yet epoch ", seen.epoch));
  }
  absl::Status position =
      CheckLogPosition(identity_.log_id, epochs_,
                       std::numeric_limits<uint64_t>::max(), seen, after_seq);
  if (position.ok()) return position;
  return ResyncRequired(
      absl::StrCat("the position (seq ", after_seq, " in epoch ", seen.epoch,
                   ") is not in this log: ", position.message()),
      identity_, after_seq);
}

absl::StatusOr<LogIdentity> ServedLog::IdentityOf(uint64_t generation,
                                                  uint64_t seq) const {
  MutexLock lock(&mutex_);
  if (generation != generation_ || generation % 2 == 1) {
    return ReplacedStatusLocked();
  }
  LogIdentity stamp = identity_;
  for (const EpochStart& epoch : epochs_) {
    if (epoch.first_seq > seq) break;
    stamp.epoch = epoch.epoch;
  }
  return stamp;
}

}  // namespace bulletin
