// Live credentials on the real ingest-service: bearer tokens and the
// server's certificate rotate while clients keep calling, without a
// restart and without a failed call; certificate expiry is a metric.

#include <stdio.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "common/metrics/certificate_metrics.h"
#include "common/record/json.h"
#include "common/server/grpc_server.h"
#include "common/server/tls.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/security/test_certs.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestCerts> certs = MakeTestCerts(pair_.scratch_dir());
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
  }

  // Parse on ingest over a new connection (its own handshake) with
  // `security`.
  grpc::Status Parse(const ClientSecurity& security) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        MakeChannelCredentials(security);
    if (!credentials.ok()) return grpc::Status::CANCELLED;
    grpc::ChannelArguments arguments;
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = v1::IngestService::NewStub(grpc::CreateCustomChannel(
        pair_.ingest_address(), *credentials, arguments));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    v1::ParseRequest request;
    request.set_content("第1号快讯\n江津区政协召开会议。\n");
    v1::ParseResponse response;
    return stub->Parse(&context, request, &response);
  }

  // Calls Parse until it ends with `code`; false after 20 s.
  bool AwaitParse(const ClientSecurity& security, grpc::StatusCode code) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (Parse(security).error_code() != code) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return true;
  }

  ServicePair pair_;
  TestCerts certs_;
};

