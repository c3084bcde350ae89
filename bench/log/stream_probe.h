// Asks a NATS JetStream cluster about the stream holding ingest's log, the
// way an operator would with the JetStream API: who leads it, whether every
// replica is current, how many messages it has, and the last message of a
// bulletin's subject. The write-outage bench finds the leader to kill with
// it and checks afterwards what the stream kept.
//
//   absl::StatusOr<std::unique_ptr<bulletin::bench::StreamProbe>> probe =
//       bulletin::bench::StreamProbe::Connect(cluster.urls(), "BULLETINS");
//   absl::StatusOr<bulletin::bench::StreamState> state = (*probe)->State();
//   state->leader;   // "n1": kill that server
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_BENCH_LOG_STREAM_PROBE_H_
#define BULLETIN_BENCH_LOG_STREAM_PROBE_H_

#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bulletin/v1/log.pb.h"

namespace bulletin::bench {

struct StreamState {
  // Server name of the stream's leader; empty while there is none.
  std::string leader;
  // Every replica but the leader has everything the leader has, and none
  // is offline.
  bool all_current = false;
  uint64_t messages = 0;
  uint64_t last_seq = 0;
};

// The last record on one bulletin's subject, with its stream sequence.
struct StoredRecord {
  uint64_t seq = 0;
  v1::LogRecord record;
};

class StreamProbe {
 public:
  // Connects to the cluster at `urls` (reconnecting for ever when a server
  // goes); every request waits at most `request_timeout`.
  static absl::StatusOr<std::unique_ptr<StreamProbe>> Connect(
      const std::vector<std::string>& urls, std::string stream,
      absl::Duration request_timeout = absl::Milliseconds(500));
  ~StreamProbe();
  StreamProbe(const StreamProbe&) = delete;
  StreamProbe& operator=(const StreamProbe&) = delete;

  // The stream's state, from its leader.
  absl::StatusOr<StreamState> State();
  // Retries State until `done` holds for it or `timeout` passes
  // (DEADLINE_EXCEEDED, with the last state or error).
  absl::StatusOr<StreamState> WaitFor(
      absl::FunctionRef<bool(const StreamState&)> done, absl::Duration timeout);
  // The last record of bulletin `id` (subject <stream>.b.<id>); NOT_FOUND
  // when the stream has none.
  absl::StatusOr<StoredRecord> LastRecordOf(const std::string& id);

 private:
  StreamProbe(std::string stream, absl::Duration request_timeout)
      : stream_(std::move(stream)), request_timeout_(request_timeout) {}

  const std::string stream_;
  const absl::Duration request_timeout_;
  natsOptions* options_ = nullptr;
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace bulletin::bench

#endif  // BULLETIN_BENCH_LOG_STREAM_PROBE_H_
