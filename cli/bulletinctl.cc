// bulletinctl: the command-line client of the pair, for people and scripts.
// Run `bulletinctl --help` for the commands; README.md has examples.
//
// A failure prints one line on stderr saying what and why, and exits with a
// status that says which kind of failure it was (cli/exit_codes.h).

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "cli/command_help.h"
#include "cli/exit_codes.h"
#include "cli/record_text.h"
#include "common/log/json_log.h"
#include "common/record/json.h"
#include "common/server/grpc_status.h"
#include "common/server/tls.h"
#include "grpcpp/grpcpp.h"
#include "ingest-service/parser/parse_submission.h"

ABSL_FLAG(std::string, ingest_addr, "127.0.0.1:50051",
          "Address of ingest-service.");
ABSL_FLAG(std::string, query_addr, "127.0.0.1:50052",
          "Address of query-service.");
ABSL_FLAG(bool, json, false,
          "Print proto3 JSON (proto field names), one object per line.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline of each call.");
ABSL_FLAG(bool, wait_for_ready, false,
          "Wait (within --timeout) for an unreachable service to come up "
          "instead of failing at once; for scripts that start services.");
ABSL_FLAG(std::string, external_id, "",
          "submit/get/retract: the newsroom's own id of the bulletin; "
          "resubmitting with it (from the same --source) makes the next "
          "version. Only with a single FILE.");
ABSL_FLAG(std::string, date, "", "submit/parse: publication date YYYY-MM-DD.");
ABSL_FLAG(std::string, content_type, "",
          "submit/parse: what the FILE is, as a MIME type (text/plain, "
          "text/html, application/xml, ...); empty: decided by its content.");
ABSL_FLAG(std::string, reason, "", "retract: why, kept in the log.");
ABSL_FLAG(std::string, source, "",
          "submit/retract/get: the submitter whose external ids these are "
          "(with a client certificate, its identity is the source).");
ABSL_FLAG(std::string, request_id, "",
          "submit/retract: idempotency key of this change (a single FILE); "
          "default: a new random one per change, reused on retries.");
ABSL_FLAG(std::string, expected_version, "",
          "submit/retract: change only if the bulletin is at this version "
          "(0: only if it does not exist).");
ABSL_FLAG(int32_t, retries, 3,
          "submit/retract: retries of a change that failed UNAVAILABLE, "
          "ABORTED or DEADLINE_EXCEEDED, with the same request id.");
ABSL_FLAG(std::vector<std::string>, region, {},
          "search: only items from these regions (comma-separated, ORed).");
ABSL_FLAG(std::vector<std::string>, org, {},
          "search: only these organizations (comma-separated, ORed).");
ABSL_FLAG(std::vector<std::string>, kind, {},
          "search: organization kinds, e.g. CPPCC,DEMOCRATIC_PARTY.");
ABSL_FLAG(std::vector<std::string>, person, {},
          "search: bulletins naming these officials.");
ABSL_FLAG(std::vector<std::string>, title, {},
          "search: bulletins with an official holding these titles.");
ABSL_FLAG(std::vector<std::string>, reporter, {},
          "search: bulletins bylined by these reporters.");
ABSL_FLAG(std::vector<std::string>, series, {}, "search: these series.");
ABSL_FLAG(std::vector<std::string>, province, {},
          "search: items from these province-level divisions.");
ABSL_FLAG(std::string, from, "", "search: dated on or after YYYY-MM-DD.");
ABSL_FLAG(std::string, to, "", "search: dated on or before YYYY-MM-DD.");
ABSL_FLAG(std::vector<std::string>, facets, {},
          "search: count these fields over all matches (region, organization, "
          "organization_kind, person, title, reporter, series, province, "
          "date).");
ABSL_FLAG(std::string, order, "relevance",
          "search: relevance, recency (newest submitted first), "
          "date_descending or date_ascending (by publication date, undated "
          "last).");
ABSL_FLAG(int32_t, facet_size, 0,
          "search: values per facet field, 1 to 1000; 0 for the server's "
          "default (50).");
