// log_bench: the write path of issue 17 against the real binaries on
// loopback, LevelDB beside a 3-node JetStream cluster (R=3), in one run:
//
//   1. Durable submits/s at 1, 8 and 32 concurrent submitters: for each of
//      --reps runs, fresh services on both backends, each with a query
//      replica following; at each concurrency Echo on the LevelDB ingest
//      (the floor), Submit on LevelDB, then on JetStream, back to back, one
//      bench/load bulletin_load call each. Medians over the runs; the
//      ratios (LevelDB / Echo, JetStream / LevelDB) are taken within a run,
//      so that they hold on a busy machine.
//   2. The write outage when the stream leader is SIGKILLed: retrying
//      writers submit at a steady pace through 2 ingest replicas while the
//      leader is killed --kills times (restarted after each); the longest
//      gap between acknowledged submits per kill, and afterwards whether
//      the stream and the follower hold exactly what was acknowledged.
//
//   log_bench                       # both, prints the tables (~6 min)
//   log_bench --mode=rate --reps=3  # only the throughput
//   log_bench --quick               # a tiny run of both, for CI
//
// Raw lines go to stderr as they are measured; the tables to stdout. Exits
// non-zero when a measurement could not be made or an acknowledged
// bulletin was lost or written twice; missed targets are reported, not
// failed on (docs/benchmarks.md, "Write path").

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "bench/log/leader_outage.h"
#include "bench/log/load_run.h"
#include "bench/log/write_stack.h"
#include "tests/testing/temp_dir.h"

ABSL_FLAG(std::string, mode, "all", "all, rate or outage.");
ABSL_FLAG(bool, quick, false,
          "A tiny run of every measurement: 1 rep of 1 s at 8 submitters, "
          "1 kill. Overrides the size flags. CI runs it with --mode=rate "
          "(a leader election alone takes nats-server 2.9 4-9 s).");
ABSL_FLAG(int, reps, 5, "Rate: runs per figure (fresh services each).");
ABSL_FLAG(std::vector<std::string>, concurrency,
          std::vector<std::string>({"1", "8", "32"}),
          "Rate: concurrent submitters, comma-separated.");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2),
          "Rate: submit this long before recording.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10),
          "Rate: record this long.");
ABSL_FLAG(bool, follower, true,
          "Run a query replica following ingest, as production does (and as "
          "bench/load/run.sh measured LevelDB).");
ABSL_FLAG(int, kills, 5, "Outage: leader kills.");
ABSL_FLAG(int, writers, 4, "Outage: retrying writers.");
ABSL_FLAG(absl::Duration, pace, absl::Milliseconds(20),
          "Outage: each writer starts a submit at most this often.");
ABSL_FLAG(absl::Duration, steady, absl::Seconds(3),
          "Outage: writes run this long before each kill and after they "
          "resume, before the restart.");
ABSL_FLAG(int, ingest_replicas, 2, "Outage: ingest replicas on the stream.");
ABSL_FLAG(std::string, ingest_binary, INGEST_SERVICE_BINARY,
          "The ingest-service to measure.");
ABSL_FLAG(std::string, query_binary, QUERY_SERVICE_BINARY,
          "The query-service that follows it.");
ABSL_FLAG(std::string, baseline_ingest_binary, "",
          "Rate: an ingest-service built from an earlier commit, measured on "
          "LevelDB beside this one in each run (e.g. the commit "
          "docs/benchmarks.md's earlier figures were taken at).");
ABSL_FLAG(std::string, load_binary, BULLETIN_LOAD_BINARY,
          "bench/load's bulletin_load.");

