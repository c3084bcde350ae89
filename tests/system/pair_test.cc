// The pair end to end: the real binaries, submitting, searching, killing and
// restarting.

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;

// Submits one file with bulletinctl; returns {id, seq}.
std::pair<std::string, std::string> SubmitFile(ServicePair& pair,
                                               const std::string& path) {
  auto result = pair.Ctl({"submit", path});
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  EXPECT_EQ(result->exit_code, 0) << result->err;
  std::vector<std::string> fields =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(result->out), ' ');
  EXPECT_EQ(fields.size(), 3u) << result->out;
  if (fields.size() != 3) return {};
  EXPECT_EQ(fields[2], path);
  return {fields[0], fields[1]};
}

std::string NumberedBulletin(int n) {
  return absl::StrCat("第", n, "号简报\n忠县政协召开会议,学习第", n,
                      "期材料。\n");
}

// How many bulletins a search for 简报 finds: every numbered bulletin once.
int CountNumbered(ServicePair& pair, const std::string& min_seq) {
  auto result = pair.Ctl(
      {"search", "--json", "--limit=1", "--min_seq=" + min_seq, "简报"});
  if (!result.ok() || result->exit_code != 0) return -1;
  const size_t at = result->out.find("\"total_hits\":\"");
  if (at == std::string::npos) return -1;
  return std::atoi(result->out.c_str() + at + 14);
}

TEST(PairTest, SeedIsFoundBySearchAndGetAndAgainAfterQueryRestart) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());

  const std::string seed =
      pair.WriteFile("seed.txt", ReadExample("chongqing-cppcc-roundup.txt"));
  const absl::Time submitted_at = absl::Now();
  auto [id, seq] = SubmitFile(pair, seed);
  ASSERT_FALSE(id.empty());

  // Without min_seq: the write becomes visible through the Feed on its own.
  std::string found;
  while (absl::Now() - submitted_at < absl::Seconds(10)) {
    auto search = pair.Ctl({"search", "委员工作室"});
    ASSERT_TRUE(search.ok());
    ASSERT_EQ(search->exit_code, 0) << search->err;
    if (search->out.find(id) != std::string::npos) {
      found = search->out;
      break;
    }
  }
  ASSERT_THAT(found, HasSubstr(id));
  EXPECT_THAT(found, HasSubstr("区县政协组织学习贯彻党的十九届六中全会精神"));

  auto get = pair.Ctl({"get", "--json", id});
  ASSERT_TRUE(get.ok());
  ASSERT_EQ(get->exit_code, 0) << get->err;
  EXPECT_THAT(get->out, HasSubstr("\"kicker\":\"为新时代新征程汇聚力量\""));
  EXPECT_THAT(get->out, HasSubstr(absl::StrCat("\"seq\":\"", seq, "\"")));

  // A restarted replica rebuilds by replay and finds it again.
  auto stopped = pair.query()->Terminate(absl::Seconds(20));
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  EXPECT_EQ(*stopped, 0);
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  auto again = pair.Ctl({"get", "--json", id});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->exit_code, 0) << again->err;
  EXPECT_THAT(again->out, HasSubstr("大渡口区政协党组"));
  auto search = pair.Ctl({"search", "委员工作室"});
  ASSERT_TRUE(search.ok());
  EXPECT_THAT(search->out, HasSubstr(id));

  auto ingest_stopped = pair.ingest()->Terminate(absl::Seconds(20));
  ASSERT_TRUE(ingest_stopped.ok()) << ingest_stopped.status();
  EXPECT_EQ(*ingest_stopped, 0);
}

TEST(PairTest, QueryIsNotServingUntilItReachesIngestAndCatchesUp) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  const int port = pair.ingest_port();
  auto [id, seq] =
      SubmitFile(pair, pair.WriteFile("one.txt", NumberedBulletin(1)));
  ASSERT_FALSE(id.empty());
  pair.ingest()->Kill();

  ASSERT_TRUE(pair.StartQuery().ok());
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(pair.HealthOf(pair.query_address()), "NOT_SERVING");

  ASSERT_TRUE(pair.StartIngest(port).ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  auto get = pair.Ctl({"get", id});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->exit_code, 0) << get->err;
}