ABSL_FLAG(std::string, highlight_pre_tag, "",
          "search: mark before each match in snippets (default 【); give "
          "--highlight_post_tag too.");
ABSL_FLAG(std::string, highlight_post_tag, "",
          "search: mark after each match in snippets (default 】).");
ABSL_FLAG(bool, escape_snippet_html, false,
          "search: HTML-escape snippet text (not the marks).");
ABSL_FLAG(bool, matches, false,
          "search: list each hit's matched spans (field, bytes, code "
          "points).");
ABSL_FLAG(int32_t, limit, 10, "search: hits per page (1 to 1000).");
ABSL_FLAG(bool, exact_total, false,
          "search: count every match, so that the total is exact (by "
          "default it may be a lower bound past the replica's threshold, "
          "printed as \"at least N hits\").");
ABSL_FLAG(std::string, page_token, "",
          "search: next_page_token of the previous page.");
ABSL_FLAG(int64_t, count, 0,
          "watch: stop after this many UPSERT and RETRACT events; 0 waits "
          "until interrupted.");
ABSL_FLAG(std::string, after_seq, "",
          "watch: resume after this seq (that of the last event processed, "
          "bookmarks included): first the changes since, then new ones; "
          "empty: only what is applied from now on.");
ABSL_FLAG(std::string, after_log, "",
          "watch: with --after_seq, the log that seq is in, as LOG_ID:EPOCH "
          "(the event's log_id and log_epoch, shown with --json), so that a "
          "position in a replaced log is refused (RESYNC_REQUIRED) instead "
          "of taken for a seq of the new one.");
ABSL_FLAG(bool, bookmarks, false,
          "watch: also print BOOKMARK events, the position reached when "
          "nothing matched.");
ABSL_FLAG(uint64_t, min_seq, 0,
          "search/get: wait until the replica has applied this seq.");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA bundle the services' certificates must chain to; when set, "
          "both services are called over TLS.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM client certificate, for services that require mTLS.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM key of --tls_cert_file.");
ABSL_FLAG(std::string, auth_token_file, "",
          "File holding the bearer token for submit and retract; sent to "
          "ingest only. Needs --tls_ca_file.");
ABSL_FLAG(std::string, query_auth_token_file, "",
          "File holding the bearer token for search and get, when query "
          "requires one; sent to query only. Needs --tls_ca_file.");

