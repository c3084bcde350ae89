// The search page in headless Chromium: starts the real ingest-service and
// query-service with --http_listen on ephemeral loopback ports and temporary
// directories, then runs search_page_test.mjs (puppeteer-core) against
// them. Every process here dies with the test (ChildProcess's
// PR_SET_PDEATHSIG for the services and node; chromium.sh for Chromium).

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/system/service_pair.h"
#include "tests/testing/temp_dir.h"

namespace bulletin::testing {
namespace {

TEST(SearchPageBrowserTest, EditorSearchesFiltersPagesOpensAndWatches) {
  ServicePair pair;
  ASSERT_TRUE(pair.StartIngest(0, {"--http_listen=127.0.0.1:0"}).ok());
  ASSERT_TRUE(pair.StartQuery({"--http_listen=127.0.0.1:0"}).ok());
  const int ingest_http = LoggedPort(*pair.ingest(), "http_port");
  const int query_http = LoggedPort(*pair.query(), "http_port");
  ASSERT_GT(ingest_http, 0) << FileTail(pair.ingest()->log_path());
  ASSERT_GT(query_http, 0) << FileTail(pair.query()->log_path());
  ASSERT_TRUE(pair.WaitUntilServing(pair.query_address()).ok());

  TempDir profile;
  const std::string log = pair.scratch_dir() + "/browser.log";
  auto node = ChildProcess::Start(
      {NODE_BINARY, BROWSER_TEST_SCRIPT,
       absl::StrCat("--ingest=http://127.0.0.1:", ingest_http),
       absl::StrCat("--query=http://127.0.0.1:", query_http),
       absl::StrCat("--examples=", BULLETIN_EXAMPLES_DIR),
       absl::StrCat("--screenshots=", SCREENSHOT_DIR),
       absl::StrCat("--profile=", profile.path()),
       absl::StrCat("--chromium=", CHROMIUM_WRAPPER)},
      log);
  ASSERT_TRUE(node.ok()) << node.status();
  absl::StatusOr<int> exit_code = (*node)->Wait(absl::Seconds(240));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status() << "\n" << FileTail(log);
  EXPECT_EQ(*exit_code, 0) << FileTail(log, 6000) << "\nquery log:\n"
                           << FileTail(pair.query()->log_path());
}

}  // namespace
}  // namespace bulletin::testing
