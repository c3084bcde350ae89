#include "ingest-service/feed_service_impl.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/feed/feed_trailers.h"
#include "common/log/json_log.h"
#include "common/server/call_deadline.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "ingest-service/log/records_at_seqs.h"

namespace bulletin {
namespace {

// How long a handler waits on the log before re-checking for cancellation
// and shutdown, at most.
constexpr absl::Duration kMaxWaitStep = absl::Milliseconds(200);

// How long ReadRecords waits for a seq beyond the head this ingest replica
// knows: with several ingest replicas on JetStream, one hears of another's
// append a moment after the replica that asks may have applied it.
constexpr absl::Duration kHeadCatchUpWait = absl::Milliseconds(500);

v1::FeedMessage Heartbeat(uint64_t head_seq, const LogIdentity& identity) {
  v1::FeedMessage message;
  message.mutable_heartbeat()->set_head_seq(head_seq);
  message.mutable_heartbeat()->set_log_id(identity.log_id);
  message.mutable_heartbeat()->set_log_epoch(identity.epoch);
  message.mutable_heartbeat()->set_sent_at_micros(
      absl::ToUnixMicros(absl::Now()));
  return message;
}

}  // namespace

FeedServiceImpl::FeedServiceImpl(const BulletinLog* log, Options options)
    : log_(log), options_(options) {}

void FeedServiceImpl::Shutdown() {
  MutexLock lock(&mutex_);
  shutting_down_ = true;
}

bool FeedServiceImpl::shutting_down() const {
  MutexLock lock(&mutex_);
  return shutting_down_;
}

int FeedServiceImpl::subscriber_count() const {
  MutexLock lock(&mutex_);
  return subscribers_;
}

grpc::Status FeedServiceImpl::Subscribe(
    grpc::ServerContext* context, const v1::SubscribeRequest* request,
    grpc::ServerWriter<v1::FeedMessage>* writer) {
  {
    MutexLock lock(&mutex_);
    if (shutting_down_) {
      return ToGrpcStatus(Unavailable(
          kReasonShuttingDown, "ingest is shutting down; reconnect later"));
    }
    if (subscribers_ >= options_.max_subscribers) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("feed already serves ", subscribers_,
                                       " subscribers, the configured maximum"));
    }
    ++subscribers_;
  }
  LogInfo("feed_subscribed", {{"replica", request->replica_id()},
                              {"after_seq", request->after_seq()},
                              {"peer", context->peer()}});
  grpc::Status status = Stream(context, *request, writer);
  {
    MutexLock lock(&mutex_);
    --subscribers_;
  }
  LogInfo("feed_unsubscribed", {{"replica", request->replica_id()},
                                {"code", static_cast<int>(status.error_code())},
                                {"message", status.error_message()}});
  return status;
}

