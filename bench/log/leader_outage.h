// The write outage when the JetStream stream's leader dies: retrying
// clients submit at a steady pace through every ingest replica of a
// WriteStack while the leader is found (StreamProbe) and SIGKILLed, again
// and again, each time restarted once writes are flowing again. For each
// kill, the longest gap between acknowledged submits; afterwards, whether
// the stream (and the follower) hold exactly what was acknowledged.
//
//   bulletin::bench::OutageOptions options;
//   options.kills = 5;
//   absl::StatusOr<bulletin::bench::OutageReport> report =
//       bulletin::bench::MeasureLeaderOutages(*stack, options);
//   report->kills[0].longest_gap;   // the outage of the first kill
//
// Thread-safety: a free function; the stack belongs to the caller's thread.

#ifndef BULLETIN_BENCH_LOG_LEADER_OUTAGE_H_
#define BULLETIN_BENCH_LOG_LEADER_OUTAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/log/write_stack.h"

namespace bulletin::bench {

struct OutageOptions {
  int kills = 5;
  // Retrying submitters, and how often each starts a new submit.
  int writers = 4;
  absl::Duration pace = absl::Milliseconds(20);
  // Writes run this long before each kill, and again once they have
  // resumed before the killed server is restarted.
  absl::Duration steady = absl::Seconds(3);
  // The first submission number (bench/load's corpus_texts.h).
  int64_t first_bulletin = 0;
};

struct KillOutcome {
  // The server killed, as JetStream names it.
  std::string leader;
  // Longest time between two consecutive acknowledged submits (of any
  // writer) around the kill, up to the restart.
  absl::Duration longest_gap;
  // From the kill until the stream reported another leader (polled: up to
  // half a second late).
  absl::Duration new_leader_after;
  // From the kill until the acknowledgement that ended the longest gap:
  // when writes resumed. Beyond new_leader_after (less its polling delay)
  // is what the writers waited on once the stream could take writes again.
  absl::Duration resumed_after;
  // Acknowledged submits per second in the steady time before the kill,
  // and in the one after writes resumed: writes that resume at a trickle
  // show here, not in the gap.
  double acks_per_second_before = 0;
  double acks_per_second_after = 0;
};

struct OutageReport {
  std::vector<KillOutcome> kills;
  int64_t acknowledged = 0;
  int64_t retries = 0;
  // Longest gap between acknowledged submits outside the kills' windows
  // (e.g. while a restarted server catches up).
  absl::Duration longest_gap_elsewhere;
  // Checked after the run, once every replica of the stream is current:
  // acknowledged bulletins the stream lacks, and those whose last record is
  // another than the acknowledged one (a second write).
  int64_t lost = 0;
  int64_t rewritten = 0;
  // Messages in the stream beyond those acknowledged (duplicates, strays).
  int64_t extra_messages = 0;
  // Bulletins the follower holds once it has applied the last acknowledged
  // seq; -1 without a follower.
  int64_t follower_bulletins = -1;
};

// Needs a JetStream stack; fails when something could not be done (no
// leader, writes never resumed), not when the figures miss a target.
absl::StatusOr<OutageReport> MeasureLeaderOutages(WriteStack& stack,
                                                  const OutageOptions& options);

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_LOG_LEADER_OUTAGE_H_
