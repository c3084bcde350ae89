// bulletin_load: an asynchronous gRPC load generator for the real
// ingest-service and query-service. One measurement per run, printed as one
// line of key=value pairs; bench/load/run.sh runs them all and makes the
// table in docs/benchmarks.md.
//
//   bulletin_load --mode=echo --target=127.0.0.1:50052 --concurrency=32
//   bulletin_load --mode=search --target=127.0.0.1:50052 --concurrency=32
//   bulletin_load --mode=http_search --target=127.0.0.1:8082 --concurrency=8
//   bulletin_load --mode=submit --target=127.0.0.1:50051 --concurrency=8
//       --first_bulletin=100000 --bulletins=50000
//   bulletin_load --mode=freshness --target=127.0.0.1:50051
//       --query_target=127.0.0.1:50052 --rate=100 --first_bulletin=200000
//   bulletin_load --mode=catchup --target=127.0.0.1:50053 --min_seq=100000
//       --since_unix_nanos=$(date +%s%N)
//
// Modes:
//   echo       Diagnostics.Echo: the RPC floor of the server at --target.
//   search     QueryService.Search with a fixed mix of reader queries; each
//              is run once first, and the line says how many find nothing
//              (empty_searches) and the median of their total hits.
//   http_search  the same mix as POST /v1/bulletins:search, JSON, on the
//              replica's --http_listen port (--target): one blocking HTTP/1.1
//              keep-alive connection per outstanding call (blocking_load.h).
//              An answer counts when it is 200 with a total_hits field; the
//              generator does not parse the rest, as the gRPC generator's
//              protobuf parse is cheap and a JSON parse into protobuf is not.
//              A call whose kept-alive connection broke is sent once more;
//              the line counts those (http_retries).
//   submit     IngestService.Submit of new bulletins; a call counts when it
//              is acknowledged (durable) and not a duplicate.
//   freshness  open loop of Submits at --rate; when each is acknowledged, a
//              Search for its unique token with min_seq = its seq, which
//              the replica answers once the bulletin is visible. Reports the
//              time from acknowledgement to that answer.
//   catchup    polls Stats until the replica has applied --min_seq and is
//              caught up; reports the seconds since --since_unix_nanos.
//
// Every mode but catchup also reports the generator's CPU time per call in
// the recorded window (client_cpu_us), and with --server_pid=PID the
// server's (server_cpu_us): both share this machine's cores. With
// --peer_pids, also what the processes behind the server spent together
// (peer_cpu_us), e.g. the nats-server cluster holding ingest's log.

#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/load/blocking_load.h"
#include "bench/load/corpus_texts.h"
#include "bench/load/load_driver.h"
#include "bench/load/process_cpu.h"
#include "bulletin/v1/diagnostics.grpc.pb.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/record/json.h"
#include "grpcpp/grpcpp.h"
#include "httplib.h"

ABSL_FLAG(std::string, mode, "echo",
          "echo, search, submit, freshness or catchup (see the file comment).");
ABSL_FLAG(std::string, target, "127.0.0.1:50052",
          "host:port of the service to load (ingest for submit and "
          "freshness).");
ABSL_FLAG(std::string, query_target, "127.0.0.1:50052",
          "host:port of the query replica, for freshness.");
ABSL_FLAG(int, concurrency, 1, "Closed loop: calls outstanding at once.");
ABSL_FLAG(double, rate, 0,
          "Open loop: calls per second (instead of --concurrency).");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(2),
          "Run this long before recording.");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(10),
          "Record this long; 'inf' runs until --bulletins are submitted.");
ABSL_FLAG(int, channels, 4,
          "Channels (HTTP/2 connections) per target, so that one "
          "connection's single writer is not the bottleneck.");
ABSL_FLAG(int, threads, 2, "Client poller threads.");
ABSL_FLAG(int, echo_payload_bytes, 0, "Echo payload size.");
ABSL_FLAG(std::vector<std::string>, search_kind, {},
          "Search: only this kind of query (0 person, 1 organization, "
          "2 region and meeting, 3 region filter, 4 one character, 5 a common "
          "two-character term, 6 a common phrase, 7 a common term with a "
          "region facet: bench/load/corpus_texts.h); several, comma-separated, "
          "run one after the other with a line each; none: the mix of 0-3.");
