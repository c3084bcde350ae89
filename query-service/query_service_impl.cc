#include "query-service/query_service_impl.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/log/json_log.h"
#include "common/record/write_keys.h"
#include "common/server/call_deadline.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/read_mask.h"
#include "query-service/watch_cursor.h"
#include "query-service/watch_stream.h"

namespace bulletin {
namespace {

// A call without a deadline waits for min_seq at most this long, so that a
// seq that never comes cannot hold a server thread forever.
constexpr absl::Duration kMaxSeqWait = absl::Seconds(30);

// How often a call waiting for min_seq looks whether its caller has gone.
constexpr absl::Duration kCancelPoll = absl::Milliseconds(100);

// BatchGet's bound on ids (AIP-231 asks for one).
constexpr int kMaxBatchGetIds = 100;

// How long a read whose bulletin's record left the ingest log waits for
// the replica to apply what replaced it before it reads again, at most:
// a replica that is following applies it within milliseconds.
constexpr absl::Duration kReplacedRecordWait = absl::Seconds(1);

// A search or watch request the index refused: its message says which part
// (the query, a filter, the page token, the limit); its reason says that it
// was the request's query.
absl::Status QueryError(absl::Status status) {
  if (!absl::IsInvalidArgument(status) || ErrorInfoOf(status).has_value()) {
    return status;
  }
  return WithErrorInfo(status, kReasonInvalidQuery);
}

// Threads that match bulletins for every Watch stream: matching is short,
// and the streams wait without threads.
constexpr size_t kWatchMatchers = 4;

}  // namespace

QueryServiceImpl::QueryServiceImpl(const BulletinIndex* index,
                                   const FeedFollower* follower,
                                   const ServedLog* served_log,
                                   WatchHub* watch_hub)
    : QueryServiceImpl(index, follower, served_log, watch_hub, WatchLimits()) {}

QueryServiceImpl::QueryServiceImpl(const BulletinIndex* index,
                                   const FeedFollower* follower,
                                   const ServedLog* served_log,
                                   WatchHub* watch_hub,
                                   WatchLimits watch_limits)
    : index_(index),
      follower_(follower),
      served_log_(served_log),
      watch_hub_(watch_hub),
      watch_limits_(watch_limits),
      matchers_(kWatchMatchers, absl::Seconds(30)) {}

grpc::Status QueryServiceImpl::AwaitSeq(const CallBounds& call,
                                        uint64_t min_seq) const {
  if (min_seq == 0 || index_->applied_seq() >= min_seq) {
    return grpc::Status::OK;
  }
  const absl::Time deadline = call.WorkDeadline(kMaxSeqWait);
  // Waited in slices, so that a caller who has gone frees the thread within
  // one slice rather than at the deadline.
  while (!index_->WaitForSeq(min_seq,
                             std::min(deadline, absl::Now() + kCancelPoll))) {
    if (call.IsCancelled()) {
      return ToGrpcStatus(absl::CancelledError(
          "the caller cancelled the call while it waited for min_seq"));
    }
    if (absl::Now() >= deadline) break;
  }
  if (index_->applied_seq() >= min_seq) return grpc::Status::OK;
  return ToGrpcStatus(WithRetryInfo(
      WithErrorInfo(
          absl::DeadlineExceededError(absl::StrCat(
              "this replica has applied seq ", index_->applied_seq(), "; seq ",
              min_seq, " was not applied within the deadline")),
          kReasonSeqNotApplied,
          {{"applied_seq", absl::StrCat(index_->applied_seq())},
           {"min_seq", absl::StrCat(min_seq)}}),
      absl::Seconds(1)));
}

grpc::Status QueryServiceImpl::Get(grpc::ServerContext* context,
                                   const v1::GetRequest* request,
                                   v1::GetResponse* response) {
  return Get(CallBounds::Of(*context), request, response);
}

grpc::Status QueryServiceImpl::Get(const CallBounds& call,
                                   const v1::GetRequest* request,
                                   v1::GetResponse* response) {
  absl::StatusOr<std::string> id = ResolveBulletinId(
      request->id(), request->source(), request->external_id());
  if (!id.ok()) return ToGrpcStatus(id.status());
  absl::Status mask = ValidateReadMask(request->read_mask());
  if (!mask.ok()) return ToGrpcStatus(mask);
  grpc::Status waited = AwaitSeq(call, request->min_seq());
  if (!waited.ok()) return waited;
  grpc::Status read = ReadWithSourceText(
      call, request->read_mask(),
      [&](std::vector<v1::Bulletin*>* bulletins) -> grpc::Status {
        absl::StatusOr<v1::Bulletin> bulletin = index_->Get(*id);
        if (absl::IsNotFound(bulletin.status())) {
          return ToGrpcStatus(WithErrorInfo(
              bulletin.status(), kReasonBulletinNotFound, {{"id", *id}}));
        }
        if (!bulletin.ok()) return ToGrpcStatus(bulletin.status());
        ApplyReadMask(request->read_mask(), &*bulletin);
        *response->mutable_bulletin() = *std::move(bulletin);
        bulletins->push_back(response->mutable_bulletin());
        return grpc::Status::OK;
      });
  if (!read.ok()) {
    response->Clear();
    return read;
  }
  return ToGrpcStatus(CheckResponseSize(*response));
}

grpc::Status QueryServiceImpl::BatchGet(grpc::ServerContext* context,
                                        const v1::BatchGetRequest* request,
                                        v1::BatchGetResponse* response) {
  return BatchGet(CallBounds::Of(*context), request, response);
}

grpc::Status QueryServiceImpl::BatchGet(const CallBounds& call,
                                        const v1::BatchGetRequest* request,
                                        v1::BatchGetResponse* response) {
  if (request->ids().empty() || request->ids_size() > kMaxBatchGetIds) {
    return ToGrpcStatus(
        InvalidField("ids", absl::StrCat("has ", request->ids_size(),
                                         " ids; give 1 to ", kMaxBatchGetIds)));
  }
  for (const std::string& id : request->ids()) {
    absl::Status valid = ValidateBulletinId(id);
    if (!valid.ok()) return ToGrpcStatus(valid);
  }
  absl::Status mask = ValidateReadMask(request->read_mask());
  if (!mask.ok()) return ToGrpcStatus(mask);
  grpc::Status waited = AwaitSeq(call, request->min_seq());
  if (!waited.ok()) return waited;
  grpc::Status read = ReadWithSourceText(
      call, request->read_mask(),
      [&](std::vector<v1::Bulletin*>* bulletins) -> grpc::Status {
        response->Clear();
        std::vector<std::string> missing;
        for (const std::string& id : request->ids()) {
          absl::StatusOr<v1::Bulletin> bulletin = index_->Get(id);
          if (!bulletin.ok()) {
            missing.push_back(id);
            continue;
          }
          ApplyReadMask(request->read_mask(), &*bulletin);
          *response->add_bulletins() = *std::move(bulletin);
        }
        if (!missing.empty()) {
          return ToGrpcStatus(WithErrorInfo(
              absl::NotFoundError(absl::StrCat("no live bulletin with id ",
                                               absl::StrJoin(missing, ", "),
                                               " on this replica")),
              kReasonBulletinNotFound, {{"id", absl::StrJoin(missing, ",")}}));
        }
        for (v1::Bulletin& bulletin : *response->mutable_bulletins()) {
          bulletins->push_back(&bulletin);
        }
        return grpc::Status::OK;
      });
  if (!read.ok()) {
    response->Clear();
    return read;
  }
  absl::Status fits = CheckResponseSize(*response);
  if (!fits.ok()) response->Clear();
  return ToGrpcStatus(fits);
}

grpc::Status QueryServiceImpl::Search(grpc::ServerContext* context,
                                      const v1::SearchRequest* request,
                                      v1::SearchResponse* response) {
  return Search(CallBounds::Of(*context), request, response);
}

grpc::Status QueryServiceImpl::Search(const CallBounds& call,
                                      const v1::SearchRequest* request,
                                      v1::SearchResponse* response) {
  grpc::Status waited = AwaitSeq(call, request->min_seq());
  if (!waited.ok()) return waited;
  absl::Status mask = ValidateReadMask(request->read_mask());
  if (!mask.ok()) return ToGrpcStatus(mask);
  const absl::Time stop_at = call.WorkDeadline(absl::InfiniteDuration());
  if (stall_searches_for_testing_ && stop_at != absl::InfiniteFuture()) {
    // Tells a test that the search is in the handler, where a cancel now
    // reaches it (one sent before may end the call before any handler runs).
    LogInfo("search_stalled_for_testing");
    while (absl::Now() < stop_at && !call.IsCancelled()) {
      absl::SleepFor(std::min(kCancelPoll, stop_at - absl::Now()));
    }
  }
  Cancellation cancellation([&call, stop_at]() -> absl::Status {
    if (call.IsCancelled()) {
      return absl::CancelledError("the caller cancelled the search");
    }
    if (absl::Now() >= stop_at) {
      return WithErrorInfo(
          absl::DeadlineExceededError(
              "the search did not finish within the call's deadline and was "
              "stopped; narrow the query or filters, or give a longer "
              "deadline"),
          kReasonDeadlinePassed);
    }
    return absl::OkStatus();
  });
  v1::SearchResponse result;
  grpc::Status read = ReadWithSourceText(
      call, request->read_mask(),
      [&](std::vector<v1::Bulletin*>* bulletins) -> grpc::Status {
        // Read before the search, checked after it: a swap to another log
        // in between leaves the answer without a log (served_log.h).
        const uint64_t generation = served_log_->generation();
        absl::StatusOr<v1::SearchResponse> found =
            index_->Search(*request, &cancellation);
        if (!found.ok()) return ToGrpcStatus(QueryError(found.status()));
        result = *std::move(found);
        if (absl::StatusOr<LogIdentity> log =
                served_log_->IdentityOf(generation, result.applied_seq());
            log.ok()) {
          result.set_log_id(log->log_id);
          result.set_log_epoch(log->epoch);
        }
        for (v1::Hit& hit : *result.mutable_hits()) {
          if (hit.has_bulletin()) {
            ApplyReadMask(request->read_mask(), hit.mutable_bulletin());
            bulletins->push_back(hit.mutable_bulletin());
          }
        }
        return grpc::Status::OK;
      });
  if (!read.ok()) return read;
  absl::Status fits = CheckResponseSize(result);
  if (!fits.ok()) return ToGrpcStatus(fits);
  *response = std::move(result);
  return grpc::Status::OK;
}

grpc::Status QueryServiceImpl::ReadWithSourceText(
    const CallBounds& call, const google::protobuf::FieldMask& mask,
    absl::FunctionRef<grpc::Status(std::vector<v1::Bulletin*>*)> read) const {
  for (int attempt = 1;; ++attempt) {
    std::vector<v1::Bulletin*> bulletins;
    grpc::Status status = read(&bulletins);
    if (!status.ok() || !AsksForSourceText(mask) || bulletins.empty()) {
      return status;
    }
    if (source_texts_ == nullptr) {
      return ToGrpcStatus(Unavailable(
          kReasonLogUnavailable,
          "source_text is read from the ingest log, and this replica reads "
          "none; omit source_text from read_mask"));
    }
    const absl::Time deadline = call.WorkDeadline(kMaxSeqWait);
    absl::StatusOr<SourceTextReader::Outcome> filled =
        source_texts_->Fill(bulletins, index_->log_identity().log_id, deadline);
    if (!filled.ok()) return ToGrpcStatus(filled.status());
    if (filled->missing_ids.empty()) return grpc::Status::OK;
    if (attempt == 2) {
      const std::string ids = absl::StrJoin(filled->missing_ids, ", ");
      return ToGrpcStatus(WithRetryInfo(
          WithErrorInfo(
              absl::AbortedError(absl::StrCat(
                  "bulletin ", ids,
                  " changed in the ingest log while its source_text was read "
                  "(the version at seq ",
                  absl::StrJoin(filled->missing_seqs, ", "),
                  " was replaced, and this replica has applied up to seq ",
                  index_->applied_seq(), " of ", filled->head_seq, "); retry")),
              kReasonContended, {{"id", ids}}),
          absl::Seconds(1)));
    }
    // What replaced the record is at or below the log's head: once the
    // replica has applied that, the read finds the newer version or none.
    index_->WaitForSeq(filled->head_seq,
                       std::min(deadline, absl::Now() + kReplacedRecordWait));
  }
}

grpc::ServerWriteReactor<v1::WatchEvent>* QueryServiceImpl::Watch(
    grpc::CallbackServerContext* /*context*/, const v1::WatchRequest* request) {
  absl::StatusOr<StandingQuery> query = StandingQuery::Create(*request);
  if (!query.ok()) {
    return WatchStream::Refuse(ToGrpcStatus(QueryError(query.status())));
  }
  // Counted before the check, so that concurrent Watches cannot all pass it.
  const size_t max_streams = watch_limits_.max_streams;
  if (watches_.fetch_add(1) >= max_streams) {
    watches_.fetch_sub(1);
    return WatchStream::Refuse(ToGrpcStatus(WithRetryInfo(
        Overloaded(absl::StrCat(
            "this replica already serves its limit of ", max_streams,
            " Watch streams; watch through another replica, or retry after "
            "about 10 s")),
        absl::Seconds(10))));
  }
  absl::StatusOr<WatchCursor> cursor =
      WatchCursor::Open(*request, *std::move(query), watch_hub_, *index_,
                        served_log_, watch_limits_.max_catch_up);
  if (!cursor.ok()) {
    watches_.fetch_sub(1);
    return WatchStream::Refuse(ToGrpcStatus(cursor.status()));
  }
  return new WatchStream(watch_hub_, &matchers_, *std::move(cursor),
                         [this] { watches_.fetch_sub(1); });
}

grpc::Status QueryServiceImpl::Stats(grpc::ServerContext* context,
                                     const v1::StatsRequest* request,
                                     v1::StatsResponse* response) {
  return Stats(CallBounds::Of(*context), request, response);
}

grpc::Status QueryServiceImpl::Stats(const CallBounds& /*call*/,
                                     const v1::StatsRequest* /*request*/,
                                     v1::StatsResponse* response) {
  *response = index_->Stats();
  response->set_head_seq(
      std::max(follower_->head_seq(), response->applied_seq()));
  response->set_caught_up(follower_->caught_up());
  return grpc::Status::OK;
}

}  // namespace bulletin
