#include "common/metrics/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace bulletin {
namespace {

// Integral values print as integers so that seqs and byte counts stay exact;
// StrCat's 6 significant digits would round them.
std::string FormatValue(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  // The shortest form that reads back as the same double, so bucket bounds
  // print as 0.005, not 0.0050000000000000001.
  for (int digits = 15; digits < 17; ++digits) {
    std::string text = absl::StrFormat("%.*g", digits, value);
    if (std::strtod(text.c_str(), nullptr) == value) return text;
  }
  return absl::StrFormat("%.17g", value);
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// `{a="x",b="y"}`, or "" when there are no labels. `extra` is appended as one
// more already-formatted pair (the histogram's le).
std::string FormatLabels(const std::vector<std::string>& names,
                         const LabelValues& values,
                         absl::string_view extra = "") {
  if (names.empty() && extra.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ",";
    absl::StrAppend(&out, names[i], "=\"",
                    EscapeLabelValue(i < values.size() ? values[i] : ""), "\"");
  }
  if (!extra.empty()) absl::StrAppend(&out, names.empty() ? "" : ",", extra);
  out += "}";
  return out;
}

void RenderHeader(absl::string_view name, absl::string_view help,
                  absl::string_view type, std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

}  // namespace

Counter::Counter(std::string name, std::string help,
                 std::vector<std::string> labels)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)) {}

void Counter::Increment(const LabelValues& values, double amount) {
  MutexLock lock(&mutex_);
  series_[values] += amount;
}

double Counter::Value(const LabelValues& values) const {
  MutexLock lock(&mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second;
}

void Counter::Render(std::string* out) const {
  RenderHeader(name_, help_, "counter", out);
  MutexLock lock(&mutex_);
  for (const auto& [values, value] : series_) {
    absl::StrAppend(out, name_, FormatLabels(labels_, values), " ",
                    FormatValue(value), "\n");
  }
}

Histogram::Histogram(std::string name, std::string help,
                     std::vector<std::string> labels,
                     std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      bounds_(std::move(bounds)) {}

void Histogram::Observe(const LabelValues& values, double value) {
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  MutexLock lock(&mutex_);
  Series& series = series_[values];
  if (series.buckets.empty()) series.buckets.resize(bounds_.size() + 1);
  ++series.buckets[bucket];
  series.sum += value;
  ++series.count;
}

uint64_t Histogram::Count(const LabelValues& values) const {
  MutexLock lock(&mutex_);
  auto it = series_.find(values);
  return it == series_.end() ? 0 : it->second.count;
}

void Histogram::Render(std::string* out) const {
  RenderHeader(name_, help_, "histogram", out);
  MutexLock lock(&mutex_);
  for (const auto& [values, series] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += series.buckets[i];
      const std::string le = absl::StrCat(
          "le=\"",
          i < bounds_.size() ? FormatValue(bounds_[i]) : std::string("+Inf"),
          "\"");
      absl::StrAppend(out, name_, "_bucket", FormatLabels(labels_, values, le),
                      " ", cumulative, "\n");
    }
    absl::StrAppend(out, name_, "_sum", FormatLabels(labels_, values), " ",
                    FormatValue(series.sum), "\n", name_, "_count",
                    FormatLabels(labels_, values), " ", series.count, "\n");
  }
}

Counter* MetricsRegistry::AddCounter(std::string name, std::string help,
                                     std::vector<std::string> labels) {
  MutexLock lock(&mutex_);
  counters_.push_back(std::make_unique<Counter>(
      std::move(name), std::move(help), std::move(labels)));
  order_.push_back({counters_.back().get(), nullptr, nullptr});
  return counters_.back().get();
}

Histogram* MetricsRegistry::AddHistogram(std::string name, std::string help,
                                         std::vector<std::string> labels,
                                         std::vector<double> bounds) {
  MutexLock lock(&mutex_);
  histograms_.push_back(std::make_unique<Histogram>(
      std::move(name), std::move(help), std::move(labels), std::move(bounds)));
  order_.push_back({nullptr, histograms_.back().get(), nullptr});
  return histograms_.back().get();
}

void MetricsRegistry::AddGauge(std::string name, std::string help,
                               std::vector<std::string> labels,
                               GaugeCallback callback) {
  MutexLock lock(&mutex_);
  gauges_.push_back(
      std::make_unique<Gauge>(Gauge{"gauge", std::move(name), std::move(help),
                                    std::move(labels), std::move(callback)}));
  order_.push_back({nullptr, nullptr, gauges_.back().get()});
}

void MetricsRegistry::AddCounterFunction(std::string name, std::string help,
                                         std::vector<std::string> labels,
                                         GaugeCallback callback) {
  MutexLock lock(&mutex_);
  gauges_.push_back(
      std::make_unique<Gauge>(Gauge{"counter", std::move(name), std::move(help),
                                    std::move(labels), std::move(callback)}));
  order_.push_back({nullptr, nullptr, gauges_.back().get()});
}

std::string MetricsRegistry::Render() const {
  std::vector<Entry> order;
  {
    MutexLock lock(&mutex_);
    order = order_;
  }
  // Rendered without the registry's lock: gauge callbacks take the locks of
  // the components they read, and must not nest inside ours.
  std::string out;
  for (const Entry& entry : order) {
    if (entry.counter != nullptr) {
      entry.counter->Render(&out);
    } else if (entry.histogram != nullptr) {
      entry.histogram->Render(&out);
    } else {
      RenderHeader(entry.gauge->name, entry.gauge->help, entry.gauge->type,
                   &out);
      for (const GaugeSample& sample : entry.gauge->callback()) {
        absl::StrAppend(&out, entry.gauge->name,
                        FormatLabels(entry.gauge->labels, sample.labels), " ",
                        FormatValue(sample.value), "\n");
      }
    }
  }
  return out;
}

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}

}  // namespace bulletin
