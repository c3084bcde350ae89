// bulletinctl against the real services: output formats and failures.

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

// A failure is one line on stderr, starting with the program's name.
void ExpectOneErrorLine(const CommandResult& result, const std::string& part) {
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err, StartsWith("bulletinctl: "));
  EXPECT_THAT(result.err, HasSubstr(part));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1)
      << result.err;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pair_.StartIngest().ok());
    ASSERT_TRUE(pair_.StartQuery().ok());
    ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
    seed_path_ =
        pair_.WriteFile("seed.txt", ReadExample("chongqing-cppcc-roundup.txt"));
  }
  ServicePair pair_;
  std::string seed_path_;
};

TEST_F(CliTest, ParseJsonPrintsTheRecordWithProtoFieldNames) {
  auto result = pair_.Ctl({"parse", "--json", seed_path_});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->exit_code, 0) << result->err;
  EXPECT_THAT(
      result->out,
      HasSubstr("\"headline\":\"区县政协组织学习贯彻党的十九届六中全会精神\""));
  EXPECT_THAT(result->out, HasSubstr("\"series\":{"));
  EXPECT_THAT(result->out, HasSubstr("\"reporters\":["));
  EXPECT_EQ(std::count(result->out.begin(), result->out.end(), '\n'), 1);
}

TEST_F(CliTest, SubmitJsonPrintsOneObjectPerFile) {
  const std::string other = pair_.WriteFile("other.txt", "标题\n导语内容。\n");
  auto result = pair_.Ctl({"submit", "--json", seed_path_, other});
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->exit_code, 0) << result->err;
  std::vector<std::string> lines =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(result->out), '\n');
  ASSERT_EQ(lines.size(), 2u);
  // Proto3 JSON: 64-bit integers are strings.
  EXPECT_THAT(lines[0], MatchesRegex("\\{\"id\":\"[0-9a-f]{16}\",\"seq\":\"1\","
                                     ".*\"file\":\".*seed.txt\"\\}"));
  EXPECT_THAT(lines[1], HasSubstr("\"seq\":\"2\""));
}

