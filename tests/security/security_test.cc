// TLS, mTLS and bearer tokens on the real binaries: certificates and tokens
// are made by each test; every process runs on loopback ports.

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/record/json.h"
#include "common/server/auth.h"
#include "common/server/tls.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/security/test_certs.h"
#include "tests/system/service_pair.h"

namespace bulletin::testing {
namespace {

using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kExample[] = "chongqing-cppcc-roundup.txt";

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestCerts> certs = MakeTestCerts(pair_.scratch_dir());
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
    example_ = pair_.WriteFile("example.txt", ReadExample(kExample));
  }

  std::vector<std::string> ServerTlsFlags() const {
    return {"--tls_cert_file=" + certs_.server.cert,
            "--tls_key_file=" + certs_.server.key};
  }

  // bulletinctl with the trusted CA (and `extra` flags) before the command.
  CommandResult Ctl(std::vector<std::string> extra,
                    const std::vector<std::string>& command) {
    extra.push_back("--tls_ca_file=" + certs_.ca);
    extra.insert(extra.end(), command.begin(), command.end());
    absl::StatusOr<CommandResult> result = pair_.Ctl(extra);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : CommandResult{};
  }

  // A channel to ingest with `security`; null (and a failure) when its
  // credentials cannot be made.
  std::shared_ptr<grpc::Channel> IngestChannel(const ClientSecurity& security) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        MakeChannelCredentials(security);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    if (!credentials.ok()) return nullptr;
    return grpc::CreateChannel(pair_.ingest_address(), *credentials);
  }

  // Opens a Feed stream with `security` and reads its first message: OK
  // when the stream delivered it, else the stream's final status.
  grpc::Status Subscribe(const ClientSecurity& security) {
    std::shared_ptr<grpc::Channel> channel = IngestChannel(security);
    if (channel == nullptr) return grpc::Status::CANCELLED;
    auto stub = v1::Feed::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    v1::SubscribeRequest request;
    request.set_replica_id("security-test");
    auto reader = stub->Subscribe(&context, request);
    v1::FeedMessage message;
    if (reader->Read(&message)) {
      context.TryCancel();
      reader->Finish().IgnoreError();
      return grpc::Status::OK;
    }
    return reader->Finish();
  }

  // Calls Feed.ReadRecords on ingest with `security`.
  grpc::Status ReadRecords(const ClientSecurity& security) {
    std::shared_ptr<grpc::Channel> channel = IngestChannel(security);
    if (channel == nullptr) return grpc::Status::CANCELLED;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    v1::ReadRecordsRequest request;
    request.add_seqs(1);
    v1::ReadRecordsResponse response;
    return v1::Feed::NewStub(channel)->ReadRecords(&context, request,
                                                   &response);
  }

  // Calls Parse on ingest with `security`.
  grpc::Status Parse(const ClientSecurity& security) {
    std::shared_ptr<grpc::Channel> channel = IngestChannel(security);
    if (channel == nullptr) return grpc::Status::CANCELLED;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    v1::ParseRequest request;
    request.set_content(ReadExample(kExample));
    v1::ParseResponse response;
    return v1::IngestService::NewStub(channel)->Parse(&context, request,
                                                      &response);
  }

  // Starts ingest, and query over TLS requiring one of the read tokens in
  // `token_file`; waits until query serves. Returns credentials that trust
  // the CA and carry neither a client certificate nor a token.
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
  StartQueryNeedingReadTokens(const std::string& token_file) {
    if (absl::Status started = pair_.StartIngest(); !started.ok()) {
      return started;
    }
    std::vector<std::string> flags = ServerTlsFlags();
    flags.push_back("--auth_token_file=" + token_file);
    if (absl::Status started = pair_.StartQuery(flags); !started.ok()) {
      return started;
    }
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
        MakeChannelCredentials({certs_.ca, "", "", ""});
    if (!credentials.ok()) return credentials.status();
    pair_.set_health_credentials(*credentials);
    if (absl::Status serving = pair_.WaitUntilServing(pair_.query_address());
        !serving.ok()) {
      return serving;
    }
    return credentials;
  }

  std::string Log(const ChildProcess* child) {
    return FileTail(child->log_path(), 1 << 20);
  }

  ServicePair pair_;
  TestCerts certs_;
  std::string example_;
};

