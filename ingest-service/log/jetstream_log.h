// The replicated ingest log: a NATS JetStream stream, replicated over a NATS
// cluster (R=3 by default) and written by any number of ingest replicas at
// once. The mapping is in docs/durability.md ("The JetStream log").
//
//   bulletin::JetStreamLog::Options options;
//   options.servers = {"nats://10.0.0.1:4222", "nats://10.0.0.2:4222"};
//   options.stream = "BULLETINS";
//   absl::StatusOr<std::unique_ptr<bulletin::JetStreamLog>> log =
//       bulletin::JetStreamLog::Start(options);   // returns at once
//   absl::Status ready =
//       (*log)->WaitUntilReady(absl::Now() + absl::Seconds(30));
//   // UNAVAILABLE: not reachable yet, and still trying; Readiness() says
//   // when it is. Anything else: it never will be (exit).
//
// - One subject per bulletin (<stream>.b.<id>). The stream keeps at most two
//   messages per subject: the bulletin's last record, and the one it
//   superseded until the log has erased it. Append erases every record its
//   entries supersede (JetStream overwrites an erased message's bytes on each
//   server) before it returns, so a new version replaces the previous one and
//   a retraction leaves a tombstone without the text. A record left unerased
//   (its writer died between the publish and the erase) is found and erased
//   within `scrub_interval` by any ingest replica.
// - The stream sequence is the seq. A conditional append is a publish with
//   Nats-Expected-Last-Subject-Sequence, and claims its version's slot with
//   Nats-Msg-Id <id>@<expected seq> (race-safe where the condition is not;
//   docs/durability.md, "Racing writers"); an unconditional append's dedup
//   id is its Nats-Msg-Id.
// - An append is acknowledged once JetStream's PubAck says the stream (a
//   quorum of its replicas) stored it. A message with a dedup id that is
//   not answered within half a second is published again, the same
//   message, until a copy is answered or `request_timeout` passes:
//   JetStream stores one copy at most and answers any later one as that
//   one, so a PubAck lost with a killed leader (or a message an election
//   dropped) holds the batch only until the stream has a leader again
//   (docs/durability.md, "Copies of a message").
// - The log's identity (id and epochs) is in the stream's description,
//   written when the stream is created. A second stream, <stream>_HEAD,
//   holds the head mark: the highest seq the log reached, moved up by every
//   replica. A stream found behind its mark was restored from a backup, and
//   the first replica to open it appends a new epoch to the description
//   (docs/durability.md, "Log identity").
// - The log creates the stream when it is missing and stops with
//   FAILED_PRECONDITION (Readiness, WaitUntilReady) when an existing
//   stream's configuration disagrees with `options`: it never changes a
//   stream silently.
//
// Availability. A background thread connects, retrying for as long as the
// cluster is unreachable, and then checks every second that a server takes
// the stream's messages and asks the stream for its state. Readiness() is
// OK once the stream is checked and while the client is connected and the
// stream's leader answers; otherwise Append and Read
// fail at once with UNAVAILABLE saying why (while not connected) or after
// at most `request_timeout` (while connected to servers that cannot form a
// quorum). Every wait on the cluster is bounded by `request_timeout`.
//
// Thread-safety: safe for concurrent use (see BulletinLog). Appends are
// serialized by the log.

#ifndef BULLETIN_INGEST_SERVICE_LOG_JETSTREAM_LOG_H_
#define BULLETIN_INGEST_SERVICE_LOG_JETSTREAM_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/metrics/log_metrics.h"
#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

class JetStreamLog : public BulletinLog {
 public:
  struct Options {
    // nats://host:port URLs of the cluster's servers (any subset will do:
    // the client learns the rest).
    std::vector<std::string> servers;
    // Stream name; also the first token of its subjects.
    std::string stream = "BULLETINS";
    // Copies of every message the stream keeps (1, 3 or 5).
    int replicas = 3;
    // JetStream's duplicate window: how long a dedup id is remembered.
    absl::Duration dedup_window = absl::Minutes(2);
    // How long to wait for a PubAck or a JetStream API reply.
    absl::Duration request_timeout = absl::Seconds(5);
    // How long Open waits for the log to be ready before giving up.
    absl::Duration connect_timeout = absl::Seconds(30);
    // TLS: CA bundle to verify servers; client certificate and key.
    std::string tls_ca_file;
    std::string tls_cert_file;
    std::string tls_key_file;
    // A NATS credentials file (JWT and NKey seed), as `nsc` writes them.
    std::string credentials_file;
    // A client name the servers show in their monitoring.
    std::string client_name = "bulletin-ingest";
    // Where the time from publishing a batch to its last PubAck is
    // recorded (ObserveSync); not owned, may be null.
    LogMetrics* metrics = nullptr;
    // How often the log looks for superseded records that their writer did
    // not erase, and erases them (at start too). Bounds how long a
    // retracted text stays in the stream after a writer's crash
    // (docs/durability.md, "Takedown").
    absl::Duration scrub_interval = absl::Minutes(10);
  };

  // Starts connecting in the background and returns at once;
  // INVALID_ARGUMENT when `options` cannot make a client.
  static absl::StatusOr<std::unique_ptr<JetStreamLog>> Start(Options options);

  // Start, then WaitUntilReady for `connect_timeout`: the ready log, or why
  // it is not ready by then.
  static absl::StatusOr<std::unique_ptr<JetStreamLog>> Open(Options options);

  ~JetStreamLog() override;

  absl::StatusOr<std::vector<AppendOutcome>> Append(
      const std::vector<LogAppend>& entries) override;
  absl::StatusOr<std::vector<v1::LogRecord>> Read(
      uint64_t after_seq, size_t max_records) const override;
  uint64_t head_seq() const override;
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const override;
  LogIdentity identity() const override;
  std::vector<EpochStart> epochs() const override;
  absl::Status CheckPosition(const LogIdentity& seen,
                             uint64_t applied_seq) const override;
  bool writable() const override;
  void Close() override;
  bool closed() const override;

  absl::Status Readiness() const override;

  // Waits until the log is ready, it stops for good or `deadline` passes;
  // returns Readiness() then.
  absl::Status WaitUntilReady(absl::Time deadline) const;

 private:
  class Impl;
  explicit JetStreamLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_LOG_JETSTREAM_LOG_H_