ABSL_FLAG(int, server_pid, 0,
          "When > 0, the server's process id on this machine: the line then "
          "gives its CPU time per call in the recorded window "
          "(server_cpu_us), beside the generator's own (client_cpu_us).");
ABSL_FLAG(std::vector<std::string>, peer_pids, {},
          "Process ids of the processes the server relies on (e.g. its NATS "
          "cluster), comma-separated: the line then gives the CPU time they "
          "spent together per call in the recorded window (peer_cpu_us).");
ABSL_FLAG(int64_t, first_bulletin, 0,
          "Submit and freshness: the first submission number (see "
          "corpus_texts.h); use a range no earlier run used.");
ABSL_FLAG(int64_t, bulletins, 50000,
          "Submit and freshness: submissions prepared; the run stops early "
          "when they are used up.");
ABSL_FLAG(uint64_t, min_seq, 0, "Catchup: the seq to wait for.");
ABSL_FLAG(int64_t, since_unix_nanos, 0,
          "Catchup: report time since this instant (e.g. the replica's "
          "start); 0 means since this program started.");
ABSL_FLAG(absl::Duration, timeout, absl::Minutes(10),
          "Catchup: give up after this long.");

namespace bulletin::load {
namespace {

// Deadline of every call: generous, so that only a stuck server fails one.
constexpr auto kCallTimeout = std::chrono::seconds(30);

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(
    const std::string& target, int count) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // Without a private subchannel pool, channels to one target share one
    // connection, which is what --channels exists to avoid.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("bulletin.load.channel", i);
    channels.push_back(grpc::CreateCustomChannel(
        target, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

template <typename Service>
std::vector<std::unique_ptr<typename Service::Stub>> MakeStubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (const auto& channel : channels) {
    stubs.push_back(Service::NewStub(channel));
  }
  return stubs;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + kCallTimeout);
}

std::string StatusText(const grpc::Status& status) {
  return absl::StrCat("code ", status.error_code(), ": ",
                      status.error_message());
}

class EchoOp final : public Op {
 public:
  EchoOp(v1::Diagnostics::Stub* stub, const v1::EchoRequest* request)
      : stub_(stub), request_(request) {}
  void Start(grpc::CompletionQueue* cq) override {
    SetDeadline(&context_);
    reader_ = stub_->AsyncEcho(&context_, *request_, cq);
    reader_->Finish(&response_, &status_, this);
  }
  bool Proceed(grpc::CompletionQueue*) override { return true; }
  bool succeeded() const override { return status_.ok(); }
  std::string error() const override { return StatusText(status_); }

 private:
  v1::Diagnostics::Stub* const stub_;
  const v1::EchoRequest* const request_;
  grpc::ClientContext context_;
  v1::EchoResponse response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::EchoResponse>> reader_;
};

class SearchOp final : public Op {
 public:
  SearchOp(v1::QueryService::Stub* stub, const v1::SearchRequest* request)
      : stub_(stub), request_(request) {}
  void Start(grpc::CompletionQueue* cq) override {
    SetDeadline(&context_);
    reader_ = stub_->AsyncSearch(&context_, *request_, cq);
    reader_->Finish(&response_, &status_, this);
  }
  bool Proceed(grpc::CompletionQueue*) override { return true; }
  bool succeeded() const override { return status_.ok(); }
  std::string error() const override { return StatusText(status_); }

 private:
  v1::QueryService::Stub* const stub_;
  const v1::SearchRequest* const request_;
  grpc::ClientContext context_;
  v1::SearchResponse response_;
  grpc::Status status_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::SearchResponse>> reader_;
};

v1::SubmitRequest ToRequest(const Submission& submission) {
  v1::SubmitRequest request;
  request.set_content(submission.content);
  request.set_external_id(submission.external_id);
  request.set_date(submission.date);
  return request;
}

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// A Submit; with a query stub, then a Search that waits (min_seq) until the
// acknowledged bulletin is visible on the replica and finds it by its token.
class SubmitOp final : public Op {
 public:
  SubmitOp(v1::IngestService::Stub* ingest, v1::QueryService::Stub* query,
           const Submission* submission)
      : ingest_(ingest), query_(query), submission_(submission) {}