grpc::Status FeedServiceImpl::Stream(
    grpc::ServerContext* context, const v1::SubscribeRequest& request,
    grpc::ServerWriter<v1::FeedMessage>* writer) {
  // A log that is not ready may not know its identity or head yet: the
  // replica tries again (here or on another ingest replica).
  if (absl::Status ready = log_->Readiness(); !ready.ok()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        std::string(ready.message()));
  }
  // Whether the replica's position is in this log: the same log, and a seq
  // this log's history holds. Checked before the head is read, so that the
  // head sent covers whatever the check learned.
  const LogIdentity identity = log_->identity();
  absl::Status position = absl::OkStatus();
  if (!request.log_id().empty()) {
    position = log_->CheckPosition({request.log_id(), request.log_epoch()},
                                   request.after_seq());
    // The log cannot tell now: not a refusal, which would make the replica
    // rebuild.
    if (position.code() == absl::StatusCode::kUnavailable) {
      return ToGrpcStatus(position);
    }
  }
  const uint64_t head_at_connect = log_->head_seq();
  if (position.ok() && request.after_seq() > head_at_connect) {
    position = absl::FailedPreconditionError(absl::StrCat(
        "the replica applied up to seq ", request.after_seq(),
        " but this log ends at ", head_at_connect, ": rebuild from seq 0"));
  }
  if (!position.ok()) {
    // The replica learns this log's head from the trailer: an empty log is
    // one it should not rebuild from without being told.
    context->AddTrailingMetadata(kLogHeadTrailer,
                                 absl::StrCat(head_at_connect));
    return ToGrpcStatus(WithErrorInfo(
        absl::FailedPreconditionError(position.message()), kReasonLogReplaced,
        {{"head_seq", absl::StrCat(head_at_connect)}}));
  }
  // The first message tells the replica what "caught up" means for it, and
  // which log this is, with its history.
  v1::FeedMessage first = Heartbeat(head_at_connect, identity);
  for (const EpochStart& epoch : log_->epochs()) {
    v1::LogEpoch* sent = first.mutable_heartbeat()->add_log_epochs();
    sent->set_epoch(epoch.epoch);
    sent->set_first_seq(epoch.first_seq);
  }
  if (!writer->Write(first)) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "subscriber went away");
  }
  uint64_t cursor = request.after_seq();
  absl::Time last_sent = absl::Now();
  v1::FeedMessage message;
  for (;;) {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "subscriber went away");
    }
    if (shutting_down()) {
      return ToGrpcStatus(Unavailable(
          kReasonShuttingDown, "ingest is shutting down; reconnect later"));
    }
    absl::StatusOr<std::vector<v1::LogRecord>> records =
        log_->Read(cursor, options_.read_batch);
    if (!records.ok()) return ToGrpcStatus(records.status());
    if (!records->empty()) {
      for (v1::LogRecord& record : *records) {
        const uint64_t seq = record.seq();
        *message.mutable_record() = std::move(record);
        if (!writer->Write(message)) {
          return grpc::Status(grpc::StatusCode::CANCELLED,
                              "subscriber went away");
        }
        cursor = seq;
      }
      last_sent = absl::Now();
      continue;
    }
    const absl::Time heartbeat_due = last_sent + options_.heartbeat_interval;
    const absl::Time wait_until =
        std::min(heartbeat_due, absl::Now() + kMaxWaitStep);
    const uint64_t head = log_->WaitForHeadAbove(cursor, wait_until);
    if (head == cursor && absl::Now() >= heartbeat_due) {
      if (!writer->Write(Heartbeat(head, identity))) {
        return grpc::Status(grpc::StatusCode::CANCELLED,
                            "subscriber went away");
      }
      last_sent = absl::Now();
    }
  }
}

grpc::Status FeedServiceImpl::ReadRecords(grpc::ServerContext* context,
                                          const v1::ReadRecordsRequest* request,
                                          v1::ReadRecordsResponse* response) {
  if (request->seqs().empty() || request->seqs_size() > kMaxReadSeqs) {
    return ToGrpcStatus(
        InvalidField("seqs", absl::StrCat("has ", request->seqs_size(),
                                          " seqs; give 1 to ", kMaxReadSeqs)));
  }
  std::vector<uint64_t> seqs(request->seqs().begin(), request->seqs().end());
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  if (seqs.front() == 0) {
    return ToGrpcStatus(
        InvalidField("seqs", "seq 0 names no record: seqs start at 1"));
  }
  if (absl::Status ready = log_->Readiness(); !ready.ok()) {
    return ToGrpcStatus(Unavailable(kReasonLogUnavailable, ready.message()));
  }
  // Read before the records: a log replaced in between is one the replica
  // refuses, never one whose records it takes for the earlier log's.
  const LogIdentity identity = log_->identity();
  if (seqs.back() > log_->head_seq()) {
    log_->WaitForHeadAbove(seqs.back() - 1,
                           WorkDeadline(*context, kHeadCatchUpWait));
  }
  absl::StatusOr<RecordsAtSeqs> found = ReadRecordsAtSeqs(*log_, seqs);
  if (absl::IsUnavailable(found.status())) {
    return ToGrpcStatus(
        Unavailable(kReasonLogUnavailable, found.status().message()));
  }
  if (!found.ok()) return ToGrpcStatus(found.status());
  size_t bytes = 0;
  for (const v1::LogRecord& record : found->records) {
    bytes += record.ByteSizeLong();
  }
  if (bytes > kMaxReadBytes) {
    return ToGrpcStatus(WithErrorInfo(
        absl::ResourceExhaustedError(absl::StrCat(
            "the ", found->records.size(), " records asked for are ", bytes,
            " bytes; at most ", kMaxReadBytes,
            " are sent at once: ask for fewer seqs")),
        kReasonTooLarge,
        {{"bytes", absl::StrCat(bytes)},
         {"limit", absl::StrCat(kMaxReadBytes)}}));
  }
  for (v1::LogRecord& record : found->records) {
    *response->add_records() = std::move(record);
  }
  for (const uint64_t seq : found->missing) response->add_missing_seqs(seq);
  response->set_head_seq(log_->head_seq());
  response->set_log_id(identity.log_id);
  response->set_log_epoch(identity.epoch);
  return grpc::Status::OK;
}

}  // namespace bulletin