// The first word of a `submit` output line: the bulletin's id.
std::string IdOf(const CommandResult& submitted) {
  return std::vector<std::string>(absl::StrSplit(submitted.out, ' '))[0];
}

TEST_F(SecurityTest, PairRunsOverTlsAndRefusesPlaintext) {
  ASSERT_TRUE(pair_.StartIngest(0, ServerTlsFlags()).ok());
  std::vector<std::string> query_flags = ServerTlsFlags();
  query_flags.push_back("--ingest_tls_ca_file=" + certs_.ca);
  ASSERT_TRUE(pair_.StartQuery(query_flags).ok());
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> health =
      MakeChannelCredentials({certs_.ca, "", "", ""});
  ASSERT_TRUE(health.ok());
  pair_.set_health_credentials(*health);
  ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());

  CommandResult submitted = Ctl({}, {"submit", example_});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  CommandResult found = Ctl({}, {"get", "--min_seq=1", IdOf(submitted)});
  EXPECT_EQ(found.exit_code, 0) << found.err;

  // Without waiting for readiness: a refused handshake must fail at once.
  absl::StatusOr<CommandResult> plaintext =
      pair_.Ctl({"--wait_for_ready=false", "submit", example_});
  ASSERT_TRUE(plaintext.ok());
  EXPECT_NE(plaintext->exit_code, 0);
  EXPECT_THAT(plaintext->err, HasSubstr("UNAVAILABLE"));
}

TEST_F(SecurityTest, MutualTlsAdmitsOnlyCertificatesFromTheClientCa) {
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--tls_client_ca_file=" + certs_.ca);
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());

  // Refused handshakes must fail at once, not wait for readiness.
  CommandResult anonymous =
      Ctl({"--wait_for_ready=false"}, {"submit", example_});
  EXPECT_NE(anonymous.exit_code, 0);
  CommandResult untrusted =
      Ctl({"--wait_for_ready=false", "--tls_cert_file=" + certs_.untrusted.cert,
           "--tls_key_file=" + certs_.untrusted.key},
          {"submit", example_});
  EXPECT_NE(untrusted.exit_code, 0);
  CommandResult trusted = Ctl({"--tls_cert_file=" + certs_.other_client.cert,
                               "--tls_key_file=" + certs_.other_client.key},
                              {"submit", example_});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
}

// The HTTP API serves HTTPS with the gRPC port's certificate, and checks
// the same bearer token on the same methods.
TEST_F(SecurityTest, HttpApiNeedsTheSameBearerTokenOverHttps) {
  const std::string token = "submit-token-http-7d21";
  const std::string token_file = pair_.WriteFile("submit.token", token + "\n");
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--auth_token_file=" + token_file);
  flags.push_back("--http_listen=127.0.0.1:0");
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());
  const int port = LoggedPort(*pair_.ingest(), "http_port");
  ASSERT_GT(port, 0) << FileTail(pair_.ingest()->log_path());

  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(certs_.ca.c_str());
  client.enable_server_certificate_verification(true);
  v1::SubmitRequest request;
  request.set_content(ReadExample(kExample));
  const std::string body = ToJson(request);

  httplib::Result missing =
      client.Post("/v1/bulletins", body, "application/json");
  ASSERT_TRUE(missing) << httplib::to_string(missing.error());
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_THAT(missing->body, HasSubstr(R"("code":16)"));

  httplib::Result wrong =
      client.Post("/v1/bulletins", {{"Authorization", "Bearer not-it"}}, body,
                  "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);

  httplib::Result admitted = client.Post(
      "/v1/bulletins",
      {{"Authorization", "Bearer " + token}, {"X-Request-Id", "http-submit-1"}},
      body, "application/json");
  ASSERT_TRUE(admitted);
  EXPECT_EQ(admitted->status, 200) << admitted->body;
  // The service sees the caller the token names, as over gRPC, so its logs
  // and per-caller write limits apply to HTTP writers too.
  EXPECT_THAT(Log(pair_.ingest()),
              ContainsRegex(absl::StrCat(
                  "\"event\":\"submit_acked\".*\"request_id\":\"http-"
                  "submit-1\",\"caller\":\"",
                  TokenFingerprint(token), "\"")));

  // Parse needs it too, as on gRPC.
  v1::ParseRequest parse;
  parse.set_content(request.content());
  httplib::Result parse_refused =
      client.Post("/v1/bulletins:parse", ToJson(parse), "application/json");
  ASSERT_TRUE(parse_refused);
  EXPECT_EQ(parse_refused->status, 401);
  httplib::Result parsed =
      client.Post("/v1/bulletins:parse", {{"Authorization", "Bearer " + token}},
                  ToJson(parse), "application/json");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status, 200) << parsed->body;
  EXPECT_THAT(Log(pair_.ingest()), Not(HasSubstr(token)));
}

