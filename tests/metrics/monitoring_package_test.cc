// The monitoring package against what the real binaries export: every
// metric name the Grafana dashboard and the PrometheusRule use is one that
// ingest or query serves (or a rule records), and each /metrics page passes
// `promtool check metrics`. A renamed metric fails here, not on a dark
// dashboard.

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/metrics/scrape.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

std::string ReadSource(const std::string& path) {
  std::ifstream in(std::string(BULLETIN_SOURCE_DIR) + "/" + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every maximal run of [A-Za-z0-9_:] in `text` that starts with one of
// `prefixes` (std::regex is avoided: GCC 12 under ASan warns inside it).
std::set<std::string> Names(const std::string& text,
                            const std::vector<std::string>& prefixes) {
  const auto is_name_char = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == ':';
  };
  std::set<std::string> found;
  for (size_t at = 0; at < text.size();) {
    if (!is_name_char(text[at])) {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string name = text.substr(at, end - at);
    for (const std::string& prefix : prefixes) {
      if (absl::StartsWith(name, prefix)) found.insert(name);
    }
    at = end;
  }
  return found;
}

// Metric family name -> type, from a page's "# TYPE" lines.
std::map<std::string, std::string> Families(const std::string& page) {
  std::map<std::string, std::string> families;
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::ConsumePrefix(&line, "# TYPE ")) continue;
    const std::vector<std::string> parts = absl::StrSplit(line, ' ');
    if (parts.size() == 2) families[parts[0]] = parts[1];
  }
  return families;
}

// The series `record:` lines of a rules file name.
std::set<std::string> Recorded(const std::string& rules) {
  std::set<std::string> recorded;
  for (absl::string_view line : absl::StrSplit(rules, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    if (absl::ConsumePrefix(&line, "- record: ")) {
      recorded.insert(std::string(absl::StripAsciiWhitespace(line)));
    }
  }
  return recorded;
}

bool Exported(const std::map<std::string, std::string>& families,
              const std::string& name) {
  if (families.count(name) > 0) return true;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    absl::string_view base = name;
    if (absl::ConsumeSuffix(&base, suffix)) {
      auto it = families.find(std::string(base));
      if (it != families.end() && it->second == "histogram") return true;
    }
  }
  return false;
}

class MonitoringPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest(0, {"--metrics_listen=127.0.0.1:0"}).ok());
    ASSERT_TRUE(pair_.StartQuery({"--metrics_listen=127.0.0.1:0"}).ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
    // A call of each kind, so that histograms and labelled counters have
    // series too.
    const std::string example = pair_.WriteFile(
        "example.txt", ReadExample("chongqing-cppcc-roundup.txt"));
    absl::StatusOr<CommandResult> submitted = pair_.Ctl({"submit", example});
    ASSERT_TRUE(submitted.ok() && submitted->exit_code == 0);
    absl::StatusOr<CommandResult> searched =
        pair_.Ctl({"search", "--min_seq=1", "政协"});
    ASSERT_TRUE(searched.ok() && searched->exit_code == 0);
    ingest_page_ = Scrape(MetricsPort(*pair_.ingest()));
    query_page_ = Scrape(MetricsPort(*pair_.query()));
    ASSERT_FALSE(absl::StartsWith(ingest_page_, "error")) << ingest_page_;
    ASSERT_FALSE(absl::StartsWith(query_page_, "error")) << query_page_;
  }

  ServicePair pair_;
  std::string ingest_page_;
  std::string query_page_;
};

TEST_F(MonitoringPackageTest, EveryPagePassesPromtoolCheckMetrics) {
  for (const auto& [name, page] :
       {std::pair<std::string, std::string>{"ingest", ingest_page_},
        {"query", query_page_}}) {
    const std::string file = pair_.WriteFile(name + ".metrics", page);
    absl::StatusOr<CommandResult> checked =
        RunCommand({"/bin/sh", "-c", "promtool check metrics < " + file},
                   pair_.scratch_dir());
    ASSERT_TRUE(checked.ok()) << checked.status();
    EXPECT_EQ(checked->exit_code, 0) << name << ":\n"
                                     << checked->out << checked->err;
    EXPECT_EQ(checked->out + checked->err, "") << name;
  }
}

TEST_F(MonitoringPackageTest, DashboardAndRulesUseOnlyExportedMetrics) {
  std::map<std::string, std::string> families = Families(ingest_page_);
  families.merge(Families(query_page_));
  const std::string rules =
      ReadSource("deploy/monitoring/prometheus-rule.yaml");
  const std::string dashboard =
      ReadSource("deploy/monitoring/grafana/bulletin.json");
  ASSERT_FALSE(rules.empty());
  ASSERT_FALSE(dashboard.empty());
  for (const auto& [file, text] :
       {std::pair<std::string, std::string>{"prometheus-rule.yaml", rules},
        {"bulletin.json", dashboard}}) {
    std::set<std::string> used;
    for (const std::string& name :
         Names(text, {"bulletin_", "grpc_server_", "process_"})) {
      if (name.find(':') == std::string::npos) used.insert(name);
    }
    EXPECT_GT(used.size(), 5u) << file;
    for (const std::string& name : used) {
      EXPECT_TRUE(Exported(families, name))
          << file << " uses " << name << ", which neither service exports";
    }
  }
  // Recorded series the dashboard reads must be recorded by the rules.
  const std::set<std::string> recorded = Recorded(rules);
  ASSERT_FALSE(recorded.empty());
  for (const std::string& name : Names(dashboard, {"bulletin:"})) {
    EXPECT_EQ(recorded.count(name), 1u)
        << "the dashboard reads " << name << ", which no rule records";
  }
}

}  // namespace
}  // namespace bulletin::testing
