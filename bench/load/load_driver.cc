#include "bench/load/load_driver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <unordered_map>
#include <utility>

#include "grpcpp/alarm.h"

namespace bulletin::load {
namespace {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double Quantile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest sample with at least q of them at or below.
  size_t rank = static_cast<size_t>(std::ceil(q * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1] / 1e6;
}

// What the poller threads share: the options, the clock's landmarks and the
// closed loop's operation counter.
struct Plan {
  const LoadOptions* options;
  const OpFactory* factory;
  int64_t start = 0;
  int64_t window_start = 0;
  int64_t window_end = 0;
  std::atomic<int64_t> next_closed_op{0};
  // Set once the factory returned null: no thread starts more.
  std::atomic<bool> exhausted{false};
};

// One poller thread: its CompletionQueue, the operations in flight on it and
// what it recorded. Only its own thread touches it until Run returns.
class Poller {
 public:
  Poller(Plan* plan, int index) : plan_(plan), index_(index) {}

  void Run() {
    const LoadOptions& options = *plan_->options;
    const int threads = options.threads;
    if (options.concurrency > 0) {
      const int share = options.concurrency / threads +
                        (index_ < options.concurrency % threads ? 1 : 0);
      for (int i = 0; i < share; ++i) {
        if (!StartClosed()) break;
      }
    } else {
      next_open_op_ = index_;
      IssueDueOpenOps();
    }
    void* tag = nullptr;
    bool ok = false;
    while (!in_flight_.empty() || alarm_pending_) {
      if (!cq_.Next(&tag, &ok)) break;
      if (tag == this) {
        alarm_pending_ = false;
        IssueDueOpenOps();
        continue;
      }
      Op* op = static_cast<Op*>(tag);
      if (!op->Proceed(&cq_)) continue;
      const int64_t now = NowNanos();
      auto it = in_flight_.find(op);
      Record(*op, it->second.due, now);
      in_flight_.erase(it);
      if (options.concurrency > 0 && now < plan_->window_end) StartClosed();
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

  int64_t succeeded = 0;
  int64_t failed = 0;
  std::string first_error;
  int64_t last_completion = 0;
  std::vector<int64_t> latency_nanos;
  std::vector<int64_t> extra_nanos;

 private:
  struct InFlight {
    std::unique_ptr<Op> op;
    // When it was due (open loop) or started (closed loop).
    int64_t due;
  };

  // Starts operation `n` due at `due`; false when the factory has run out.
  bool Start(int64_t n, int64_t due) {
    if (plan_->exhausted.load(std::memory_order_relaxed)) return false;
    std::unique_ptr<Op> op = (*plan_->factory)(n);
    if (op == nullptr) {
      plan_->exhausted.store(true, std::memory_order_relaxed);
      return false;
    }
    Op* raw = op.get();
    in_flight_.emplace(raw, InFlight{std::move(op), due});
    raw->Start(&cq_);
    return true;
  }

  bool StartClosed() {
    return Start(plan_->next_closed_op.fetch_add(1), NowNanos());
  }

  int64_t OpenDue(int64_t k) const {
    return plan_->start + static_cast<int64_t>(static_cast<double>(k) * 1e9 /
                                               plan_->options->rate);
  }

  // Starts every open-loop operation of this thread that is due, then sets
  // the alarm for the next one. Operation k belongs to thread k % threads.
  void IssueDueOpenOps() {
    const int64_t now = NowNanos();
    for (;;) {
      const int64_t due = OpenDue(next_open_op_);
      if (due >= plan_->window_end) return;
      if (due > now) break;
      if (!Start(next_open_op_, due)) return;
      next_open_op_ += plan_->options->threads;
    }
    const int64_t wait = OpenDue(next_open_op_) - now;
    alarm_.Set(
        &cq_, std::chrono::system_clock::now() + std::chrono::nanoseconds(wait),
        this);
    alarm_pending_ = true;
  }

  void Record(const Op& op, int64_t due, int64_t now) {
    const bool succeeded_op = op.succeeded();
    if (!succeeded_op && first_error.empty()) first_error = op.error();
    if (now < plan_->window_start || now >= plan_->window_end) return;
    last_completion = std::max(last_completion, now);
    if (!succeeded_op) {
      ++failed;
      return;
    }
    ++succeeded;
    latency_nanos.push_back(now - due);
    const int64_t extra = op.extra_nanos();
    if (extra >= 0) extra_nanos.push_back(extra);
  }

  Plan* const plan_;
  const int index_;
  grpc::CompletionQueue cq_;
  grpc::Alarm alarm_;
  bool alarm_pending_ = false;
  int64_t next_open_op_ = 0;
  std::unordered_map<Op*, InFlight> in_flight_;
};

}  // namespace

double LoadResult::LatencyMillis(double q) const {
  return Quantile(latency_nanos, q);
}

double LoadResult::ExtraMillis(double q) const {
  return Quantile(extra_nanos, q);
}

LoadResult RunLoad(const LoadOptions& options, const OpFactory& factory) {
  Plan plan;
  plan.options = &options;
  plan.factory = &factory;
  plan.start = NowNanos();
  plan.window_start = plan.start + absl::ToInt64Nanoseconds(options.warmup);
  plan.window_end =
      options.duration == absl::InfiniteDuration()
          ? std::numeric_limits<int64_t>::max()
          : plan.window_start + absl::ToInt64Nanoseconds(options.duration);

  std::vector<std::unique_ptr<Poller>> pollers;
  std::vector<std::thread> threads;
  for (int i = 0; i < options.threads; ++i) {
    pollers.push_back(std::make_unique<Poller>(&plan, i));
  }
  for (auto& poller : pollers) {
    threads.emplace_back([p = poller.get()] { p->Run(); });
  }
  for (std::thread& thread : threads) thread.join();

  LoadResult result;
  int64_t last_completion = plan.window_start;
  for (const auto& poller : pollers) {
    result.succeeded += poller->succeeded;
    result.failed += poller->failed;
    if (result.first_error.empty()) result.first_error = poller->first_error;
    last_completion = std::max(last_completion, poller->last_completion);
    result.latency_nanos.insert(result.latency_nanos.end(),
                                poller->latency_nanos.begin(),
                                poller->latency_nanos.end());
    result.extra_nanos.insert(result.extra_nanos.end(),
                              poller->extra_nanos.begin(),
                              poller->extra_nanos.end());
  }
  // A run cut short by the factory ends at its last completion.
  result.seconds =
      (std::min(plan.window_end, last_completion) - plan.window_start) / 1e9;
  std::sort(result.latency_nanos.begin(), result.latency_nanos.end());
  std::sort(result.extra_nanos.begin(), result.extra_nanos.end());
  return result;
}

}  // namespace bulletin::load