// Calls Parse in a loop on its own thread until destroyed.
class Traffic {
 public:
  explicit Traffic(std::function<grpc::Status()> call)
      : thread_([this, call = std::move(call)] {
          while (!stop_) {
            const grpc::Status status = call();
            ++calls_;
            if (!status.ok() && failures_++ == 0) {
              first_error_ = status.error_message();
            }
          }
        }) {}
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ~Traffic() { Stop(); }
  int calls() const { return calls_; }
  int failures() const { return failures_; }
  const std::string& first_error() const { return first_error_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> calls_{0};
  std::atomic<int> failures_{0};
  std::string first_error_;
  std::thread thread_;
};

TEST_F(RotationTest, TokensRotateWithoutARestart) {
  const std::string served =
      pair_.WriteFile("served.tokens", "old-token-8f2a\n");
  ASSERT_TRUE(pair_
                  .StartIngest(0, {"--tls_cert_file=" + certs_.server.cert,
                                   "--tls_key_file=" + certs_.server.key,
                                   "--auth_token_file=" + served})
                  .ok());
  ClientSecurity old_client;
  old_client.ca_file = certs_.ca;
  old_client.token_file = pair_.WriteFile("old.token", "old-token-8f2a\n");
  ClientSecurity new_client = old_client;
  new_client.token_file = pair_.WriteFile("new.token", "new-token-3c9d\n");
  ASSERT_TRUE(Parse(old_client).ok());
  EXPECT_EQ(Parse(new_client).error_code(), grpc::StatusCode::UNAUTHENTICATED);

  {
    Traffic old_traffic([&] { return Parse(old_client); });
    // Both valid while clients move over.
    ASSERT_TRUE(WriteFileAtomically(
                    served, "# rotating\nold-token-8f2a\nnew-token-3c9d\n")
                    .ok());
    EXPECT_TRUE(AwaitParse(new_client, grpc::StatusCode::OK));
    old_traffic.Stop();
    EXPECT_GT(old_traffic.calls(), 0);
    EXPECT_EQ(old_traffic.failures(), 0) << old_traffic.first_error();
  }
  Traffic new_traffic([&] { return Parse(new_client); });
  ASSERT_TRUE(WriteFileAtomically(served, "new-token-3c9d\n").ok());
  EXPECT_TRUE(AwaitParse(old_client, grpc::StatusCode::UNAUTHENTICATED));
  new_traffic.Stop();
  EXPECT_GT(new_traffic.calls(), 0);
  EXPECT_EQ(new_traffic.failures(), 0) << new_traffic.first_error();

  const std::string log = FileTail(pair_.ingest()->log_path(), 1 << 20);
  EXPECT_THAT(log, HasSubstr("token_file_reloaded"));
  EXPECT_THAT(log, Not(HasSubstr("token-8f2a")));
  EXPECT_THAT(log, Not(HasSubstr("token-3c9d")));
}

TEST_F(RotationTest, TheServerCertificateRotatesWithoutAFailedHandshake) {
  // Served from a directory reached through a symlink that is swapped in
  // one rename, the way kubelet updates a mounted Secret.
  namespace fs = std::filesystem;
  const fs::path scratch = pair_.scratch_dir();
  fs::create_directories(scratch / "next");
  absl::StatusOr<TestCerts> next = MakeTestCerts((scratch / "next").string());
  ASSERT_TRUE(next.ok()) << next.status();
  for (const auto& [dir, pair] :
       {std::pair<std::string, CertPair>{"tls-1", certs_.server},
        {"tls-2", next->server}}) {
    fs::create_directories(scratch / dir);
    fs::copy_file(pair.cert, scratch / dir / "tls.crt");
    fs::copy_file(pair.key, scratch / dir / "tls.key");
  }
  fs::create_directory_symlink("tls-1", scratch / "tls");
  ASSERT_TRUE(
      pair_
          .StartIngest(
              0, {"--tls_cert_file=" + (scratch / "tls/tls.crt").string(),
                  "--tls_key_file=" + (scratch / "tls/tls.key").string(),
                  "--tls_reload_interval=1s", "--http_listen=127.0.0.1:0"})
          .ok());
  const int http_port = LoggedPort(*pair_.ingest(), "http_port");
  ASSERT_GT(http_port, 0);
  // Parse over HTTPS, on a new connection, trusting `ca_file` only.
  v1::ParseRequest parse;
  parse.set_content("第1号快讯\n江津区政协召开会议。\n");
  const std::string parse_json = ToJson(parse);
  auto parse_over_https = [&](const std::string& ca_file) {
    httplib::SSLClient client("127.0.0.1", http_port);
    client.set_ca_cert_path(ca_file.c_str());
    client.enable_server_certificate_verification(true);
    httplib::Result result =
        client.Post("/v1/bulletins:parse", parse_json, "application/json");
    if (!result) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          httplib::to_string(result.error()));
    }
    return result->status == 200
               ? grpc::Status::OK
               : grpc::Status(grpc::StatusCode::UNKNOWN, result->body);
  };

  // Clients that trust both CAs see no failure; one that trusts only the
  // new CA is refused until the new certificate is served.
  ClientSecurity both;
  both.ca_file =
      pair_.WriteFile("both-cas.pem", ReadWholeFile(certs_.ca).value_or("") +
                                          ReadWholeFile(next->ca).value_or(""));
  ClientSecurity only_new;
  only_new.ca_file = next->ca;
  ASSERT_TRUE(Parse(both).ok());
  EXPECT_EQ(Parse(only_new).error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_TRUE(parse_over_https(both.ca_file).ok());
  EXPECT_FALSE(parse_over_https(only_new.ca_file).ok());

  Traffic traffic([&] { return Parse(both); });
  Traffic https_traffic([&] { return parse_over_https(both.ca_file); });
  fs::create_directory_symlink("tls-2", scratch / "tls.new");
  ASSERT_EQ(rename((scratch / "tls.new").c_str(), (scratch / "tls").c_str()),
            0);
  EXPECT_TRUE(AwaitParse(only_new, grpc::StatusCode::OK));
  // The HTTPS port serves the new certificate too, without a restart.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!parse_over_https(only_new.ca_file).ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(parse_over_https(only_new.ca_file).ok());
  traffic.Stop();
  https_traffic.Stop();
  EXPECT_GT(traffic.calls(), 0);
  EXPECT_EQ(traffic.failures(), 0) << traffic.first_error();
  EXPECT_GT(https_traffic.calls(), 0);
  EXPECT_EQ(https_traffic.failures(), 0) << https_traffic.first_error();
}

