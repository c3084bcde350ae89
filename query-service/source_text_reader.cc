#include "query-service/source_text_reader.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/server/error_details.h"
#include "grpcpp/grpcpp.h"
#include "query-service/feed_follower.h"

namespace bulletin {
namespace {

// What a reader of the error can do about it, after what went wrong.
constexpr char kHowToRecover[] = "; retry, or omit source_text from read_mask";

}  // namespace

SourceTextReader::SourceTextReader(Options options)
    : options_(std::move(options)) {}

std::shared_ptr<v1::Feed::Stub> SourceTextReader::Stub() const {
  std::shared_ptr<grpc::ChannelCredentials> now =
      options_.credentials != nullptr ? options_.credentials->Current()
                                      : grpc::InsecureChannelCredentials();
  MutexLock lock(&mutex_);
  // Insecure credentials are a new object each time: only files that
  // changed make a new channel.
  if (stub_ == nullptr ||
      (options_.credentials != nullptr && now != credentials_)) {
    credentials_ = now;
    stub_ = v1::Feed::NewStub(IngestChannel(
        options_.ingest_address, std::move(now), options_.max_backoff));
  }
  return stub_;
}

absl::StatusOr<SourceTextReader::Outcome> SourceTextReader::Fill(
    absl::Span<v1::Bulletin* const> bulletins, absl::string_view log_id,
    absl::Time deadline) const {
  Outcome outcome;
  if (bulletins.empty()) return outcome;
  v1::ReadRecordsRequest request;
  for (const v1::Bulletin* bulletin : bulletins) {
    request.add_seqs(bulletin->seq());
  }
  grpc::ClientContext context;
  context.set_deadline(
      absl::ToChronoTime(std::min(deadline, absl::Now() + options_.timeout)));
  v1::ReadRecordsResponse response;
  const grpc::Status status = Stub()->ReadRecords(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return WithErrorInfo(
        absl::ResourceExhaustedError(absl::StrCat(
            "the source texts asked for are more than ingest sends at once (",
            status.error_message(),
            "): ask for fewer bulletins, or omit source_text from read_mask")),
        kReasonTooLarge);
  }
  if (!status.ok()) {
    return Unavailable(
        kReasonLogUnavailable,
        absl::StrCat("source_text is read from the ingest log, which is "
                     "unreachable at ",
                     options_.ingest_address, " (",
                     absl::StatusCodeToString(
                         static_cast<absl::StatusCode>(status.error_code())),
                     ": ", status.error_message(), ")", kHowToRecover));
  }
  if (!log_id.empty() && response.log_id() != log_id) {
    return Unavailable(
        kReasonLogUnavailable,
        absl::StrCat("source_text is read from the ingest log, but ingest at ",
                     options_.ingest_address, " serves log ", response.log_id(),
                     ", not log ", log_id,
                     " that this replica applied (the log was replaced; the "
                     "replica rebuilds from the new one)",
                     kHowToRecover));
  }
  absl::flat_hash_map<uint64_t, const v1::LogRecord*> by_seq;
  for (const v1::LogRecord& record : response.records()) {
    by_seq[record.seq()] = &record;
  }
  for (v1::Bulletin* bulletin : bulletins) {
    const auto found = by_seq.find(bulletin->seq());
    // The same id and version: the record written for this version (a
    // record of another log at the same seq would differ).
    if (found != by_seq.end() && found->second->has_upsert() &&
        found->second->upsert().id() == bulletin->id() &&
        found->second->upsert().version() == bulletin->version()) {
      bulletin->set_source_text(found->second->upsert().source_text());
    } else {
      outcome.missing_ids.push_back(bulletin->id());
      outcome.missing_seqs.push_back(bulletin->seq());
    }
  }
  outcome.head_seq = response.head_seq();
  return outcome;
}

}  // namespace bulletin