namespace bulletin {
namespace {

// Prints one line on stderr and returns kExitFailed.
int Fail(absl::string_view what, absl::string_view why) {
  std::cerr << "bulletinctl: " << what << ": " << why << "\n";
  return kExitFailed;
}

// A mistake in the command line: the same line, and kExitUsage.
int FailUsage(absl::string_view what, absl::string_view why) {
  Fail(what, why);
  return kExitUsage;
}

// A failed call: the line names the code, and the exit status tells it
// (cli/exit_codes.h).
int FailStatus(absl::string_view what, const grpc::Status& status) {
  Fail(what,
       absl::StrCat(absl::StatusCodeToString(FromGrpcStatus(status).code()),
                    ": ", status.error_message()));
  return ExitCodeFor(status.error_code());
}

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  std::string content;
  if (path == "-") {
    content.assign(std::istreambuf_iterator<char>(std::cin),
                   std::istreambuf_iterator<char>());
    return content;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot open file");
  content.assign(std::istreambuf_iterator<char>(in),
                 std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError("cannot read file");
  return content;
}

void PrepareContext(grpc::ClientContext* context) {
  context->set_deadline(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
  context->set_wait_for_ready(absl::GetFlag(FLAGS_wait_for_ready));
}

// What a change adds to make a retry safe: --request_id, or a fresh random
// one, and --expected_version when given.
template <typename WriteRequest>
absl::Status SetWriteConditions(WriteRequest* request) {
  std::string request_id = absl::GetFlag(FLAGS_request_id);
  if (request_id.empty()) {
    absl::BitGen random;
    request_id = absl::StrCat(
        "bulletinctl-",
        absl::Hex(absl::Uniform<uint64_t>(random), absl::kZeroPad16),
        absl::Hex(absl::Uniform<uint64_t>(random), absl::kZeroPad16));
  }
  request->set_request_id(request_id);
  request->set_source(absl::GetFlag(FLAGS_source));
  const std::string expected = absl::GetFlag(FLAGS_expected_version);
  if (!expected.empty()) {
    int64_t version = 0;
    if (!absl::SimpleAtoi(expected, &version) || version < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--expected_version='", expected, "' is not a version (0, 1, ...)"));
    }
    request->set_expected_version(version);
  }
  return absl::OkStatus();
}

// Calls `call` (a fresh context each time) until it succeeds, fails for good,
// or --retries are used up. Only failures after which the same request may
// simply be sent again are retried: the request id makes that safe.
template <typename Call>
grpc::Status CallWithRetries(const Call& call) {
  const int retries = std::max(0, absl::GetFlag(FLAGS_retries));
  absl::Duration backoff = absl::Milliseconds(200);
  for (int attempt = 0;; ++attempt) {
    grpc::ClientContext context;
    PrepareContext(&context);
    grpc::Status status = call(&context);
    const grpc::StatusCode code = status.error_code();
    const bool transient = code == grpc::StatusCode::UNAVAILABLE ||
                           code == grpc::StatusCode::ABORTED ||
                           code == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!transient || attempt >= retries) return status;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

// The bulletin `args` and the flags name: one ID, or --external_id (with
// --source) and no ID.
template <typename Request>
absl::Status SetBulletinName(const std::vector<std::string>& args,
                             Request* request) {
  const std::string external_id = absl::GetFlag(FLAGS_external_id);
  if (args.size() == 1 && external_id.empty()) {
    request->set_id(args[0]);
    return absl::OkStatus();
  }
  if (args.empty() && !external_id.empty()) {
    request->set_external_id(external_id);
    request->set_source(absl::GetFlag(FLAGS_source));
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      "give exactly one ID, or --external_id (and --source) instead");
}

// Channel credentials per service, made once in Main from the TLS flags. The
// token goes to ingest only: query replicas have no use for it.
struct Credentials {
  std::shared_ptr<grpc::ChannelCredentials> ingest;
  std::shared_ptr<grpc::ChannelCredentials> query;
};
Credentials& ServiceCredentials() {
  static Credentials* const credentials = new Credentials;
  return *credentials;
}

absl::Status MakeCredentials() {
  ClientSecurity security;
  security.ca_file = absl::GetFlag(FLAGS_tls_ca_file);
  security.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  security.key_file = absl::GetFlag(FLAGS_tls_key_file);
  security.token_file = absl::GetFlag(FLAGS_query_auth_token_file);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> query =
      MakeChannelCredentials(security);
  if (!query.ok()) return query.status();
  security.token_file = absl::GetFlag(FLAGS_auth_token_file);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ingest =
      MakeChannelCredentials(security);
  if (!ingest.ok()) return ingest.status();
  ServiceCredentials() = {*std::move(ingest), *std::move(query)};
  return absl::OkStatus();
}

std::shared_ptr<grpc::Channel> Channel(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetMaxSendMessageSize(128 << 20);
  return grpc::CreateCustomChannel(address, credentials, arguments);
}

std::shared_ptr<grpc::Channel> IngestChannel() {
  return Channel(absl::GetFlag(FLAGS_ingest_addr), ServiceCredentials().ingest);
}

std::shared_ptr<grpc::Channel> QueryChannel() {
  return Channel(absl::GetFlag(FLAGS_query_addr), ServiceCredentials().query);
}

void PrintRecord(const v1::Bulletin& record) {
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(record) << "\n";
  } else {
    std::cout << RecordToText(record);
  }
}

int Parse(const std::vector<std::string>& args) {
  if (args.size() != 1) {
    return FailUsage("parse", "give exactly one FILE, or - for standard input");
  }
  absl::StatusOr<std::string> content = ReadInput(args[0]);
  if (!content.ok()) {
    return Fail(absl::StrCat("parse ", args[0]), content.status().message());
  }
  absl::StatusOr<ParseOptions::ContentType> type =
      ContentTypeFromMime(absl::GetFlag(FLAGS_content_type));
  if (!type.ok()) return FailUsage("parse", type.status().message());
  ParseOptions options;
  options.date = absl::GetFlag(FLAGS_date);
  options.content_type = *type;
  absl::StatusOr<ParsedSubmission> parsed = ParseSubmission(*content, options);
  if (!parsed.ok()) {
    return FailStatus(absl::StrCat("parse ", args[0]),
                      ToGrpcStatus(parsed.status()));
  }
  PrintRecord(parsed->bulletin);
  return 0;
}

int Submit(const std::vector<std::string>& files) {
  if (files.empty()) return FailUsage("submit", "give one or more FILEs");
  if (!absl::GetFlag(FLAGS_external_id).empty() && files.size() != 1) {
    return FailUsage("submit", "--external_id applies to a single FILE");
  }
  if (!absl::GetFlag(FLAGS_request_id).empty() && files.size() != 1) {
    return FailUsage("submit", "--request_id applies to a single FILE");
  }
  std::unique_ptr<v1::IngestService::Stub> stub =
      v1::IngestService::NewStub(IngestChannel());
  int exit_code = 0;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> content = ReadInput(file);
    if (!content.ok()) {
      exit_code =
          Fail(absl::StrCat("submit ", file), content.status().message());
      continue;
    }
    v1::SubmitRequest request;
    request.set_content(*std::move(content));
    request.set_external_id(absl::GetFlag(FLAGS_external_id));
    request.set_date(absl::GetFlag(FLAGS_date));
    request.set_content_type(absl::GetFlag(FLAGS_content_type));
    absl::Status conditions = SetWriteConditions(&request);
    if (!conditions.ok()) return FailUsage("submit", conditions.message());
    v1::SubmitResponse response;
    grpc::Status status = CallWithRetries([&](grpc::ClientContext* context) {
      return stub->Submit(context, request, &response);
    });
    if (!status.ok()) {
      exit_code = FailStatus(absl::StrCat("submit ", file), status);
      continue;
    }
    if (absl::GetFlag(FLAGS_json)) {
      // The response's proto3 JSON, and which file it answers.
      std::string json = ToJson(response);
      json.pop_back();  // The closing brace.
      std::cout << json << ",\"file\":" << JsonQuote(file) << "}\n";
    } else {
      std::cout << response.id() << " " << response.seq() << " " << file
                << "\n";
    }
  }
  return exit_code;
}

// The filters given by flags, shared by search and watch.
absl::Status FillFilters(v1::Filters* filters) {
  for (const auto& value : absl::GetFlag(FLAGS_region))
    filters->add_regions(value);
  for (const auto& value : absl::GetFlag(FLAGS_org))
    filters->add_organizations(value);
  for (const auto& value : absl::GetFlag(FLAGS_person))
    filters->add_people(value);
  for (const auto& value : absl::GetFlag(FLAGS_title))
    filters->add_titles(value);
  for (const auto& value : absl::GetFlag(FLAGS_reporter))
    filters->add_reporters(value);
  for (const auto& value : absl::GetFlag(FLAGS_series))
    filters->add_series(value);
  for (const auto& value : absl::GetFlag(FLAGS_province))
    filters->add_provinces(value);
  for (const auto& value : absl::GetFlag(FLAGS_kind)) {
    v1::Organization::Kind kind;
    if (!v1::Organization::Kind_Parse(absl::AsciiStrToUpper(value), &kind) ||
        kind == v1::Organization::KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--kind '", value,
          "' is not one of CPPCC, PARTY_COMMITTEE, PEOPLES_CONGRESS, "
          "GOVERNMENT, DEMOCRATIC_PARTY, FEDERATION, OTHER"));
    }
    filters->add_organization_kinds(kind);
  }
  filters->set_date_from(absl::GetFlag(FLAGS_from));
  filters->set_date_to(absl::GetFlag(FLAGS_to));
  return absl::OkStatus();
}

absl::StatusOr<v1::SearchRequest> BuildSearchRequest(
    const std::vector<std::string>& terms) {
  v1::SearchRequest request;
  request.set_query(absl::StrJoin(terms, " "));
  absl::Status filtered = FillFilters(request.mutable_filters());
  if (!filtered.ok()) return filtered;
  for (const auto& value : absl::GetFlag(FLAGS_facets))
    request.add_facets(value);
  v1::SearchRequest::Order order;
  if (!v1::SearchRequest::Order_Parse(
          absl::AsciiStrToUpper(absl::GetFlag(FLAGS_order)), &order)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--order '", absl::GetFlag(FLAGS_order),
        "' is not relevance, recency, date_descending or date_ascending"));
  }
  request.set_order(order);
  const int32_t facet_size = absl::GetFlag(FLAGS_facet_size);
  if (facet_size < 0 || facet_size > 1000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--facet_size ", facet_size, " is not between 0 and 1000"));
  }
  request.set_facet_size(facet_size);
  request.set_highlight_pre_tag(absl::GetFlag(FLAGS_highlight_pre_tag));
  request.set_highlight_post_tag(absl::GetFlag(FLAGS_highlight_post_tag));
  if (request.highlight_pre_tag().empty() !=
      request.highlight_post_tag().empty()) {
    return absl::InvalidArgumentError(
        "give both --highlight_pre_tag and --highlight_post_tag, or neither");
  }
  request.set_escape_snippet_html(absl::GetFlag(FLAGS_escape_snippet_html));
  request.set_include_matches(absl::GetFlag(FLAGS_matches));
  const int32_t limit = absl::GetFlag(FLAGS_limit);
  if (limit < 1 || limit > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--limit ", limit, " is not between 1 and 1000"));
  }
  request.set_limit(limit);
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  request.set_min_seq(absl::GetFlag(FLAGS_min_seq));
  request.set_exact_total_hits(absl::GetFlag(FLAGS_exact_total));
  return request;
}

