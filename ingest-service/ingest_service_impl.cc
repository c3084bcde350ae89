#include "ingest-service/ingest_service_impl.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/log/json_log.h"
#include "common/record/bulletin_id.h"
#include "common/server/call_interceptor.h"
#include "common/server/grpc_status.h"

namespace bulletin {
namespace {

constexpr size_t kMaxExternalIdBytes = 256;
constexpr size_t kMaxReasonBytes = 1024;

absl::Status ValidateExternalId(const std::string& external_id) {
  if (external_id.size() > kMaxExternalIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("external_id is ", external_id.size(), " bytes; at most ",
                     kMaxExternalIdBytes, " are allowed"));
  }
  for (unsigned char c : external_id) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "external_id contains a control character");
    }
  }
  return absl::OkStatus();
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
                    : ExternalIdToId(request->external_id()));
  const int warning_count = record.warnings_size();
  // The digest covers everything that makes a version: the text and the date
  // the submitter gave.
  std::string digest = VersionDigest(
      absl::StrCat(parsed->normalized_text, "\n", request->date()));
  absl::StatusOr<CommitResult> committed =
      committer_->Upsert(std::move(record), std::move(digest));
  if (!committed.ok()) {
    LogWarning("submit_failed", {{"error", committed.status().ToString()},
                                 {"request_id", RequestIdOf(*context)},
                                 {"caller", CallerOf(*context)}});
    return ToGrpcStatus(committed.status());
  }
  response->set_id(committed->id);
  response->set_seq(committed->seq);
  response->set_duplicate(committed->duplicate);
  response->set_warning_count(warning_count);
  LogInfo("submit_acked", {{"id", committed->id},
                           {"seq", committed->seq},
                           {"duplicate", committed->duplicate},
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
  if (request->id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "id is empty: give the id of the bulletin to retract");
  }
  if (request->reason().size() > kMaxReasonBytes) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("reason is ", request->reason().size(), " bytes; at most ",
                     kMaxReasonBytes, " are allowed"));
  }
  absl::StatusOr<CommitResult> committed =
      committer_->Retract(request->id(), request->reason());
  if (!committed.ok()) return ToGrpcStatus(committed.status());
  response->set_seq(committed->seq);
  LogInfo("retract_acked", {{"id", committed->id},
                            {"seq", committed->seq},
                            {"request_id", RequestIdOf(*context)},
                            {"caller", CallerOf(*context)}});
  return grpc::Status::OK;
}

}  // namespace bulletin
