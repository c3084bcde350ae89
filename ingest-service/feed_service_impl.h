// The Feed RPCs (see proto/bulletin/v1/feed.proto): Subscribe streams the
// log to query replicas; ReadRecords returns the records at given seqs, which
// is where a replica reads the source text it does not keep. Each subscriber
// is served by its own handler, which reads the log from its cursor and waits
// on the log's head when it has sent everything, so a slow or stuck replica
// only ever holds back its own stream, never ingest or the other replicas.
//
//   bulletin::FeedServiceImpl feed(log.get(), {});
//   builder.RegisterService(&feed);
//   ...
//   feed.Shutdown();   // before server->Shutdown(): ends every stream
//
// Ownership: does not own the log, which must outlive it.
// Thread-safety: RPC methods are called concurrently by gRPC; Shutdown and
// subscriber_count may be called from any thread.

#ifndef BULLETIN_INGEST_SERVICE_FEED_SERVICE_IMPL_H_
#define BULLETIN_INGEST_SERVICE_FEED_SERVICE_IMPL_H_

#include <cstddef>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "common/sync/mutex.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

class FeedServiceImpl final : public v1::Feed::Service {
 public:
  // ReadRecords' bounds: seqs a call may ask for (a search page of include
  // bulletins is at most 1000 hits), and bytes of records it answers with
  // (under a replica's 64 MiB receive limit, with room for the framing).
  static constexpr int kMaxReadSeqs = 1000;
  static constexpr size_t kMaxReadBytes = (64 << 20) - (64 << 10);

  struct Options {
    // A heartbeat is sent whenever a stream has been idle this long.
    absl::Duration heartbeat_interval = absl::Seconds(1);
    // Records read from the log per step.
    size_t read_batch = 256;
    // More subscribers than this are refused with RESOURCE_EXHAUSTED.
    int max_subscribers = 256;
  };

  FeedServiceImpl(const BulletinLog* log, Options options);

  grpc::Status Subscribe(grpc::ServerContext* context,
                         const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::FeedMessage>* writer) override;

  grpc::Status ReadRecords(grpc::ServerContext* context,
                           const v1::ReadRecordsRequest* request,
                           v1::ReadRecordsResponse* response) override;

  // Ends every open stream with UNAVAILABLE and refuses new ones.
  void Shutdown();

  int subscriber_count() const;

 private:
  bool shutting_down() const;
  grpc::Status Stream(grpc::ServerContext* context,
                      const v1::SubscribeRequest& request,
                      grpc::ServerWriter<v1::FeedMessage>* writer);

  const BulletinLog* const log_;
  const Options options_;
  mutable Mutex mutex_;
  bool shutting_down_ ABSL_GUARDED_BY(mutex_) = false;
  int subscribers_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_FEED_SERVICE_IMPL_H_
