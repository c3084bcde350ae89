// Whether a reader of a log may continue from where it stopped: the one rule
// behind BulletinLog::CheckPosition, shared by every backend, and by the
// query replica, which checks a Watch position against the log it follows.
//
//   std::vector<bulletin::EpochStart> history = {{1, 1}, {7, 40}};
//   absl::Status ok = bulletin::CheckLogPosition(
//       "log-a", history, /*head_seq=*/55, {"log-a", 1}, /*applied_seq=*/39);
//
// A log's history is a list of epochs, each starting at a seq: epoch E wrote
// the seqs from its first_seq up to the next epoch's first_seq - 1. A reader
// that applied up to seq S while it saw epoch E holds a prefix of this log if
// the log id is the same, E is in the history, and S is no later than the
// last seq E wrote (a restore from backup ends an epoch early, and starts a
// new one, so a reader that went further under E sees the mismatch).
//
// Thread-safety: a pure function.

#ifndef BULLETIN_COMMON_FEED_LOG_POSITION_H_
#define BULLETIN_COMMON_FEED_LOG_POSITION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/feed/log_identity.h"

namespace bulletin {

struct EpochStart {
  uint64_t epoch = 0;
  // The first seq this epoch could write: the head when it began, plus one.
  uint64_t first_seq = 0;
};

// OK, or FAILED_PRECONDITION saying why the reader must rebuild. `history`
// is in epoch order.
absl::Status CheckLogPosition(absl::string_view log_id,
                              absl::Span<const EpochStart> history,
                              uint64_t head_seq, const LogIdentity& seen,
                              uint64_t applied_seq);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_FEED_LOG_POSITION_H_