  void Start(grpc::CompletionQueue* cq) override {
    SetDeadline(&submit_context_);
    submit_reader_ =
        ingest_->AsyncSubmit(&submit_context_, ToRequest(*submission_), cq);
    submit_reader_->Finish(&submit_response_, &status_, this);
  }

  bool Proceed(grpc::CompletionQueue* cq) override {
    if (acknowledged_nanos_ >= 0) {
      visible_nanos_ = SteadyNanos();
      return true;
    }
    if (!status_.ok() || submit_response_.duplicate() || query_ == nullptr) {
      return true;
    }
    acknowledged_nanos_ = SteadyNanos();
    v1::SearchRequest search;
    search.set_query(submission_->token);
    search.set_min_seq(submit_response_.seq());
    search.set_limit(1);
    SetDeadline(&search_context_);
    search_reader_ = query_->AsyncSearch(&search_context_, search, cq);
    search_reader_->Finish(&search_response_, &status_, this);
    return false;
  }

  bool succeeded() const override {
    if (!status_.ok() || submit_response_.duplicate()) return false;
    return query_ == nullptr || search_response_.total_hits() == 1;
  }

  std::string error() const override {
    if (!status_.ok()) return StatusText(status_);
    if (submit_response_.duplicate()) {
      return absl::StrCat(submission_->external_id,
                          " was a duplicate: use a fresh --first_bulletin");
    }
    return absl::StrCat("search for ", submission_->token, " at min_seq ",
                        submit_response_.seq(), " found ",
                        search_response_.total_hits(), " bulletins, not 1");
  }

  int64_t extra_nanos() const override {
    return visible_nanos_ >= 0 ? visible_nanos_ - acknowledged_nanos_ : -1;
  }

 private:
  v1::IngestService::Stub* const ingest_;
  v1::QueryService::Stub* const query_;
  const Submission* const submission_;
  grpc::ClientContext submit_context_;
  v1::SubmitResponse submit_response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::SubmitResponse>>
      submit_reader_;
  grpc::ClientContext search_context_;
  v1::SearchResponse search_response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::SearchResponse>>
      search_reader_;
  grpc::Status status_;
  int64_t acknowledged_nanos_ = -1;
  int64_t visible_nanos_ = -1;
};

LoadOptions OptionsFromFlags() {
  LoadOptions options;
  options.rate = absl::GetFlag(FLAGS_rate);
  options.concurrency = options.rate > 0 ? 0 : absl::GetFlag(FLAGS_concurrency);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.threads = absl::GetFlag(FLAGS_threads);
  return options;
}

// Runs a sample of the searches once (every kDescribeEvery-th), before the
// load, and describes what they find: how many of the sample find nothing,
// and the median total of hits. A mix whose searches find nothing measures
// nothing, so the figure goes with the throughput. A sample, because a
// slow kind on a large archive (a common phrase over 300,000 bulletins) would
// otherwise spend many minutes here before the load starts.
constexpr size_t kDescribeEvery = 10;

absl::StatusOr<std::string> DescribeSearches(
    v1::QueryService::Stub* stub,
    const std::vector<v1::SearchRequest>& searches) {
  std::vector<int64_t> totals;
  for (size_t i = 0; i < searches.size(); i += kDescribeEvery) {
    const v1::SearchRequest& search = searches[i];
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::SearchResponse response;
    const grpc::Status status = stub->Search(&context, search, &response);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "search \"", search.query(), "\" failed: ", status.error_message()));
    }
    totals.push_back(response.total_hits());
  }
  if (totals.empty()) return std::string();
  const auto empty = std::count(totals.begin(), totals.end(), 0);
  std::nth_element(totals.begin(), totals.begin() + totals.size() / 2,
                   totals.end());
  return absl::StrCat(" empty_searches=", empty,
                      " median_total_hits=", totals[totals.size() / 2]);
}