namespace bulletin::bench {
namespace {

// The bars (docs/benchmarks.md says where they come from).
constexpr double kJetStreamTargetAt32 = 1000;
constexpr absl::Duration kOutageTarget = absl::Seconds(5);

double Median(std::vector<double> values) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string Runs(const std::vector<double>& values) {
  return absl::StrJoin(values, " / ", [](std::string* out, double v) {
    absl::StrAppend(out, absl::StrFormat("%.0f", v));
  });
}

WriteStack::Options StackOptions(WriteStack::Backend backend, int replicas) {
  WriteStack::Options options;
  options.backend = backend;
  options.ingest_replicas = replicas;
  options.follower = absl::GetFlag(FLAGS_follower);
  options.ingest_binary = absl::GetFlag(FLAGS_ingest_binary);
  options.query_binary = absl::GetFlag(FLAGS_query_binary);
  return options;
}

// Submissions a run may use: more than the fastest backend submits in the
// run's time. They are generated before the run (corpus_texts.h), only
// as many as asked for.
int64_t BulletinsPerRun(absl::Duration run) {
  return static_cast<int64_t>(std::ceil(5000 * absl::ToDoubleSeconds(run)));
}

struct RateFigures {
  // By what was measured ("echo", "leveldb", "jetstream"), then
  // concurrency: one entry per rep.
  std::map<std::string, std::map<int, std::vector<LoadFigures>>> runs;
  // Throughput ratios taken within each rep ("leveldb/echo",
  // "jetstream/leveldb"), by concurrency.
  std::map<std::string, std::map<int, std::vector<double>>> ratios;