// Over HTTPS with mTLS, the verified client certificate names the caller,
// as on gRPC.
TEST_F(SecurityTest, HttpApiNamesTheCallerByItsClientCertificate) {
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--tls_client_ca_file=" + certs_.ca);
  flags.push_back("--http_listen=127.0.0.1:0");
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());
  const int port = LoggedPort(*pair_.ingest(), "http_port");
  ASSERT_GT(port, 0) << FileTail(pair_.ingest()->log_path());

  v1::SubmitRequest request;
  request.set_content(ReadExample(kExample));
  httplib::SSLClient client("127.0.0.1", port, certs_.other_client.cert,
                            certs_.other_client.key);
  client.set_ca_cert_path(certs_.ca.c_str());
  client.enable_server_certificate_verification(true);
  // Submit is open here (no token file): the certificate names the caller.
  httplib::Result submitted =
      client.Post("/v1/bulletins", ToJson(request), "application/json");
  ASSERT_TRUE(submitted) << httplib::to_string(submitted.error());
  EXPECT_EQ(submitted->status, 200) << submitted->body;
  EXPECT_THAT(Log(pair_.ingest()),
              HasSubstr("\"caller\":\"cert:other.bulletin.test\""));

  // Without a certificate, or with one from another CA: no handshake. (With
  // TLS 1.3 the client learns that only when it writes its request to the
  // closed connection, which must not kill the test with SIGPIPE.)
  std::signal(SIGPIPE, SIG_IGN);
  httplib::SSLClient anonymous("127.0.0.1", port);
  anonymous.set_ca_cert_path(certs_.ca.c_str());
  anonymous.enable_server_certificate_verification(true);
  EXPECT_FALSE(
      anonymous.Post("/v1/bulletins", ToJson(request), "application/json"));
  httplib::SSLClient untrusted("127.0.0.1", port, certs_.untrusted.cert,
                               certs_.untrusted.key);
  untrusted.set_ca_cert_path(certs_.ca.c_str());
  untrusted.enable_server_certificate_verification(true);
  EXPECT_FALSE(
      untrusted.Post("/v1/bulletins", ToJson(request), "application/json"));
}