// " client_cpu_us=C server_cpu_us=S": the CPU time each process spent in
// the window per call completed in it.
std::string DescribeCpu(const LoadResult& result,
                        const absl::StatusOr<CpuWindow>& window) {
  if (!window.ok()) {
    std::fprintf(stderr, "bulletin_load: no CPU figures: %s\n",
                 std::string(window.status().message()).c_str());
    return "";
  }
  const double calls =
      result.throughput() * absl::ToDoubleSeconds(window->wall);
  if (calls <= 0) return "";
  const auto per_call = [calls](absl::Duration cpu) {
    return absl::ToDoubleMicroseconds(cpu) / calls;
  };
  std::string line = absl::StrCat(" client_cpu_us=", per_call(window->cpu[0]));
  if (absl::GetFlag(FLAGS_server_pid) > 0) {
    absl::StrAppend(&line, " server_cpu_us=", per_call(window->cpu[1]));
  }
  const size_t first_peer = absl::GetFlag(FLAGS_server_pid) > 0 ? 2 : 1;
  if (window->cpu.size() > first_peer) {
    absl::Duration peers;
    for (size_t i = first_peer; i < window->cpu.size(); ++i) {
      peers += window->cpu[i];
    }
    absl::StrAppend(&line, " peer_cpu_us=", per_call(peers));
  }
  return line;
}

void Report(const std::string& mode, const LoadOptions& options,
            const LoadResult& result, const std::string& described = "") {
  std::string line =
      absl::StrCat("mode=", mode, " concurrency=", options.concurrency,
                   " rate=", options.rate, " ok=", result.succeeded,
                   " failed=", result.failed, " seconds=", result.seconds,
                   " throughput=", result.throughput(),
                   " p50_ms=", result.LatencyMillis(0.5),
                   " p99_ms=", result.LatencyMillis(0.99), described);
  if (!result.extra_nanos.empty()) {
    absl::StrAppend(&line, " fresh_p50_ms=", result.ExtraMillis(0.5),
                    " fresh_p99_ms=", result.ExtraMillis(0.99),
                    " fresh_max_ms=", result.ExtraMillis(1.0));
  }
  std::printf("%s\n", line.c_str());
  if (result.failed > 0 || result.succeeded == 0) {
    std::fprintf(stderr, "bulletin_load: %lld calls failed; first: %s\n",
                 static_cast<long long>(result.failed),
                 result.first_error.c_str());
  }
}

// --search_kind as numbers; {-1} (the mix) when it names none.
absl::StatusOr<std::vector<int>> SearchKindsFromFlag() {
  std::vector<int> kinds;
  for (const std::string& text : absl::GetFlag(FLAGS_search_kind)) {
    int kind = 0;
    if (!absl::SimpleAtoi(text, &kind) || kind < -1 ||
        kind >= kAllSearchKinds) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--search_kind: '", text, "' is not -1 or 0..", kAllSearchKinds - 1));
    }
    kinds.push_back(kind);
  }
  if (kinds.empty()) kinds.push_back(-1);
  return kinds;
}