  std::vector<double> Of(const std::string& what, int c,
                         double LoadFigures::*field) const {
    std::vector<double> values;
    auto it = runs.find(what);
    if (it == runs.end() || it->second.count(c) == 0) return values;
    for (const LoadFigures& figures : it->second.at(c)) {
      values.push_back(figures.*field);
    }
    return values;
  }
  double MedianOf(const std::string& what, int c,
                  double LoadFigures::*field) const {
    return Median(Of(what, c, field));
  }
  double MedianRatio(const std::string& what, int c) const {
    auto it = ratios.find(what);
    if (it == ratios.end() || it->second.count(c) == 0) return NAN;
    return Median(it->second.at(c));
  }
};

absl::Status MeasureRates(int reps, const std::vector<int>& concurrencies,
                          absl::Duration warmup, absl::Duration duration,
                          RateFigures* figures) {
  testing::TempDir scratch;
  const int64_t per_run = BulletinsPerRun(warmup + duration);
  int64_t next_bulletin = 0;
  for (int rep = 1; rep <= reps; ++rep) {
    // What each stack's figures are filed under, in the order measured.
    std::vector<std::pair<std::string, WriteStack::Options>> plan = {
        {"leveldb", StackOptions(WriteStack::Backend::kLevelDb, 1)}};
    if (!absl::GetFlag(FLAGS_baseline_ingest_binary).empty()) {
      plan.push_back({"baseline", plan[0].second});
      plan.back().second.ingest_binary =
          absl::GetFlag(FLAGS_baseline_ingest_binary);
      plan.back().second.enable_echo = false;
    }
    plan.push_back(
        {"jetstream", StackOptions(WriteStack::Backend::kJetStream, 1)});
    std::vector<std::unique_ptr<WriteStack>> stacks;
    for (const auto& [name, options] : plan) {
      absl::StatusOr<std::unique_ptr<WriteStack>> stack =
          WriteStack::Start(options);
      if (!stack.ok()) return stack.status();
      stacks.push_back(*std::move(stack));
    }
    for (int c : concurrencies) {
      // Echo on the LevelDB stack's ingest (the floor of any RPC on that
      // server), then Submit on LevelDB, on the baseline binary's LevelDB
      // if asked for, then on JetStream, back to back.
      std::map<std::string, double> rate;
      for (int i = -1; i < static_cast<int>(stacks.size()); ++i) {
        const WriteStack& stack = *stacks[i < 0 ? 0 : i];
        const std::string what = i < 0 ? "echo" : plan[i].first;
        LoadRun run;
        run.load_binary = absl::GetFlag(FLAGS_load_binary);
        run.mode = i < 0 ? "echo" : "submit";
        run.target = stack.ingest_addresses()[0];
        run.concurrency = c;
        run.warmup = warmup;
        run.duration = duration;
        run.first_bulletin = next_bulletin;
        run.bulletins = per_run;
        if (i >= 0) next_bulletin += per_run;
        run.server_pid = stack.ingest_pid(0);
        run.peer_pids = stack.nats_pids();
        absl::StatusOr<LoadFigures> figures_now =
            MeasureLoad(run, scratch.path());
        if (!figures_now.ok()) {
          return absl::Status(figures_now.status().code(),
                              absl::StrCat(what, " at ", c, ": ",
                                           figures_now.status().message()));
        }
        std::fprintf(stderr, "rep=%d measured=%s %s\n", rep, what.c_str(),
                     figures_now->line.c_str());
        rate[what] = figures_now->per_second;
        figures->runs[what][c].push_back(*figures_now);
      }
      figures->ratios["leveldb/echo"][c].push_back(rate["leveldb"] /
                                                   rate["echo"]);
      figures->ratios["jetstream/leveldb"][c].push_back(rate["jetstream"] /
                                                        rate["leveldb"]);
      if (rate.count("baseline") > 0) {
        figures->ratios["leveldb/baseline"][c].push_back(rate["leveldb"] /
                                                         rate["baseline"]);
      }
    }
  }
  return absl::OkStatus();
}

// What docs/benchmarks.md ("Load") measured for LevelDB before this bench:
// submits/s and submit / echo on the same server, at 1, 8 and 32.
struct LevelDbBefore {
  int concurrency;
  double per_second;
  double of_echo;
};
constexpr LevelDbBefore kLevelDbBefore[] = {
    {1, 1083, 0.13}, {8, 2229, 0.08}, {32, 3386, 0.08}};

void PrintRates(int reps, const std::vector<int>& concurrencies,
                const RateFigures& figures) {
  std::printf(
      "Durable submits/s (medians of %d runs; in each run, fresh services on "
      "both backends, each with a query replica following; at each "
      "concurrency Echo on the LevelDB ingest, then Submit on LevelDB, then "
      "on JetStream, back to back; ratios taken within a run):\n\n",
      reps);
  std::printf(
      "| submitters | echo calls/s | LevelDB submits/s | p50 / p99 ms | "
      "LevelDB / echo | JetStream R=3 submits/s | p50 / p99 ms | JetStream "
      "/ LevelDB | CPU µs per submit: LevelDB ingest; JetStream ingest + 3 "
      "nats-server |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int c : concurrencies) {
    std::printf(
        "| %d | %.0f | %.0f (runs %s) | %.2f / %.2f | %.0f%% | %.0f (runs %s) "
        "| %.2f / %.2f | %.0f%% | %.0f; %.0f + %.0f |\n",
        c, figures.MedianOf("echo", c, &LoadFigures::per_second),
        figures.MedianOf("leveldb", c, &LoadFigures::per_second),
        Runs(figures.Of("leveldb", c, &LoadFigures::per_second)).c_str(),
        figures.MedianOf("leveldb", c, &LoadFigures::p50_ms),
        figures.MedianOf("leveldb", c, &LoadFigures::p99_ms),
        100 * figures.MedianRatio("leveldb/echo", c),
        figures.MedianOf("jetstream", c, &LoadFigures::per_second),
        Runs(figures.Of("jetstream", c, &LoadFigures::per_second)).c_str(),
        figures.MedianOf("jetstream", c, &LoadFigures::p50_ms),
        figures.MedianOf("jetstream", c, &LoadFigures::p99_ms),
        100 * figures.MedianRatio("jetstream/leveldb", c),
        figures.MedianOf("leveldb", c, &LoadFigures::server_cpu_us),
        figures.MedianOf("jetstream", c, &LoadFigures::server_cpu_us),
        figures.MedianOf("jetstream", c, &LoadFigures::peer_cpu_us));
  }
  std::printf("\n");
  for (const LevelDbBefore& before : kLevelDbBefore) {
    if (std::find(concurrencies.begin(), concurrencies.end(),
                  before.concurrency) == concurrencies.end()) {
      continue;
    }
    const int c = before.concurrency;
    std::printf(
        "LevelDB at %d: %.0f/s, %.0f%% of echo; docs/benchmarks.md had "
        "%.0f/s, %.0f%% of echo.\n",
        c, figures.MedianOf("leveldb", c, &LoadFigures::per_second),
        100 * figures.MedianRatio("leveldb/echo", c), before.per_second,
        100 * before.of_echo);
  }
  if (figures.runs.count("baseline") > 0) {
    std::printf(
        "\nThe same LevelDB submits on the baseline binary (%s), "
        "measured between them in each run:\n\n"
        "| submitters | baseline submits/s | p50 / p99 ms | CPU µs per "
        "submit | this build / baseline |\n"
        "|---:|---:|---:|---:|---:|\n",
        absl::GetFlag(FLAGS_baseline_ingest_binary).c_str());
    for (int c : concurrencies) {
      std::printf(
          "| %d | %.0f (runs %s) | %.2f / %.2f | %.0f | %.0f%% |\n", c,
          figures.MedianOf("baseline", c, &LoadFigures::per_second),
          Runs(figures.Of("baseline", c, &LoadFigures::per_second)).c_str(),
          figures.MedianOf("baseline", c, &LoadFigures::p50_ms),
          figures.MedianOf("baseline", c, &LoadFigures::p99_ms),
          figures.MedianOf("baseline", c, &LoadFigures::server_cpu_us),
          100 * figures.MedianRatio("leveldb/baseline", c));
    }
    std::printf("\n");
  }
  if (std::find(concurrencies.begin(), concurrencies.end(), 32) !=
      concurrencies.end()) {
    const double at32 =
        figures.MedianOf("jetstream", 32, &LoadFigures::per_second);
    std::printf("JetStream at 32: %.0f/s; target %.0f/s: %s.\n", at32,
                kJetStreamTargetAt32,
                at32 >= kJetStreamTargetAt32 ? "met" : "NOT met");
  }
  std::printf("\n");
}

// Returns false when the run lost or duplicated an acknowledged bulletin.
bool PrintOutage(const OutageReport& report, int ingest_replicas, int writers,
                 absl::Duration pace) {
  std::printf(
      "Write outage when the stream leader is SIGKILLed (%d retrying writers, "
      "one submit each per %s at most, through %d ingest replicas; the "
      "killed server restarted after each):\n\n",
      writers, absl::FormatDuration(pace).c_str(), ingest_replicas);
  std::printf(
      "| kill | leader killed | longest gap between acks, s | new leader "
      "after, s | writes resumed after, s | acks/s before the kill; once "
      "resumed |\n"
      "|---:|---|---:|---:|---:|---:|\n");
  std::vector<double> gaps;
  for (size_t k = 0; k < report.kills.size(); ++k) {
    const KillOutcome& kill = report.kills[k];
    gaps.push_back(absl::ToDoubleSeconds(kill.longest_gap));
    std::printf("| %zu | %s | %.2f | %.2f | %.2f | %.0f; %.0f |\n", k + 1,
                kill.leader.c_str(), absl::ToDoubleSeconds(kill.longest_gap),
                absl::ToDoubleSeconds(kill.new_leader_after),
                absl::ToDoubleSeconds(kill.resumed_after),
                kill.acks_per_second_before, kill.acks_per_second_after);
  }
  double worst_recovery = 1;
  for (const KillOutcome& kill : report.kills) {
    if (kill.acks_per_second_before > 0) {
      worst_recovery =
          std::min(worst_recovery,
                   kill.acks_per_second_after / kill.acks_per_second_before);
    }
  }
  const double median = Median(gaps);
  const double worst =
      gaps.empty() ? NAN : *std::max_element(gaps.begin(), gaps.end());
  std::printf(
      "\nLongest gap: median %.2f s, worst %.2f s; target at most %.0f s: "
      "%s. Elsewhere (incl. restarts) at most %.2f s. Once resumed, writes "
      "ran at no less than %.0f%% of their rate before the kill.\n",
      median, worst, absl::ToDoubleSeconds(kOutageTarget),
      worst <= absl::ToDoubleSeconds(kOutageTarget)    ? "met by every kill"
      : median <= absl::ToDoubleSeconds(kOutageTarget) ? "met by the median, "
                                                         "NOT by every kill"
                                                       : "NOT met",
      absl::ToDoubleSeconds(report.longest_gap_elsewhere),
      100 * worst_recovery);
  const bool intact = report.lost == 0 && report.rewritten == 0 &&
                      report.extra_messages == 0 &&
                      (report.follower_bulletins < 0 ||
                       report.follower_bulletins == report.acknowledged);
  std::printf(
      "Acknowledged %lld submits (%lld retried attempts); in the stream "
      "afterwards: %lld lost, %lld written twice, %lld extra messages; the "
      "follower holds %lld bulletins: %s.\n\n",
      static_cast<long long>(report.acknowledged),
      static_cast<long long>(report.retries),
      static_cast<long long>(report.lost),
      static_cast<long long>(report.rewritten),
      static_cast<long long>(report.extra_messages),
      static_cast<long long>(report.follower_bulletins),
      intact ? "nothing lost or duplicated" : "BROKEN");
  return intact;
}

int Run() {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode != "all" && mode != "rate" && mode != "outage") {
    std::fprintf(stderr, "log_bench: --mode is all, rate or outage\n");
    return EXIT_FAILURE;
  }
  const int reps = quick ? 1 : absl::GetFlag(FLAGS_reps);
  std::vector<int> concurrencies;
  if (quick) {
    concurrencies = {8};
  } else {
    for (const std::string& c : absl::GetFlag(FLAGS_concurrency)) {
      concurrencies.push_back(std::atoi(c.c_str()));
    }
  }
  const absl::Duration warmup =
      quick ? absl::Seconds(2) : absl::GetFlag(FLAGS_warmup);
  const absl::Duration duration =
      quick ? absl::Seconds(1) : absl::GetFlag(FLAGS_duration);
  if (mode != "outage") {
    RateFigures figures;
    absl::Status measured =
        MeasureRates(reps, concurrencies, warmup, duration, &figures);
    if (!measured.ok()) {
      std::fprintf(stderr, "log_bench: %s\n",
                   std::string(measured.message()).c_str());
      return EXIT_FAILURE;
    }
    PrintRates(reps, concurrencies, figures);
  }
  if (mode == "rate") return EXIT_SUCCESS;

