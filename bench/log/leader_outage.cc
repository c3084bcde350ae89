#include "bench/log/leader_outage.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/load/corpus_texts.h"
#include "bench/log/stream_probe.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/testing/submit_storm.h"

namespace bulletin::bench {
namespace {

// How long a cluster may take to elect, catch up or answer before the run
// is called broken rather than slow.
constexpr absl::Duration kClusterPatience = absl::Seconds(60);
// Texts prepared per kill and writer-second: a kill takes the steady time
// twice, the outage and a restart; this leaves room for slow ones.
constexpr absl::Duration kTimePerKill = absl::Seconds(30);

bool HasLeaderAndAllCurrent(const StreamState& state) {
  return !state.leader.empty() && state.all_current;
}

// Waits until the follower has applied `seq` and caught up; its live
// bulletins.
absl::StatusOr<int64_t> FollowerBulletins(const std::string& address,
                                          uint64_t seq) {
  auto stub = v1::QueryService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  const absl::Time give_up = absl::Now() + kClusterPatience;
  v1::StatsResponse stats;
  while (absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    if (stub->Stats(&context, v1::StatsRequest(), &stats).ok() &&
        stats.caught_up() && stats.applied_seq() >= seq) {
      return stats.bulletin_count();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("the follower applied seq ", stats.applied_seq(), ", not ",
                   seq, ", within ", absl::FormatDuration(kClusterPatience)));
}

}  // namespace

absl::StatusOr<OutageReport> MeasureLeaderOutages(
    WriteStack& stack, const OutageOptions& options) {
  testing::NatsCluster* cluster = stack.cluster();
  if (cluster == nullptr) {
    return absl::InvalidArgumentError("the leader outage needs JetStream");
  }
  absl::StatusOr<std::unique_ptr<StreamProbe>> probe =
      StreamProbe::Connect(cluster->urls(), stack.options().stream);
  if (!probe.ok()) return probe.status();

  const double per_writer_per_second =
      options.pace > absl::ZeroDuration()
          ? 1 / absl::ToDoubleSeconds(options.pace)
          : 1000;
  const int64_t text_count = static_cast<int64_t>(
      options.writers * per_writer_per_second *
      absl::ToDoubleSeconds(kTimePerKill * options.kills + options.steady));
  std::vector<std::string> texts;
  for (load::Submission& submission :
       load::MakeSubmissions(options.first_bulletin, text_count)) {
    texts.push_back(std::move(submission.content));
  }
  testing::SubmitStorm storm(stack.ingest_addresses(), std::move(texts),
                             options.writers, options.pace);
  storm.Start();

  // From the kill to the restart; the last `steady` of it is after writes
  // resumed.
  struct Window {
    absl::Time from;
    absl::Time to;
  };
  std::vector<Window> windows;
  OutageReport report;
  absl::Status failure;
  for (int kill = 0; kill < options.kills && failure.ok(); ++kill) {
    absl::SleepFor(options.steady);
    absl::StatusOr<StreamState> before =
        (*probe)->WaitFor(HasLeaderAndAllCurrent, kClusterPatience);
    if (!before.ok()) {
      failure = before.status();
      break;
    }
    const int victim = cluster->IndexOfServer(before->leader);
    if (victim < 0) {
      failure = absl::InternalError(absl::StrCat("the leader '", before->leader,
                                                 "' is no server of ours"));
      break;
    }
    const int done_at_kill = storm.done();
    const absl::Time killed_at = absl::Now();
    cluster->Kill(victim);
    KillOutcome outcome;
    outcome.leader = before->leader;
    absl::StatusOr<StreamState> after = (*probe)->WaitFor(
        [&](const StreamState& state) {
          return !state.leader.empty() && state.leader != outcome.leader;
        },
        kClusterPatience);
    if (!after.ok()) {
      failure = after.status();
      break;
    }
    outcome.new_leader_after = absl::Now() - killed_at;
    // Writes have resumed once every writer has had a few acknowledged.
    const absl::Time give_up = absl::Now() + kClusterPatience;
    while (storm.done() < done_at_kill + 5 * options.writers &&
           absl::Now() < give_up && !storm.failed()) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    if (storm.done() < done_at_kill + 5 * options.writers) {
      failure = absl::DeadlineExceededError(
          absl::StrCat("writes did not resume within ",
                       absl::FormatDuration(kClusterPatience),
                       " of killing the leader ", outcome.leader));
      break;
    }
    absl::SleepFor(options.steady);
    windows.push_back(Window{killed_at, absl::Now()});
    report.kills.push_back(outcome);
    if (absl::Status restarted = cluster->Restart(victim); !restarted.ok()) {
      failure = restarted;
      break;
    }
    absl::StatusOr<StreamState> healed =
        (*probe)->WaitFor(HasLeaderAndAllCurrent, kClusterPatience);
    if (!healed.ok()) failure = healed.status();
  }
  absl::SleepFor(options.steady);
  const bool ran_out = storm.done() == static_cast<int>(storm.acked().size());
  storm.Stop();
  storm.Join();
  if (!failure.ok()) return failure;
  if (!storm.fatal().empty()) {
    return absl::InternalError(
        absl::StrCat("a submit was refused for good: ", storm.fatal()));
  }
  if (ran_out) {
    return absl::InternalError(
        "the writers ran out of texts before the kills were over");
  }

  // The gaps between consecutive acknowledgements, by the window they
  // overlap.
  std::vector<absl::Time> acked_at;
  for (const testing::SubmitStorm::Acked& acked : storm.acked()) {
    if (!acked.id.empty()) acked_at.push_back(acked.at);
  }
  std::sort(acked_at.begin(), acked_at.end());
  for (size_t i = 1; i < acked_at.size(); ++i) {
    const absl::Duration gap = acked_at[i] - acked_at[i - 1];
    bool in_window = false;
    for (size_t k = 0; k < windows.size(); ++k) {
      if (acked_at[i] >= windows[k].from && acked_at[i - 1] <= windows[k].to) {
        if (gap > report.kills[k].longest_gap) {
          report.kills[k].longest_gap = gap;
          report.kills[k].resumed_after = acked_at[i] - windows[k].from;
        }
        in_window = true;
      }
    }
    if (!in_window) {
      report.longest_gap_elsewhere =
          std::max(report.longest_gap_elsewhere, gap);
    }
  }
  // Acknowledgements per second in the steady time before each kill and in
  // the one after writes resumed.
  const auto rate_in = [&](absl::Time from, absl::Time to) {
    const auto first = std::lower_bound(acked_at.begin(), acked_at.end(), from);
    const auto last = std::lower_bound(acked_at.begin(), acked_at.end(), to);
    return (last - first) / absl::ToDoubleSeconds(to - from);
  };
  for (size_t k = 0; k < windows.size(); ++k) {
    report.kills[k].acks_per_second_before =
        rate_in(windows[k].from - options.steady, windows[k].from);
    report.kills[k].acks_per_second_after =
        rate_in(windows[k].to - options.steady, windows[k].to);
  }
  report.acknowledged = static_cast<int64_t>(acked_at.size());
  report.retries = storm.retries();

  // What the stream kept: every acknowledged bulletin, as acknowledged.
  absl::StatusOr<StreamState> settled =
      (*probe)->WaitFor(HasLeaderAndAllCurrent, kClusterPatience);
  if (!settled.ok()) return settled.status();
  absl::flat_hash_set<std::string> ids;
  uint64_t last_seq = 0;
  for (const testing::SubmitStorm::Acked& acked : storm.acked()) {
    if (acked.id.empty()) continue;
    ids.insert(acked.id);
    last_seq = std::max(last_seq, acked.seq);
    absl::StatusOr<StoredRecord> stored = (*probe)->LastRecordOf(acked.id);
    if (absl::IsNotFound(stored.status())) {
      ++report.lost;
    } else if (!stored.ok()) {
      return stored.status();
    } else if (stored->seq != acked.seq) {
      ++report.rewritten;
    }
  }
  if (ids.size() != acked_at.size()) {
    return absl::InternalError(absl::StrCat(
        acked_at.size(), " texts were acknowledged with only ", ids.size(),
        " ids: distinct texts must make distinct bulletins"));
  }
  report.extra_messages =
      static_cast<int64_t>(settled->messages) - report.acknowledged;
  if (!stack.query_address().empty()) {
    absl::StatusOr<int64_t> held =
        FollowerBulletins(stack.query_address(), last_seq);
    if (!held.ok()) return held.status();
    report.follower_bulletins = *held;
  }
  return report;
}

}  // namespace bulletin::bench
