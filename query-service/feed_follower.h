// Keeps a query replica's index in step with ingest: subscribes to the Feed
// from the index's applied seq, applies each record in order, and reconnects
// with exponential backoff (and jitter) whenever the stream breaks or goes
// silent.
//
// The log's identity: the first heartbeat of a stream names the log (id and
// epoch), which the follower keeps in the index it applies to
// (BulletinIndex::SetLogIdentity) and sends back with the index's applied
// seq when it resubscribes; an index loaded from a snapshot starts with the
// snapshot's, so a snapshot of another log is refused like any other
// position that is not in this log. When ingest answers that the position is
// not in its log (FAILED_PRECONDITION: the log was replaced, emptied or
// restored from an earlier copy), the replica stops serving (`on_lost_log`),
// never wipes its index in place, rebuilds a fresh index beside it from seq 0,
// and swaps it in once caught up. Against an empty log where it had data it
// refuses and keeps its data, unless `accept_empty_log`.
//
// Readiness: the first heartbeat of a stream carries the head seq at the
// moment it opened; the replica is caught up once it has applied that seq.
// `on_caught_up` runs the first time that happens, and again after each
// rebuild; the replica stays ready across reconnects, serving what it has
// while it resumes.
//
//   bulletin::FeedFollower follower(&index, options,
//                                   [&] { health->SetServingStatus(true); });
//   follower.Start();
//   ...
//   follower.Stop();
//
// Ownership: does not own the index, which must outlive it.
// Thread-safety: Start and Stop from one thread; the accessors from any. The
// follower's thread is the index's only writer.

#ifndef BULLETIN_QUERY_SERVICE_FEED_FOLLOWER_H_
#define BULLETIN_QUERY_SERVICE_FEED_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "common/feed/log_identity.h"
#include "common/server/reloading_client_credentials.h"
#include "common/sync/mutex.h"
#include "grpcpp/grpcpp.h"
#include "query-service/index/bulletin_index.h"
#include "query-service/served_log.h"

namespace bulletin {

// The gRPC target for FeedFollower::Options::ingest_address.
std::string FeedTarget(const std::string& ingest_address);

// A channel to ingest at `ingest_address` (FeedTarget) with `credentials`,
// as the Feed follower and the source-text reader (source_text_reader.h)
// open it: records up to 64 MiB (the largest bulletin ingest accepts, with
// room), reconnect backoff capped at `max_backoff`.
std::shared_ptr<grpc::Channel> IngestChannel(
    const std::string& ingest_address,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    absl::Duration max_backoff);

class FeedFollower {
 public:
  struct Options {
    // Where ingest-service is: host:port, a comma-separated list of
    // host:port of several ingest replicas (numeric addresses), or any gRPC
    // target (dns:///ingest-headless:50051). With several, a broken Feed is
    // resumed on another.
    std::string ingest_address;
    // Sent to ingest for its logs.
    std::string replica_id;
    // Reconnect backoff: starts here, doubles per failure, capped below.
    absl::Duration initial_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(5);
    // A stream with no message (record or heartbeat) for this long is
    // considered dead and reopened. Must exceed ingest's heartbeat interval.
    absl::Duration silence_timeout = absl::Seconds(5);
    // Channel credentials, made again when their files change: a new
    // connection to ingest (after a broken stream) presents the current
    // certificate and token. Insecure when null.
    std::shared_ptr<ReloadingClientCredentials> credentials;
    // Rebuild from an empty log even when this replica holds data.
    bool accept_empty_log = false;
    // Called, with why, when a serving replica finds its index is not in the
    // log it follows and stops serving until rebuilt; on the follower's
    // thread.
    std::function<void(const std::string& reason)> on_lost_log;
    // Told the served index's log and history at the first heartbeat of
    // each stream into it, and around each swap to a rebuilt index (not
    // owned; may be null).
    ServedLog* served_log = nullptr;
    // Called once the served index belongs to another log than before (a
    // rebuilt index was swapped in, or an empty replica met a new log), on
    // the follower's thread: positions in the old log mean nothing now.
    std::function<void()> on_log_replaced;
  };

  // Called after each record is applied to the serving index, on the
  // follower's thread, with the version the record replaced or removed
  // (null when none): BulletinIndex::Apply's `replaced`.
  using AppliedCallback =
      std::function<void(const v1::LogRecord& record,
                         std::shared_ptr<const StoredRecord> replaced)>;

  FeedFollower(BulletinIndex* index, Options options,
               std::function<void()> on_caught_up,
               AppliedCallback on_applied = nullptr);
  ~FeedFollower();  // Calls Stop().

  void Start();
  // Cancels the stream and joins the thread. Idempotent.
  void Stop();

  // The newest head seq ingest reported; 0 before the first heartbeat.
  uint64_t head_seq() const;
  // True once the replica has caught up (see above).
  bool caught_up() const;
  // Streams opened so far, for tests and metrics.
  int64_t connections() const;
  // Records applied from the Feed so far (to the serving index or to one
  // being rebuilt), for tests and metrics: after a restart from a snapshot,
  // only those after its seq.
  int64_t records_applied() const;

 private:
  // What one stream told the follower.
  struct Stream {
    bool received_any = false;
    bool heard_heartbeat = false;
    // The head seq of the stream's first heartbeat.
    uint64_t head_at_connect = 0;
    // True once `target` applied head_at_connect in this stream.
    bool caught_up = false;
    // The position was refused by a log that is empty.
    bool refused_by_empty_log = false;
    // The log's history, from the first heartbeat.
    std::vector<EpochStart> epochs;
  };
  void Run();
  // One stream into `target` (the serving index or one being rebuilt) from
  // open to end; returns its final status.
  grpc::Status FollowOnce(v1::Feed::Stub& stub, BulletinIndex* target,
                          Stream* stream);
  // Compacts the serving index and reports the replica caught up.
  void BecomeCaughtUp(uint64_t head_at_connect);
  // Stops serving: the index is not in the log it follows.
  void LostLog(const std::string& reason, bool log_is_empty);
  // Sleeps for `sleep`; true if Stop was called meanwhile.
  bool SleepOrStop(absl::Duration sleep);
  void Watchdog();

  BulletinIndex* const index_;
  const Options options_;
  const std::function<void()> on_caught_up_;
  const AppliedCallback on_applied_;

  mutable Mutex mutex_;
  // Signalled when stopping_ is set, to cut short backoff and watchdog sleeps.
  CondVar stop_requested_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  grpc::ClientContext* active_context_ ABSL_GUARDED_BY(mutex_) = nullptr;
  absl::Time last_message_ ABSL_GUARDED_BY(mutex_);
  uint64_t head_seq_ ABSL_GUARDED_BY(mutex_) = 0;
  bool caught_up_ ABSL_GUARDED_BY(mutex_) = false;
  int64_t connections_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t records_applied_ ABSL_GUARDED_BY(mutex_) = 0;

  std::thread thread_;
  std::thread watchdog_;
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_FEED_FOLLOWER_H_