int Search(const std::vector<std::string>& terms) {
  absl::StatusOr<v1::SearchRequest> request = BuildSearchRequest(terms);
  if (!request.ok()) return FailUsage("search", request.status().message());
  std::unique_ptr<v1::QueryService::Stub> stub =
      v1::QueryService::NewStub(QueryChannel());
  v1::SearchResponse response;
  grpc::ClientContext context;
  PrepareContext(&context);
  grpc::Status status = stub->Search(&context, *request, &response);
  if (!status.ok()) return FailStatus("search", status);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << SearchToText(response);
  }
  return 0;
}

int Get(const std::vector<std::string>& args) {
  v1::GetRequest request;
  absl::Status named = SetBulletinName(args, &request);
  if (!named.ok()) return FailUsage("get", named.message());
  const std::string name =
      args.empty() ? absl::GetFlag(FLAGS_external_id) : args[0];
  std::unique_ptr<v1::QueryService::Stub> stub =
      v1::QueryService::NewStub(QueryChannel());
  request.set_min_seq(absl::GetFlag(FLAGS_min_seq));
  v1::GetResponse response;
  grpc::ClientContext context;
  PrepareContext(&context);
  grpc::Status status = stub->Get(&context, request, &response);
  if (!status.ok()) return FailStatus(absl::StrCat("get ", name), status);
  PrintRecord(response.bulletin());
  return 0;
}