// The token query presents to ingest's Feed rotates without restarting the
// replica: after ingest takes only the new token and restarts, the replica
// reconnects with the new one and follows on.
TEST_F(RotationTest, TheFeedTokenRotatesWithoutRestartingTheReplica) {
  const std::vector<std::string> tls = {"--tls_cert_file=" + certs_.server.cert,
                                        "--tls_key_file=" + certs_.server.key};
  const std::string served =
      pair_.WriteFile("feed-served.tokens", "feed-old-71c2\n");
  const std::string presented =
      pair_.WriteFile("feed-presented.token", "feed-old-71c2\n");
  std::vector<std::string> ingest_flags = tls;
  ingest_flags.push_back("--feed_token_file=" + served);
  ASSERT_TRUE(pair_.StartIngest(0, ingest_flags).ok());
  std::vector<std::string> query_flags = tls;
  query_flags.push_back("--ingest_tls_ca_file=" + certs_.ca);
  query_flags.push_back("--feed_token_file=" + presented);
  ASSERT_TRUE(pair_.StartQuery(query_flags).ok());
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> health =
      MakeChannelCredentials({certs_.ca, "", "", ""});
  ASSERT_TRUE(health.ok());
  pair_.set_health_credentials(*health);
  ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());

  ASSERT_TRUE(WriteFileAtomically(served, "feed-new-0d3e\n").ok());
  ASSERT_TRUE(WriteFileAtomically(presented, "feed-new-0d3e\n").ok());
  // Ingest restarts with only the new token: the replica must connect
  // again, and the old token would be refused.
  const int port = pair_.ingest_port();
  pair_.ingest()->Kill();
  ASSERT_TRUE(pair_.StartIngest(port, ingest_flags).ok());

  const std::string example =
      pair_.WriteFile("after.txt", "第7号快讯\n江津区政协召开会议。\n");
  absl::StatusOr<CommandResult> submitted =
      pair_.Ctl({"--tls_ca_file=" + certs_.ca, "submit", example});
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->exit_code, 0) << submitted->err;
  // "ID SEQ FILE"
  const std::vector<std::string> fields = absl::StrSplit(submitted->out, ' ');
  ASSERT_GE(fields.size(), 2u) << submitted->out;
  bool found = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!found && absl::Now() < deadline) {
    absl::StatusOr<CommandResult> got =
        pair_.Ctl({"--tls_ca_file=" + certs_.ca, "--timeout=5s", "get",
                   "--min_seq=" + fields[1], fields[0]});
    found = got.ok() && got->exit_code == 0;
  }
  EXPECT_TRUE(found) << FileTail(pair_.query()->log_path(), 4000);
  const std::string log = FileTail(pair_.query()->log_path(), 1 << 20);
  EXPECT_THAT(log, HasSubstr("feed_credentials_changed"));
  EXPECT_THAT(log, Not(HasSubstr("feed-new-0d3e")));
}

TEST_F(RotationTest, CertificateExpiryIsAMetric) {
  absl::StatusOr<absl::Time> not_after =
      CertificateNotAfter(certs_.server.cert);
  ASSERT_TRUE(not_after.ok()) << not_after.status();
  // test_certs makes certificates valid for two days.
  EXPECT_GT(*not_after, absl::Now() + absl::Hours(47));
  EXPECT_LT(*not_after, absl::Now() + absl::Hours(49));
  MetricsRegistry registry;
  AddCertificateExpiryMetric(&registry,
                             {certs_.server.cert, "", certs_.server.cert});
  EXPECT_THAT(
      registry.Render(),
      HasSubstr(absl::StrCat(
          "bulletin_tls_certificate_expiry_timestamp_seconds{file=\"",
          certs_.server.cert, "\"} ", absl::ToUnixSeconds(*not_after), "\n")));
  EXPECT_EQ(CertificateNotAfter(certs_.server.key).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bulletin::testing