// With mTLS the client certificate is the submitter's source: a request
// may repeat it but not name another, and may retract only its own.
TEST_F(SecurityTest, TheClientCertificateIsTheSource) {
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--tls_client_ca_file=" + certs_.ca);
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(
          {certs_.ca, certs_.other_client.cert, certs_.other_client.key, ""});
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(pair_.ingest_address(), *credentials));
  auto submit = [&](const std::string& source, v1::SubmitResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    v1::SubmitRequest request;
    request.set_content(ReadExample(kExample));
    request.set_external_id("desk-1");
    request.set_source(source);
    return stub->Submit(&context, request, response);
  };
  v1::SubmitResponse implicit;
  ASSERT_TRUE(submit("", &implicit).ok());
  v1::SubmitResponse repeated;
  ASSERT_TRUE(submit("other.bulletin.test", &repeated).ok());
  EXPECT_EQ(repeated.id(), implicit.id());
  EXPECT_EQ(repeated.result(), v1::WRITE_RESULT_UNCHANGED);
  v1::SubmitResponse refused;
  grpc::Status other = submit("cms-a", &refused);
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(other.error_message(), HasSubstr("other.bulletin.test"));

  // Another certificate's bulletin cannot be retracted by this one.
  CommandResult others = Ctl({"--tls_cert_file=" + certs_.replica.cert,
                              "--tls_key_file=" + certs_.replica.key},
                             {"submit", example_});
  ASSERT_EQ(others.exit_code, 0) << others.err;
  grpc::ClientContext context;
  v1::RetractRequest retract;
  retract.set_id(IdOf(others));
  v1::RetractResponse retracted;
  EXPECT_EQ(stub->Retract(&context, retract, &retracted).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SecurityTest, SubmitAndRetractNeedTheBearerToken) {
  const std::string token = "submit-token-5c8e1f0a9b";
  const std::string token_file = pair_.WriteFile("submit.token", token + "\n");
  const std::string wrong_file = pair_.WriteFile("wrong.token", "not-it\n");
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--auth_token_file=" + token_file);
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());

  CommandResult missing = Ctl({}, {"submit", example_});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.err, HasSubstr("UNAUTHENTICATED"));
  CommandResult wrong =
      Ctl({"--auth_token_file=" + wrong_file}, {"submit", example_});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.err, HasSubstr("UNAUTHENTICATED"));

  CommandResult submitted =
      Ctl({"--auth_token_file=" + token_file}, {"submit", example_});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string id = IdOf(submitted);
  CommandResult retract_missing = Ctl({}, {"retract", id});
  EXPECT_NE(retract_missing.exit_code, 0);
  EXPECT_THAT(retract_missing.err, HasSubstr("UNAUTHENTICATED"));
  CommandResult retracted =
      Ctl({"--auth_token_file=" + token_file}, {"retract", id});
  EXPECT_EQ(retracted.exit_code, 0) << retracted.err;

  // Parse costs what a Submit costs: it needs the token too.
  ClientSecurity without_token;
  without_token.ca_file = certs_.ca;
  EXPECT_EQ(Parse(without_token).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ClientSecurity with_token = without_token;
  with_token.token_file = token_file;
  const grpc::Status parsed = Parse(with_token);
  EXPECT_TRUE(parsed.ok()) << parsed.error_message();

  // Neither the token (right or wrong) nor the bulletin's text is logged.
  const std::string log = Log(pair_.ingest());
  EXPECT_THAT(log, Not(HasSubstr(token)));
  EXPECT_THAT(log, Not(HasSubstr("not-it")));
  EXPECT_THAT(log, Not(HasSubstr("政协")));
  EXPECT_THAT(log, HasSubstr("call_unauthenticated"));
  // Who submitted and retracted: the token's fingerprint, never the token.
  EXPECT_THAT(log, ContainsRegex("\"event\":\"submit_acked\".*\"caller\":"
                                 "\"bearer:[0-9a-f]{8}\""));
  EXPECT_THAT(log, ContainsRegex("\"event\":\"retract_acked\".*\"caller\":"
                                 "\"bearer:[0-9a-f]{8}\""));
}

TEST_F(SecurityTest, FeedAdmitsTheReplicaTokenOrIdentityOnly) {
  const std::string feed_token = "feed-token-77aa01";
  const std::string feed_file = pair_.WriteFile("feed.token", feed_token);
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--tls_client_ca_file=" + certs_.ca);
  flags.push_back("--feed_token_file=" + feed_file);
  flags.push_back(absl::StrCat("--feed_client_identities=", kReplicaIdentity));
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());

  const ClientSecurity other{certs_.ca, certs_.other_client.cert,
                             certs_.other_client.key, ""};
  EXPECT_EQ(Subscribe(other).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // ReadRecords hands out the same records (source texts included).
  EXPECT_EQ(ReadRecords(other).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ClientSecurity other_with_token = other;
  other_with_token.token_file = feed_file;
  EXPECT_TRUE(Subscribe(other_with_token).ok());
  EXPECT_TRUE(ReadRecords(other_with_token).ok());
  const ClientSecurity replica{certs_.ca, certs_.replica.cert,
                               certs_.replica.key, ""};
  EXPECT_TRUE(Subscribe(replica).ok());
  EXPECT_TRUE(ReadRecords(replica).ok());

  // A real replica with the replica's certificate follows the Feed.
  ASSERT_TRUE(pair_
                  .StartQuery({"--ingest_tls_ca_file=" + certs_.ca,
                               "--ingest_tls_cert_file=" + certs_.replica.cert,
                               "--ingest_tls_key_file=" + certs_.replica.key})
                  .ok());
  ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
  // Submit needs no token here, only a trusted client certificate.
  CommandResult submitted = Ctl({"--tls_cert_file=" + certs_.other_client.cert,
                                 "--tls_key_file=" + certs_.other_client.key},
                                {"submit", example_});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  absl::StatusOr<CommandResult> found =
      pair_.Ctl({"get", "--min_seq=1", IdOf(submitted)});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->exit_code, 0) << found->err;
  EXPECT_THAT(Log(pair_.ingest()), Not(HasSubstr(feed_token)));
}

