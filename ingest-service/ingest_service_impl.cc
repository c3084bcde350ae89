#include "ingest-service/ingest_service_impl.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/log/json_log.h"
#include "common/record/bulletin_id.h"
#include "common/record/write_keys.h"
#include "common/server/auth.h"
#include "common/server/call_deadline.h"
#include "common/server/call_interceptor.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"

namespace bulletin {
namespace {

constexpr size_t kMaxReasonBytes = 1024;

// The source a call writes as: the identity of its client certificate when
// it has one (the request may then only repeat it), else what the request
// says. Bearer tokens name no one (one token may be shared, and rotating it
// must not move a submitter's bulletins), so they leave it to the request.
absl::StatusOr<std::string> WritingSource(const grpc::ServerContext& context,
                                          const std::string& requested) {
  absl::Status valid = ValidateSource(requested);
  if (!valid.ok()) return valid;
  const std::string caller = CallerOf(context);
  if (!absl::StartsWith(caller, kCertificateCallerPrefix)) return requested;
  std::string identity(absl::StripPrefix(caller, kCertificateCallerPrefix));
  if (!requested.empty() && requested != identity) {
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat(
            "source '", requested, "' is not yours: your certificate names '",
            identity, "'; leave source empty or set it to that")),
        kReasonOtherSource, {{"source", requested}});
  }
  return identity;
}

// The conditions of a write request (SubmitRequest, RetractRequest),
// validated.
template <typename WriteRequest>
absl::StatusOr<WriteConditions> ConditionsOf(const WriteRequest& request) {
  WriteConditions conditions;
  absl::Status valid = ValidateRequestId(request.request_id());
  if (!valid.ok()) return valid;
  conditions.request_id = request.request_id();
  if (request.has_expected_version()) {
    if (request.expected_version() < 0) {
      return InvalidField("expected_version",
                          absl::StrCat("is ", request.expected_version(),
                                       "; versions start at 1, and 0 means the "
                                       "bulletin must not exist"));
    }
    conditions.expected_version = request.expected_version();
  }
  return conditions;
}

}  // namespace

IngestServiceImpl::IngestServiceImpl(GroupCommitter* committer, Options options)
    : committer_(committer), options_(options) {}

absl::StatusOr<std::optional<Admission::Ticket>> IngestServiceImpl::Admit(
    absl::string_view method, size_t bytes,
    const grpc::ServerContext& context) const {
  if (options_.admission == nullptr) return std::nullopt;
  absl::StatusOr<Admission::Ticket> ticket =
      options_.admission->Admit(method, bytes, CallerOf(context));
  if (!ticket.ok()) return ticket.status();
  return std::optional<Admission::Ticket>(*std::move(ticket));
}

absl::StatusOr<ParsedSubmission> IngestServiceImpl::ParseContent(
    const std::string& content, const std::string& date,
    const std::string& content_type) const {
  absl::StatusOr<ParseOptions::ContentType> type =
      ContentTypeFromMime(content_type);
  if (!type.ok()) return type.status();
  // ParseSubmission checks the date (common/time/iso_date.h).
  ParseOptions parse_options;
  parse_options.content_type = *type;
  parse_options.max_bytes = options_.max_bulletin_bytes;
  parse_options.date = date;
  return ParseSubmission(content, parse_options);
}

