// The QueryService RPCs (see proto/bulletin/v1/query.proto), answered from
// the replica's BulletinIndex. Read-your-writes: a request's min_seq is
// waited for within the call's deadline before the index is consulted.
// source_text, which the index does not keep, is read from the ingest log
// (source_text_reader.h) when a read_mask asks for it, in one call per
// response.
//
//   bulletin::QueryServiceImpl service(&index, &follower, &served_log,
//                                      &watch_hub);
//   service.SetSourceTextReader(&source_texts);
//   builder.RegisterService(&service);
//
// Ownership: does not own the index, the follower, the served log, the
// watch hub or the source-text reader; they must outlive it.
// Thread-safety: the RPC methods are called concurrently by gRPC.

#ifndef BULLETIN_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
#define BULLETIN_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_

#include <atomic>
#include <cstddef>
#include <vector>

#include "absl/functional/function_ref.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/server/call_deadline.h"
#include "common/sync/thread_pool.h"
#include "query-service/feed_follower.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/served_log.h"
#include "query-service/source_text_reader.h"
#include "query-service/watch_hub.h"

namespace bulletin {

// Watch is served on gRPC's callback API (watch_stream.h), so that an open
// stream holds no thread; the other methods are synchronous.
class QueryServiceImpl final
    : public v1::QueryService::WithCallbackMethod_Watch<
          v1::QueryService::Service> {
 public:
  struct WatchLimits {
    // Watch streams served at once; more are refused with
    // RESOURCE_EXHAUSTED (OVERLOADED).
    size_t max_streams = 256;
    // Bulletins one resuming Watch catches up on (about 24 bytes each while
    // it does); a Watch whose after_seq is further behind is refused with
    // FAILED_PRECONDITION (RESYNC_REQUIRED).
    size_t max_catch_up = 50000;
  };

  // `served_log` is the log `index` follows (served_log.h), which Watch
  // positions are checked against.
  QueryServiceImpl(const BulletinIndex* index, const FeedFollower* follower,
                   const ServedLog* served_log,
                   WatchHub* watch_hub);  // Default WatchLimits.
  QueryServiceImpl(const BulletinIndex* index, const FeedFollower* follower,
                   const ServedLog* served_log, WatchHub* watch_hub,
                   WatchLimits watch_limits);

  grpc::Status Get(grpc::ServerContext* context, const v1::GetRequest* request,
                   v1::GetResponse* response) override;
  grpc::Status BatchGet(grpc::ServerContext* context,
                        const v1::BatchGetRequest* request,
                        v1::BatchGetResponse* response) override;
  grpc::Status Search(grpc::ServerContext* context,
                      const v1::SearchRequest* request,
                      v1::SearchResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchEvent>* Watch(
      grpc::CallbackServerContext* context,
      const v1::WatchRequest* request) override;
  grpc::Status Stats(grpc::ServerContext* context,
                     const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;

  // The same unary calls for a caller that is not a gRPC call (the HTTP
  // gateway calls them directly, common/http/http_gateway.h): `call` says
  // when the work must end and whether the caller has gone, as a gRPC
  // call's context does for the overrides above, which call these.
  grpc::Status Get(const CallBounds& call, const v1::GetRequest* request,
                   v1::GetResponse* response);
  grpc::Status BatchGet(const CallBounds& call,
                        const v1::BatchGetRequest* request,
                        v1::BatchGetResponse* response);
  grpc::Status Search(const CallBounds& call, const v1::SearchRequest* request,
                      v1::SearchResponse* response);
  grpc::Status Stats(const CallBounds& call, const v1::StatsRequest* request,
                     v1::StatsResponse* response);

  // Where reads that ask for source_text get it. Call before serving;
  // without one, such reads are refused with UNAVAILABLE.
  void SetSourceTextReader(const SourceTextReader* reader) {
    source_texts_ = reader;
  }

  // Tests: each Search with a deadline first waits until its work deadline
  // (a little before the caller's) has passed, as a search over a huge
  // index would, and then runs, so that it stops at its first cancellation
  // check. Call before serving.
  void StallSearchesForTesting() { stall_searches_for_testing_ = true; }

 private:
  // OK once min_seq is applied; DEADLINE_EXCEEDED if the call's deadline
  // (capped, for calls without one) passes first.
  grpc::Status AwaitSeq(const CallBounds& call, uint64_t min_seq) const;

  // Runs `read`, which answers from the index and adds the bulletins of
  // its answer to its argument, then, when `mask` asks for source_text,
  // fills that in from the ingest log. A bulletin whose record left the log
  // in between (a later version or a retraction this replica had not
  // applied yet) never gets another version's text: `read` runs again
  // once the replica has applied the log's head (a wait bounded by the
  // call's deadline), so the answer is the newer version, or NOT_FOUND;
  // ABORTED (CONTENDED) if it changed again. UNAVAILABLE (LOG_UNAVAILABLE)
  // when the log is out of reach.
  grpc::Status ReadWithSourceText(
      const CallBounds& call, const google::protobuf::FieldMask& mask,
      absl::FunctionRef<grpc::Status(std::vector<v1::Bulletin*>*)> read) const;

  const BulletinIndex* const index_;
  const FeedFollower* const follower_;
  const ServedLog* const served_log_;
  WatchHub* const watch_hub_;
  const WatchLimits watch_limits_;
  const SourceTextReader* source_texts_ = nullptr;
  std::atomic<size_t> watches_{0};
  bool stall_searches_for_testing_ = false;
  // Where Watch streams match what the hub hands them (a few threads for
  // every stream). Declared last: destroyed first, after the server has
  // ended every stream.
  ThreadPool matchers_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