TEST_F(SecurityTest, ReplicaWithTheFeedTokenFollows) {
  const std::string feed_file = pair_.WriteFile("feed.token", "replica-tok");
  std::vector<std::string> flags = ServerTlsFlags();
  flags.push_back("--feed_token_file=" + feed_file);
  ASSERT_TRUE(pair_.StartIngest(0, flags).ok());
  EXPECT_EQ(Subscribe({certs_.ca, "", "", ""}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(pair_
                  .StartQuery({"--ingest_tls_ca_file=" + certs_.ca,
                               "--feed_token_file=" + feed_file})
                  .ok());
  ASSERT_TRUE(pair_.WaitUntilServing(pair_.query_address()).ok());
  // The replica reads source texts from the log with the token too.
  CommandResult submitted = Ctl({}, {"submit", example_});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  auto query = v1::QueryService::NewStub(grpc::CreateChannel(
      pair_.query_address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::GetRequest get;
  get.set_id(IdOf(submitted));
  get.set_min_seq(1);
  get.mutable_read_mask()->add_paths("source_text");
  v1::GetResponse got;
  grpc::Status status = query->Get(&context, get, &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.bulletin().source_text(), ReadExample(kExample));
  EXPECT_THAT(Log(pair_.query()), Not(HasSubstr("replica-tok")));
}

TEST_F(SecurityTest, ReadsCanRequireAToken) {
  const std::string reads = pair_.WriteFile("reads.token", "reader-5e1b\n");
  ASSERT_TRUE(StartQueryNeedingReadTokens(reads).ok());

  CommandResult anonymous = Ctl({}, {"search", "政协"});
  EXPECT_NE(anonymous.exit_code, 0);
  EXPECT_THAT(anonymous.err, HasSubstr("UNAUTHENTICATED"));
  CommandResult reader =
      Ctl({"--query_auth_token_file=" + reads}, {"search", "政协"});
  EXPECT_EQ(reader.exit_code, 0) << reader.err;
  EXPECT_THAT(Log(pair_.query()), Not(HasSubstr("reader-5e1b")));
}

// Every QueryService method, not only those a list once named (BatchGet
// was left open), refuses a call without the read token.
TEST_F(SecurityTest, EveryReadMethodNeedsTheToken) {
  const std::string reads = pair_.WriteFile("reads.token", "reader-77c0\n");
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      StartQueryNeedingReadTokens(reads);
  ASSERT_TRUE(credentials.ok()) << credentials.status();

  absl::StatusOr<std::vector<std::string>> all_methods =
      MethodsOfService(*v1::GetRequest::descriptor()->file(), "QueryService");
  ASSERT_TRUE(all_methods.ok()) << all_methods.status();
  const std::vector<std::string>& methods = *all_methods;
  EXPECT_THAT(methods, Contains("/bulletin.v1.QueryService/BatchGet"));
  EXPECT_THAT(methods, Contains("/bulletin.v1.QueryService/Watch"));
  grpc::GenericStub stub(
      grpc::CreateChannel(pair_.query_address(), *credentials));
  for (const std::string& method : methods) {
    // The processor refuses before anything reads the (empty) request.
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    absl::Notification done;
    grpc::Status status;
    stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                   [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method << ": " << status.error_message();
  }
}

TEST_F(SecurityTest, TokenWithoutTlsIsRefusedAtStart) {
  const std::string token_file = pair_.WriteFile("submit.token", "t0k3n");
  EXPECT_FALSE(pair_.StartIngest(0, {"--auth_token_file=" + token_file}).ok());
  absl::StatusOr<int> exit_code = pair_.ingest()->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok());
  EXPECT_NE(*exit_code, 0);
  EXPECT_THAT(Log(pair_.ingest()), HasSubstr("only checked over TLS"));
}

TEST_F(SecurityTest, MismatchedKeyIsRefusedAtStartByName) {
  EXPECT_FALSE(pair_
                   .StartIngest(0, {"--tls_cert_file=" + certs_.server.cert,
                                    "--tls_key_file=" + certs_.replica.key})
                   .ok());
  absl::StatusOr<int> exit_code = pair_.ingest()->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_code.ok());
  EXPECT_NE(*exit_code, 0);
  EXPECT_THAT(Log(pair_.ingest()), HasSubstr("is not the private key"));
}

}  // namespace
}  // namespace bulletin::testing