int RunCalls(const std::string& mode) {
  const LoadOptions options = OptionsFromFlags();
  const absl::StatusOr<std::vector<int>> kinds = SearchKindsFromFlag();
  if (!kinds.ok()) {
    std::fprintf(stderr, "bulletin_load: %s\n",
                 std::string(kinds.status().message()).c_str());
    return EXIT_FAILURE;
  }
  if (options.concurrency <= 0 && options.rate <= 0) {
    std::fprintf(stderr, "bulletin_load: give --concurrency or --rate > 0\n");
    return EXIT_FAILURE;
  }
  const int channel_count = absl::GetFlag(FLAGS_channels);
  const auto channels =
      MakeChannels(absl::GetFlag(FLAGS_target), channel_count);
  const auto channel_of = [channel_count](int64_t n) {
    return static_cast<size_t>(n % channel_count);
  };
  LoadResult result;
  std::string described;
  // The CPU of the generator and, with --server_pid, the server. The
  // sampler starts right before RunLoad, after each mode's set-up (the
  // search mix's first pass included), so that both windows open within
  // microseconds of each other.
  std::vector<pid_t> measured = {getpid()};
  if (absl::GetFlag(FLAGS_server_pid) > 0) {
    measured.push_back(absl::GetFlag(FLAGS_server_pid));
  }
  for (const std::string& peer : absl::GetFlag(FLAGS_peer_pids)) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(peer, &pid) || pid <= 0) {
      std::fprintf(stderr, "bulletin_load: --peer_pids: '%s' is no pid\n",
                   peer.c_str());
      return EXIT_FAILURE;
    }
    measured.push_back(pid);
  }
  std::optional<CpuWindowSampler> sampler;
  const auto run_sampled = [&](const OpFactory& factory) {
    sampler.emplace(measured, options.warmup, options.duration);
    return RunLoad(options, factory);
  };
  if (mode == "echo") {
    auto stubs = MakeStubs<v1::Diagnostics>(channels);
    v1::EchoRequest request;
    request.set_payload(std::string(
        static_cast<size_t>(absl::GetFlag(FLAGS_echo_payload_bytes)), 'x'));
    result = run_sampled([&](int64_t n) -> std::unique_ptr<Op> {
      return std::make_unique<EchoOp>(stubs[channel_of(n)].get(), &request);
    });
  } else if (mode == "search") {
    auto stubs = MakeStubs<v1::QueryService>(channels);
    // One line per kind; the last one's is written below, as every mode's.
    for (size_t k = 0; k < kinds->size(); ++k) {
      const int kind = (*kinds)[k];
      const std::vector<v1::SearchRequest> searches = MakeSearches(1000, kind);
      absl::StatusOr<std::string> description =
          DescribeSearches(stubs[0].get(), searches);
      if (!description.ok()) {
        std::fprintf(stderr, "bulletin_load: %s\n",
                     std::string(description.status().message()).c_str());
        return EXIT_FAILURE;
      }
      described = kind < 0 ? *std::move(description)
                           : absl::StrCat(" search_kind=", kind, *description);
      result = run_sampled([&](int64_t n) -> std::unique_ptr<Op> {
        return std::make_unique<SearchOp>(stubs[channel_of(n)].get(),
                                          &searches[n % searches.size()]);
      });
      if (k + 1 < kinds->size()) {
        absl::StrAppend(&described, DescribeCpu(result, sampler->Finish()));
        Report(mode, options, result, described);
        if (result.failed > 0 || result.succeeded == 0) return EXIT_FAILURE;
      }
    }
  } else if (mode == "http_search") {
    // The mix of --mode=search, as JSON; the search line describes what it
    // finds.
    if (kinds->size() != 1) {
      std::fprintf(stderr,
                   "bulletin_load: --mode=http_search takes one "
                   "--search_kind at most\n");
      return EXIT_FAILURE;
    }
    const std::vector<v1::SearchRequest> searches =
        MakeSearches(1000, kinds->front());
    std::vector<std::string> bodies;
    for (const v1::SearchRequest& search : searches) {
      bodies.push_back(ToJson(search));
    }
    const std::string target = absl::GetFlag(FLAGS_target);
    const size_t colon = target.rfind(':');
    int port = 0;
    if (colon == std::string::npos ||
        !absl::SimpleAtoi(target.substr(colon + 1), &port)) {
      std::fprintf(stderr, "bulletin_load: --target=%s is not host:port\n",
                   target.c_str());
      return EXIT_FAILURE;
    }
    const std::string host = target.substr(0, colon);
    // Calls sent twice because a kept-alive connection broke under the
    // first (see below); reported, so a retry is never silent.
    std::atomic<int64_t> retries{0};
    sampler.emplace(measured, options.warmup, options.duration);
    result = RunBlockingLoad(options, [&](int) -> BlockingCall {
      auto client = std::make_shared<httplib::Client>(host, port);
      client->set_keep_alive(true);
      // As the server does: no Nagle delay between headers and body.
      client->set_tcp_nodelay(true);
      client->set_read_timeout(30, 0);
      return [client, &bodies, &retries](int64_t n) -> absl::Status {
        const std::string& body =
            bodies[static_cast<size_t>(n) % bodies.size()];
        httplib::Result answer =
            client->Post("/v1/bulletins:search", body, "application/json");
        if (!answer && answer.error() == httplib::Error::Read) {
          // A connection reset under its request (as cpp-httplib's listen
          // backlog of 5 once caused, docs/benchmarks.md): a search is safe
          // to send again, as browsers do, and the count shows it.
          retries.fetch_add(1, std::memory_order_relaxed);
          answer =
              client->Post("/v1/bulletins:search", body, "application/json");
        }
        if (!answer) {
          return absl::UnavailableError(
              absl::StrCat("no answer: ", httplib::to_string(answer.error())));
        }
        if (answer->status != 200 ||
            answer->body.find("\"total_hits\"") == std::string::npos) {
          return absl::UnknownError(absl::StrCat("HTTP ", answer->status, ": ",
                                                 answer->body.substr(0, 200)));
        }
        return absl::OkStatus();
      };
    });
    described = absl::StrCat(" http_retries=", retries.load());
  } else if (mode == "submit" || mode == "freshness") {
    auto ingest_stubs = MakeStubs<v1::IngestService>(channels);
    std::vector<std::unique_ptr<v1::QueryService::Stub>> query_stubs;
    if (mode == "freshness") {
      query_stubs = MakeStubs<v1::QueryService>(
          MakeChannels(absl::GetFlag(FLAGS_query_target), channel_count));
    }
    const std::vector<Submission> submissions = MakeSubmissions(
        absl::GetFlag(FLAGS_first_bulletin), absl::GetFlag(FLAGS_bulletins));
    result = run_sampled([&](int64_t n) -> std::unique_ptr<Op> {
      if (n >= static_cast<int64_t>(submissions.size())) return nullptr;
      return std::make_unique<SubmitOp>(
          ingest_stubs[channel_of(n)].get(),
          query_stubs.empty() ? nullptr : query_stubs[channel_of(n)].get(),
          &submissions[static_cast<size_t>(n)]);
    });
  } else {
    std::fprintf(stderr, "bulletin_load: unknown --mode=%s\n", mode.c_str());
    return EXIT_FAILURE;
  }
  absl::StrAppend(&described, DescribeCpu(result, sampler->Finish()));
  Report(mode, options, result, described);
  return result.failed == 0 && result.succeeded > 0 ? EXIT_SUCCESS
                                                    : EXIT_FAILURE;
}