TEST(PairTest, SigkilledIngestKeepsEveryAcknowledgedBulletinOnce) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  const int port = pair.ingest_port();
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());

  std::vector<std::string> files;
  for (int n = 1; n <= 20; ++n) {
    files.push_back(
        pair.WriteFile(absl::StrCat(n, ".txt"), NumberedBulletin(n)));
  }
  std::vector<std::string> first(files.begin(), files.begin() + 10);
  first.insert(first.begin(), "submit");
  auto submitted = pair.Ctl(first);
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->exit_code, 0) << submitted->err;

  pair.ingest()->Kill();
  ASSERT_TRUE(pair.StartIngest(port).ok());

  // Everything again: the first ten are duplicates, the rest are new.
  std::vector<std::string> all(files);
  all.insert(all.begin(), "submit");
  auto resubmitted = pair.Ctl(all);
  ASSERT_TRUE(resubmitted.ok());
  ASSERT_EQ(resubmitted->exit_code, 0) << resubmitted->err;
  std::vector<std::string> lines = absl::StrSplit(
      absl::StripTrailingAsciiWhitespace(resubmitted->out), '\n');
  ASSERT_EQ(lines.size(), 20u);
  std::vector<std::string> first_lines =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(submitted->out), '\n');
  ASSERT_EQ(first_lines.size(), 10u);
  std::set<std::string> seqs;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> fields = absl::StrSplit(lines[i], ' ');
    seqs.insert(fields[1]);
    // The acknowledged ten are the same bulletins (UNCHANGED; bulletinctl's
    // request ids have them rewritten, so their seqs are new).
    if (i < 10) {
      EXPECT_EQ(fields[0], first_lines[i].substr(0, 16));
    }
  }
  EXPECT_EQ(seqs.size(), 20u);  // No two bulletins share a seq.
  EXPECT_EQ(CountNumbered(pair, "30"), 20);
}

// The log's directory restored from a copy taken before the replica applied
// more, and written again past the replica's seq: the replica must not go
// on serving the bulletins the restored log lacks. It rebuilds and serves
// exactly what the restored log holds.
TEST(PairTest, AReplicaRebuildsWhenTheLogIsRestoredFromAnEarlierCopy) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest().ok());
  const int port = pair.ingest_port();
  ASSERT_TRUE(pair.StartQuery().ok());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());
  auto submit = [&](int n) {
    auto result = pair.Ctl({"submit", pair.WriteFile(absl::StrCat(n, ".txt"),
                                                     NumberedBulletin(n))});
    ASSERT_TRUE(result.ok());
    ASSERT_EQ(result->exit_code, 0) << result->err;
  };
  submit(1);
  // The backup, taken of a stopped log as docs/operations.md says.
  ASSERT_TRUE(pair.ingest()->Terminate(absl::Seconds(30)).ok());
  const std::string backup = pair.scratch_dir() + "/backup";
  std::filesystem::copy(pair.data_dir(), backup,
                        std::filesystem::copy_options::recursive);
  ASSERT_TRUE(pair.StartIngest(port).ok());
  submit(2);
  submit(3);
  EXPECT_EQ(CountNumbered(pair, "3"), 3);
  // The disk is lost; the backup comes back, and writes go on.
  pair.ingest()->Kill();
  std::filesystem::remove_all(pair.data_dir());
  std::filesystem::rename(backup, pair.data_dir());
  ASSERT_TRUE(pair.StartIngest(port).ok());
  for (int n = 4; n <= 6; ++n) submit(n);
  // Bulletins 1 and 4-6 only, once the replica has rebuilt.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  int count = -1;
  while (absl::Now() < deadline) {
    count = CountNumbered(pair, "1");
    if (count == 4) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(count, 4);
  auto search = pair.Ctl({"search", "--json", "第2号"});
  ASSERT_TRUE(search.ok());
  EXPECT_THAT(search->out, ::testing::Not(::testing::HasSubstr("第2号")));
  EXPECT_EQ(pair.HealthOf(pair.query_address()), "SERVING");
}

}  // namespace
}  // namespace bulletin::testing