// A bulletin named by --source and --external_id through its versions: a
// precondition that fails, a retraction retried with its request id.
TEST_F(CliTest, WritesBySourceAndExternalIdWithVersionsAndRequestIds) {
  const std::string other = pair_.WriteFile("other.txt", "标题\n导语内容。\n");
  const std::vector<std::string> name = {"--source=cms-a",
                                         "--external_id=story-42"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, name.begin(), name.end());
    absl::StatusOr<CommandResult> result = pair_.Ctl(args);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : CommandResult{};
  };
  CommandResult created = with({"submit", "--json", seed_path_});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THAT(created.out,
              HasSubstr(R"("version":"1","result":"WRITE_RESULT_CREATED")"));
  CommandResult updated =
      with({"submit", "--json", "--expected_version=1", other});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_THAT(updated.out,
              HasSubstr(R"("version":"2","result":"WRITE_RESULT_UPDATED")"));
  CommandResult stale = with({"submit", "--expected_version=1", seed_path_});
  ExpectOneErrorLine(stale, "FAILED_PRECONDITION");
  EXPECT_THAT(stale.err, HasSubstr("version 2"));

  CommandResult got = with({"get", "--json", "--min_seq=2"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_THAT(got.out, HasSubstr(R"("version":"2")"));
  EXPECT_THAT(got.out, HasSubstr(R"("source":"cms-a")"));

  CommandResult retracted = with({"retract", "--request_id=takedown-9"});
  ASSERT_EQ(retracted.exit_code, 0) << retracted.err;
  CommandResult retried = with({"retract", "--request_id=takedown-9"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, retracted.out);
  CommandResult gone = with({"retract"});
  ExpectOneErrorLine(gone, "NOT_FOUND");
}

TEST_F(CliTest, SubmitReportsEachBadFileAndGoesOn) {
  const std::string empty = pair_.WriteFile("empty.txt", "");
  auto result = pair_.Ctl({"submit", empty, seed_path_});
  ASSERT_TRUE(result.ok());
  ExpectOneErrorLine(*result, "INVALID_ARGUMENT");
  EXPECT_THAT(result->err, HasSubstr("empty.txt"));
  EXPECT_THAT(result->out, HasSubstr("seed.txt"));
}

TEST_F(CliTest, GetOfUnknownIdIsNotFound) {
  auto result = pair_.Ctl({"get", "0000000000000000"});
  ASSERT_TRUE(result.ok());
  ExpectOneErrorLine(*result, "NOT_FOUND");
}

TEST_F(CliTest, MissingFileIsReported) {
  auto result = pair_.Ctl({"submit", pair_.scratch_dir() + "/nope.txt"});
  ASSERT_TRUE(result.ok());
  ExpectOneErrorLine(*result, "cannot open file");
}

TEST_F(CliTest, BadFlagValuesAreReportedBeforeAnyCall) {
  auto limit = pair_.Ctl({"search", "--limit=0", "政协"});
  ASSERT_TRUE(limit.ok());
  ExpectOneErrorLine(*limit, "--limit");
  auto kind = pair_.Ctl({"search", "--kind=CHURCH", "政协"});
  ASSERT_TRUE(kind.ok());
  ExpectOneErrorLine(*kind, "--kind");
}

TEST_F(CliTest, WatchPrintsEachNewHitAsItArrives) {
  const std::string out = pair_.scratch_dir() + "/watch.out";
  const std::string err = pair_.scratch_dir() + "/watch.err";
  auto watch = ChildProcess::Start(
      {BULLETINCTL_BINARY, "--query_addr=" + pair_.query_address(), "watch",
       "--json", "--count=1", "--region=忠县", "委员"},
      out, err);
  ASSERT_TRUE(watch.ok());
  // Registered once it says so; then a bulletin that does not match, then
  // one that does.
  while (FileTail(err).find("watching") == std::string::npos) {
    ASSERT_TRUE((*watch)->Running()) << FileTail(err);
    absl::SleepFor(absl::Milliseconds(10));
  }
  const std::string other =
      pair_.WriteFile("other.txt", "标题\n江津区政协召开会议,委员发言。\n");
  ASSERT_EQ(pair_.Ctl({"submit", other})->exit_code, 0);
  auto submitted = pair_.Ctl({"submit", seed_path_});
  ASSERT_EQ(submitted->exit_code, 0) << submitted->err;
  const std::string id = submitted->out.substr(0, 16);
  absl::StatusOr<int> exit_code = (*watch)->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0) << FileTail(err);
  const std::string printed = FileTail(out);
  EXPECT_THAT(printed, HasSubstr("\"bulletin_id\":\"" + id + "\""));
  EXPECT_EQ(std::count(printed.begin(), printed.end(), '\n'), 1) << printed;
}

// Each exit status of cli/exit_codes.h, from the real services.
TEST_F(CliTest, ExitStatusesTellFailuresApart) {
  auto status_of = [&](const std::vector<std::string>& args) {
    absl::StatusOr<CommandResult> result = pair_.Ctl(args);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->exit_code : -1;
  };
  EXPECT_EQ(status_of({"get"}), 2) << "a missing argument";
  EXPECT_EQ(status_of({"--no_such_flag", "stats"}), 2);
  EXPECT_EQ(status_of({"search", "--limit=many", "政协"}), 2);
  EXPECT_EQ(status_of({"submit", pair_.scratch_dir() + "/nope.txt"}), 1);
  EXPECT_EQ(status_of({"get", "0000000000000000"}), 3);
  EXPECT_EQ(status_of({"submit", "--source=cms-a", "--external_id=x",
                       "--expected_version=4", seed_path_}),
            5);
  auto owned = pair_.Ctl({"submit", "--source=cms-a", seed_path_});
  ASSERT_EQ(owned->exit_code, 0) << owned->err;
  EXPECT_EQ(status_of({"retract", "--source=cms-b", owned->out.substr(0, 16)}),
            6);
  EXPECT_EQ(status_of({"submit", pair_.WriteFile("empty.txt", "")}), 7);
  // A Watch position in another log: a resync, refused as a precondition.
  EXPECT_EQ(
      status_of({"watch", "--after_seq=1",
                 "--after_log=00000000000000000000000000000000:1", "政协"}),
      5);
  EXPECT_EQ(status_of({"watch", "--after_log=abc", "政协"}), 2);
  const std::string huge =
      pair_.WriteFile("huge.txt", std::string(5 << 20, 'x'));
  EXPECT_EQ(status_of({"submit", huge}), 8);
  pair_.query()->Kill();
  EXPECT_EQ(status_of({"--timeout=2s", "stats"}), 4);
}

TEST_F(CliTest, HelpAndVersionExitZero) {
  auto overview = pair_.Ctl({"--help"});
  ASSERT_TRUE(overview.ok());
  EXPECT_EQ(overview->exit_code, 0);
  EXPECT_THAT(overview->out, HasSubstr("retract"));
  EXPECT_THAT(overview->out, HasSubstr("Exit status:"));
  auto submit = pair_.Ctl({"help", "submit"});
  ASSERT_TRUE(submit.ok());
  EXPECT_EQ(submit->exit_code, 0);
  EXPECT_THAT(submit->out, StartsWith("Usage: bulletinctl submit"));
  EXPECT_THAT(submit->out, HasSubstr("--request_id"));
  EXPECT_THAT(submit->out, Not(HasSubstr("--region")));
  auto same = pair_.Ctl({"submit", "--help"});
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->out, submit->out);
  auto unknown = pair_.Ctl({"help", "frobnicate"});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->exit_code, 2);
  auto version = pair_.Ctl({"--version"});
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(version->exit_code, 0);
  EXPECT_THAT(version->out,
              MatchesRegex("bulletinctl [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

TEST_F(CliTest, UnknownCommandIsAUsageError) {
  auto result = pair_.Ctl({"frobnicate"});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->exit_code, 2);
  EXPECT_THAT(result->err, HasSubstr("unknown command"));
}

TEST_F(CliTest, UnreachableServiceIsUnavailable) {
  pair_.query()->Kill();
  auto result = pair_.Ctl({"--timeout=2s", "search", "政协"});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->exit_code, 4);
  EXPECT_THAT(result->err, StartsWith("bulletinctl: search: "));
  EXPECT_TRUE(absl::StrContains(result->err, "UNAVAILABLE") ||
              absl::StrContains(result->err, "DEADLINE_EXCEEDED"))
      << result->err;
}

}  // namespace
}  // namespace bulletin::testing