int RunCatchup() {
  const absl::Time since =
      absl::GetFlag(FLAGS_since_unix_nanos) > 0
          ? absl::FromUnixNanos(absl::GetFlag(FLAGS_since_unix_nanos))
          : absl::Now();
  const absl::Time give_up = absl::Now() + absl::GetFlag(FLAGS_timeout);
  const uint64_t min_seq = absl::GetFlag(FLAGS_min_seq);
  auto stub = v1::QueryService::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
  v1::StatsResponse stats;
  while (absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(2));
    // Polled every 10 ms: the figure is seconds, so this adds little.
    if (stub->Stats(&context, v1::StatsRequest(), &stats).ok() &&
        stats.caught_up() && stats.applied_seq() >= min_seq) {
      const double seconds = absl::ToDoubleSeconds(absl::Now() - since);
      std::printf(
          "mode=catchup applied_seq=%llu bulletins=%lld seconds=%.3f "
          "rate=%.0f text_bytes=%lld index_bytes=%lld stored_bytes=%lld\n",
          static_cast<unsigned long long>(stats.applied_seq()),
          static_cast<long long>(stats.bulletin_count()), seconds,
          stats.applied_seq() / seconds,
          static_cast<long long>(stats.text_bytes()),
          static_cast<long long>(stats.index_bytes()),
          static_cast<long long>(stats.stored_bytes()));
      return EXIT_SUCCESS;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr,
               "bulletin_load: replica at %s applied seq %llu, not %llu, "
               "within the timeout\n",
               absl::GetFlag(FLAGS_target).c_str(),
               static_cast<unsigned long long>(stats.applied_seq()),
               static_cast<unsigned long long>(min_seq));
  return EXIT_FAILURE;
}

}  // namespace
}  // namespace bulletin::load

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Load generator for ingest-service and query-service; see "
      "bench/load/run.sh.\n"
      "Usage: bulletin_load "
      "--mode=echo|search|http_search|submit|freshness|catchup "
      "--target=HOST:PORT [--concurrency=N | --rate=R] ...");
  absl::ParseCommandLine(argc, argv);
#ifdef NDEBUG
  // As in the servers (common/server/grpc_server.cc): the generator shares
  // the cores with them, so what it spends on lock-order graphs is taken
  // from the server being measured.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "catchup") return bulletin::load::RunCatchup();
  return bulletin::load::RunCalls(mode);
}