int Retract(const std::vector<std::string>& args) {
  v1::RetractRequest request;
  absl::Status conditions = SetWriteConditions(&request);
  if (!conditions.ok()) return FailUsage("retract", conditions.message());
  absl::Status named = SetBulletinName(args, &request);
  if (!named.ok()) return FailUsage("retract", named.message());
  const std::string name =
      args.empty() ? absl::GetFlag(FLAGS_external_id) : args[0];
  std::unique_ptr<v1::IngestService::Stub> stub =
      v1::IngestService::NewStub(IngestChannel());
  request.set_reason(absl::GetFlag(FLAGS_reason));
  v1::RetractResponse response;
  grpc::Status status = CallWithRetries([&](grpc::ClientContext* context) {
    return stub->Retract(context, request, &response);
  });
  if (!status.ok()) return FailStatus(absl::StrCat("retract ", name), status);
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << ToJson(response) << "\n";
  } else {
    std::cout << response.id() << " " << response.seq() << "\n";
  }
  return 0;
}

// Streams the events of a standing query until the service ends the
// stream, --count changes have arrived, or the user interrupts.
int Watch(const std::vector<std::string>& terms) {
  v1::WatchRequest request;
  request.set_query(absl::StrJoin(terms, " "));
  absl::Status filtered = FillFilters(request.mutable_filters());
  if (!filtered.ok()) return FailUsage("watch", filtered.message());
  const int64_t count = absl::GetFlag(FLAGS_count);
  if (count < 0) {
    return FailUsage("watch", "--count must be 0 (no limit) or more");
  }
  const std::string after_seq = absl::GetFlag(FLAGS_after_seq);
  if (!after_seq.empty()) {
    uint64_t seq = 0;
    if (!absl::SimpleAtoi(after_seq, &seq)) {
      return FailUsage("watch", absl::StrCat("--after_seq='", after_seq,
                                             "' is not a seq (0, 1, ...)"));
    }
    request.set_after_seq(seq);
  }
  const std::string after_log = absl::GetFlag(FLAGS_after_log);
  if (!after_log.empty()) {
    const std::pair<std::string, std::string> log =
        absl::StrSplit(after_log, absl::MaxSplits(':', 1));
    uint64_t epoch = 0;
    if (after_seq.empty() || log.first.empty() ||
        !absl::SimpleAtoi(log.second, &epoch)) {
      return FailUsage("watch", absl::StrCat("--after_log='", after_log,
                                             "' is not LOG_ID:EPOCH, or comes "
                                             "without --after_seq"));
    }
    request.set_log_id(log.first);
    request.set_log_epoch(epoch);
  }
  request.set_send_bookmarks(absl::GetFlag(FLAGS_bookmarks));
  std::unique_ptr<v1::QueryService::Stub> stub =
      v1::QueryService::NewStub(QueryChannel());
  grpc::ClientContext context;
  context.set_wait_for_ready(absl::GetFlag(FLAGS_wait_for_ready));
  std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader =
      stub->Watch(&context, request);
  // The replica sends its initial metadata once the watch is registered:
  // from then on nothing applied is missed. Saying so on stderr lets a
  // script start submitting only then.
  reader->WaitForInitialMetadata();
  std::cerr << "bulletinctl: watching" << std::endl;
  v1::WatchEvent event;
  int64_t received = 0;
  while (reader->Read(&event)) {
    if (absl::GetFlag(FLAGS_json)) {
      std::cout << ToJson(event) << std::endl;
    } else {
      // "UPSERT", "RETRACT", "BOOKMARK".
      const std::string type = std::string(
          absl::StripPrefix(v1::WatchEvent::Type_Name(event.type()), "TYPE_"));
      std::cout << type << "  " << event.seq();
      if (event.type() == v1::WatchEvent::TYPE_UPSERT) {
        std::cout << "  " << event.bulletin_id() << "  "
                  << event.hit().headline() << "\n    "
                  << event.hit().snippet();
      } else if (event.type() == v1::WatchEvent::TYPE_RETRACT) {
        std::cout << "  " << event.bulletin_id();
      }
      std::cout << std::endl;
    }
    if (event.type() == v1::WatchEvent::TYPE_BOOKMARK) continue;
    if (count != 0 && ++received >= count) {
      context.TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (count != 0 && received >= count) return 0;
  return status.ok() ? 0 : FailStatus("watch", status);
}

int Stats(const std::vector<std::string>& args) {
  if (!args.empty()) return FailUsage("stats", "takes no arguments");
  std::unique_ptr<v1::QueryService::Stub> stub =
      v1::QueryService::NewStub(QueryChannel());
  v1::StatsResponse response;
  grpc::ClientContext context;
  PrepareContext(&context);
  grpc::Status status = stub->Stats(&context, v1::StatsRequest(), &response);
  if (!status.ok()) return FailStatus("stats", status);
  std::cout << ToJson(response, {.pretty = !absl::GetFlag(FLAGS_json)}) << "\n";
  return 0;
}

// Handles --help, -h, --version and `help [COMMAND]` before Abseil parses
// the flags (its --help lists every flag of every command and exits 1):
// returns the exit status when it did, nullopt otherwise.
std::optional<int> AnswerHelp(int argc, char** argv) {
  std::string command;
  bool help = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--version") {
      std::cout << "bulletinctl " << BULLETIN_VERSION << "\n";
      return kExitOk;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      help = true;
    } else if (!absl::StartsWith(arg, "-") && command.empty()) {
      command = std::string(arg);
    } else if (!absl::StartsWith(arg, "-") && command == "help") {
      command = std::string(arg);
      help = true;
    }
  }
  if (command == "help") {
    help = true;
    command.clear();
  }
  if (!help) return std::nullopt;
  if (command.empty()) {
    std::cout << OverviewHelp();
    return kExitOk;
  }
  const CommandHelp* found = FindCommand(command);
  if (found == nullptr) {
    return FailUsage("help", absl::StrCat("no command '", command,
                                          "': see bulletinctl --help"));
  }
  std::cout << CommandHelpText(*found);
  return kExitOk;
}