  OutageOptions options;
  options.kills = quick ? 1 : absl::GetFlag(FLAGS_kills);
  options.writers = absl::GetFlag(FLAGS_writers);
  options.pace = absl::GetFlag(FLAGS_pace);
  options.steady =
      quick ? absl::Milliseconds(500) : absl::GetFlag(FLAGS_steady);
  const int replicas = absl::GetFlag(FLAGS_ingest_replicas);
  absl::StatusOr<std::unique_ptr<WriteStack>> stack = WriteStack::Start(
      StackOptions(WriteStack::Backend::kJetStream, replicas));
  absl::StatusOr<OutageReport> report =
      stack.ok() ? MeasureLeaderOutages(**stack, options)
                 : absl::StatusOr<OutageReport>(stack.status());
  if (!report.ok()) {
    std::fprintf(stderr, "log_bench: outage: %s\n",
                 std::string(report.status().message()).c_str());
    return EXIT_FAILURE;
  }
  for (size_t k = 0; k < report->kills.size(); ++k) {
    std::fprintf(stderr,
                 "kill=%zu leader=%s longest_gap_s=%.3f new_leader_s=%.3f "
                 "resumed_s=%.3f acks_per_second_before=%.1f "
                 "acks_per_second_after=%.1f\n",
                 k + 1, report->kills[k].leader.c_str(),
                 absl::ToDoubleSeconds(report->kills[k].longest_gap),
                 absl::ToDoubleSeconds(report->kills[k].new_leader_after),
                 absl::ToDoubleSeconds(report->kills[k].resumed_after),
                 report->kills[k].acks_per_second_before,
                 report->kills[k].acks_per_second_after);
  }
  return PrintOutage(*report, replicas, options.writers, options.pace)
             ? EXIT_SUCCESS
             : EXIT_FAILURE;
}

}  // namespace
}  // namespace bulletin::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The write path on LevelDB and JetStream R=3, against the real "
      "binaries; see the file comment.\nUsage: log_bench [--mode=all|rate|"
      "outage] [--quick] [--reps=N] [--kills=N] ...");
  absl::ParseCommandLine(argc, argv);
  return bulletin::bench::Run();
}