grpc::Status IngestServiceImpl::Submit(grpc::ServerContext* context,
                                       const v1::SubmitRequest* request,
                                       v1::SubmitResponse* response) {
  absl::Status external_id_ok = ValidateExternalId(request->external_id());
  if (!external_id_ok.ok()) return ToGrpcStatus(external_id_ok);
  absl::StatusOr<std::string> source =
      WritingSource(*context, request->source());
  if (!source.ok()) return ToGrpcStatus(source.status());
  absl::StatusOr<WriteConditions> conditions = ConditionsOf(*request);
  if (!conditions.ok()) return ToGrpcStatus(conditions.status());
  // Held until the answer: the parse and the queued record are the memory.
  absl::StatusOr<std::optional<Admission::Ticket>> admitted =
      Admit("Submit", request->content().size(), *context);
  if (!admitted.ok()) return ToGrpcStatus(admitted.status());
  absl::StatusOr<ParsedSubmission> parsed = ParseContent(
      request->content(), request->date(), request->content_type());
  if (!parsed.ok()) {
    LogInfo("submit_rejected",
            {{"code", absl::StatusCodeToString(parsed.status().code())},
             {"bytes", static_cast<uint64_t>(request->content().size())},
             {"request_id", RequestIdOf(*context)},
             {"caller", CallerOf(*context)}});
    return ToGrpcStatus(parsed.status());
  }
  v1::Bulletin& record = parsed->bulletin;
  record.set_external_id(request->external_id());
  record.set_id(request->external_id().empty()
                    ? ContentId(parsed->normalized_text)
                    : ExternalIdToId(*source, request->external_id()));
  const int warning_count = record.warnings_size();
  // The digest covers everything that makes a version: the text and the date
  // the submitter gave.
  std::string digest = VersionDigest(
      absl::StrCat(parsed->normalized_text, "\n", request->date()));
  absl::StatusOr<CommitResult> committed = committer_->Upsert(
      std::move(record), std::move(digest), *std::move(source),
      *std::move(conditions), WorkDeadline(*context, absl::InfiniteDuration()));
  if (!committed.ok()) {
    LogWarning("submit_failed", {{"error", committed.status().ToString()},
                                 {"request_id", RequestIdOf(*context)},
                                 {"caller", CallerOf(*context)}});
    return ToGrpcStatus(committed.status());
  }
  response->set_id(committed->id);
  response->set_seq(committed->seq);
  response->set_version(committed->version);
  response->set_result(committed->result);
  response->set_duplicate(committed->duplicate());
  response->set_warning_count(warning_count);
  LogInfo("submit_acked", {{"id", committed->id},
                           {"seq", committed->seq},
                           {"version", committed->version},
                           {"result", v1::WriteResult_Name(committed->result)},
                           {"client_request_id", request->request_id()},
                           {"request_id", RequestIdOf(*context)},
                           {"caller", CallerOf(*context)}});
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::Parse(grpc::ServerContext* context,
                                      const v1::ParseRequest* request,
                                      v1::ParseResponse* response) {
  absl::StatusOr<std::optional<Admission::Ticket>> admitted =
      Admit("Parse", request->content().size(), *context);
  if (!admitted.ok()) return ToGrpcStatus(admitted.status());
  absl::StatusOr<ParsedSubmission> parsed = ParseContent(
      request->content(), request->date(), request->content_type());
  if (!parsed.ok()) return ToGrpcStatus(parsed.status());
  *response->mutable_bulletin() = std::move(parsed->bulletin);
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::Retract(grpc::ServerContext* context,
                                        const v1::RetractRequest* request,
                                        v1::RetractResponse* response) {
  absl::StatusOr<std::string> id = ResolveBulletinId(
      request->id(), request->source(), request->external_id());
  if (!id.ok()) return ToGrpcStatus(id.status());
  if (request->reason().size() > kMaxReasonBytes) {
    return ToGrpcStatus(InvalidField(
        "reason",
        absl::StrCat("is ", request->reason().size(), " bytes; at most ",
                     kMaxReasonBytes, " are allowed")));
  }
  absl::StatusOr<std::string> source =
      WritingSource(*context, request->source());
  if (!source.ok()) return ToGrpcStatus(source.status());
  absl::StatusOr<WriteConditions> conditions = ConditionsOf(*request);
  if (!conditions.ok()) return ToGrpcStatus(conditions.status());
  // A caller that says (or whose certificate says) who it is may retract
  // only that source's bulletins.
  if (!source->empty()) conditions->owner = *source;
  absl::StatusOr<CommitResult> committed = committer_->Retract(
      *std::move(id), request->reason(), *std::move(conditions),
      WorkDeadline(*context, absl::InfiniteDuration()));
  if (!committed.ok()) return ToGrpcStatus(committed.status());
  response->set_seq(committed->seq);
  response->set_id(committed->id);
  response->set_version(committed->version);
  LogInfo("retract_acked", {{"id", committed->id},
                            {"seq", committed->seq},
                            {"version", committed->version},
                            {"client_request_id", request->request_id()},
                            {"request_id", RequestIdOf(*context)},
                            {"caller", CallerOf(*context)}});
  return grpc::Status::OK;
}

}  // namespace bulletin