// Checks the flags on the command line before Abseil parses them, so that
// an unknown flag or a bad value given as --flag=VALUE is a usage error
// (Abseil would exit 1, the status of a failed call): the exit status when
// one is wrong, nullopt otherwise.
std::optional<int> CheckFlags(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (!absl::ConsumePrefix(&arg, "-")) continue;
    absl::ConsumePrefix(&arg, "-");
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    if (name == "flagfile" || name == "fromenv" || name == "tryfromenv" ||
        name == "undefok" || absl::StartsWith(name, "help")) {
      continue;  // Abseil's own.
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && absl::StartsWith(name, "no") &&
        equals == absl::string_view::npos) {
      flag = absl::FindCommandLineFlag(name.substr(2));  // --noflag
    }
    if (flag == nullptr) {
      return FailUsage("usage", absl::StrCat("unknown flag --", name,
                                             ": see bulletinctl --help"));
    }
    std::string error;
    if (equals != absl::string_view::npos &&
        !flag->ParseFrom(arg.substr(equals + 1), &error)) {
      return FailUsage("usage", absl::StrCat("--", name, ": ", error));
    }
  }
  return std::nullopt;
}

int Main(int argc, char** argv) {
  if (std::optional<int> answered = AnswerHelp(argc, argv)) return *answered;
  if (std::optional<int> wrong = CheckFlags(argc, argv)) return *wrong;
  absl::SetProgramUsageMessage(
      "bulletinctl [flags] COMMAND [args]; bulletinctl --help lists the "
      "commands");
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    return FailUsage("usage",
                     "give a command: parse, submit, search, get, retract, "
                     "stats, watch or help");
  }
  const std::string command = positional[1];
  if (command != "parse") {
    absl::Status made = MakeCredentials();
    if (!made.ok()) return FailUsage("tls", made.message());
  }
  std::vector<std::string> args(positional.begin() + 2, positional.end());
  if (command == "parse") return Parse(args);
  if (command == "submit") return Submit(args);
  if (command == "search") return Search(args);
  if (command == "get") return Get(args);
  if (command == "retract") return Retract(args);
  if (command == "stats") return Stats(args);
  if (command == "watch") return Watch(args);
  return FailUsage("usage", absl::StrCat("unknown command '", command,
                                         "': see bulletinctl --help"));
}

}  // namespace
}  // namespace bulletin

int main(int argc, char** argv) { return bulletin::Main(argc, argv); }
