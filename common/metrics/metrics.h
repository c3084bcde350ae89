// A small Prometheus metrics registry: labelled counters, labelled
// histograms, and gauges computed at scrape time by callbacks, rendered in
// the Prometheus text exposition format (version 0.0.4).
//
//   bulletin::MetricsRegistry registry;
//   bulletin::Counter* warnings = registry.AddCounter(
//       "bulletin_parse_warnings_total", "Parser warnings by kind.", {"kind"});
//   warnings->Increment({"unplaced_line"});
//   registry.AddGauge("bulletin_log_head_seq", "Last seq in the log.", {},
//                     [&] { return std::vector<bulletin::GaugeSample>{
//                               {{}, double(log.head_seq())}}; });
//   std::string page = registry.Render();   // what /metrics serves
//
// Why not a client library: Debian 12 packages none for C++ (prometheus-cpp
// is not in bookworm), and the exposition format is a few lines of text.
//
// Ownership: the registry owns every metric it returns; pointers stay valid
// for the registry's lifetime. Gauge callbacks are called from the scraping
// thread and must stay callable (and thread-safe) while the registry can be
// rendered.
// Thread-safety: every method of every class here may be called from any
// thread. Add* calls normally happen once at start-up, before serving.

#ifndef BULLETIN_COMMON_METRICS_METRICS_H_
#define BULLETIN_COMMON_METRICS_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/sync/mutex.h"

namespace bulletin {

// Label values, in the order of the metric's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  Counter(std::string name, std::string help, std::vector<std::string> labels);

  // Adds `amount` (>= 0) to the series with these label values.
  void Increment(const LabelValues& values, double amount = 1);
  // The series' current value; 0 for a series never incremented.
  double Value(const LabelValues& values) const;

  void Render(std::string* out) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labels_;
  mutable Mutex mutex_;
  std::map<LabelValues, double> series_ ABSL_GUARDED_BY(mutex_);
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, increasing; +Inf is implied.
  Histogram(std::string name, std::string help, std::vector<std::string> labels,
            std::vector<double> bounds);

  void Observe(const LabelValues& values, double value);
  // Observations recorded for these label values.
  uint64_t Count(const LabelValues& values) const;

  void Render(std::string* out) const;

 private:
  struct Series {
    std::vector<uint64_t> buckets;  // Non-cumulative; one per bound, +Inf last.
    double sum = 0;
    uint64_t count = 0;
  };

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> labels_;
  const std::vector<double> bounds_;
  mutable Mutex mutex_;
  std::map<LabelValues, Series> series_ ABSL_GUARDED_BY(mutex_);
};

struct GaugeSample {
  LabelValues labels;
  double value = 0;
};

class MetricsRegistry {
 public:
  using GaugeCallback = std::function<std::vector<GaugeSample>()>;

  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter* AddCounter(std::string name, std::string help,
                      std::vector<std::string> labels);
  Histogram* AddHistogram(std::string name, std::string help,
                          std::vector<std::string> labels,
                          std::vector<double> bounds);
  // A gauge whose samples `callback` computes at each scrape, so that values
  // other components already keep (head seq, index size) are read where they
  // live instead of being copied into the registry on every change.
  void AddGauge(std::string name, std::string help,
                std::vector<std::string> labels, GaugeCallback callback);
  // A counter read the same way, for totals something else keeps (the
  // kernel's CPU time): `callback` must never report a smaller value.
  void AddCounterFunction(std::string name, std::string help,
                          std::vector<std::string> labels,
                          GaugeCallback callback);

  // Every metric, in the order added, in the text exposition format.
  std::string Render() const;

 private:
  // A metric whose samples a callback computes: a gauge or a counter.
  struct Gauge {
    const char* type;
    std::string name;
    std::string help;
    std::vector<std::string> labels;
    GaugeCallback callback;
  };
  // One entry per metric in the order added; exactly one pointer is set.
  struct Entry {
    Counter* counter = nullptr;
    Histogram* histogram = nullptr;
    const Gauge* gauge = nullptr;
  };

  mutable Mutex mutex_;
  std::vector<std::unique_ptr<Counter>> counters_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::unique_ptr<Histogram>> histograms_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::unique_ptr<Gauge>> gauges_ ABSL_GUARDED_BY(mutex_);
  std::vector<Entry> order_ ABSL_GUARDED_BY(mutex_);
};

// Bucket bounds for RPC latencies in seconds: 0.5 ms to 10 s.
std::vector<double> LatencyBuckets();

}  // namespace bulletin

#endif  // BULLETIN_COMMON_METRICS_METRICS_H_
