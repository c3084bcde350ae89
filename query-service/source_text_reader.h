// Reads bulletins' source text from the ingest log (Feed.ReadRecords,
// proto/bulletin/v1/feed.proto). A query replica does not keep source text
// (index/store/stored_record.h): a read whose read_mask asks for it gets it
// from here, in one call for all the bulletins of its response.
//
//   bulletin::SourceTextReader::Options options;
//   options.ingest_address = "127.0.0.1:50051";
//   bulletin::SourceTextReader reader(options);
//   std::vector<v1::Bulletin*> bulletins = ...;  // id, seq, version set
//   absl::StatusOr<bulletin::SourceTextReader::Outcome> read =
//       reader.Fill(bulletins, index.log_identity().log_id, deadline);
//   if (read.ok() && read->missing_ids.empty()) ...  // every text is set
//
// A record at a seq never changes, so the record at a bulletin's seq holds
// that version's text; it is taken only when its bulletin id and version
// are the bulletin's, in the log the replica applied (`log_id`). A bulletin
// whose record the log no longer holds (a later version or a retraction
// replaced it, which this replica has not applied yet) keeps no text and is
// named in the outcome, with the log's head: what the replica must apply
// before it reads the bulletin again.
//
// Ownership: owns its channel to ingest (the Feed's target and
// credentials, a channel of its own). Thread-safety: Fill may be called
// from any number of threads at once.

#ifndef BULLETIN_QUERY_SERVICE_SOURCE_TEXT_READER_H_
#define BULLETIN_QUERY_SERVICE_SOURCE_TEXT_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "bulletin/v1/bulletin.pb.h"
#include "bulletin/v1/feed.grpc.pb.h"
#include "common/server/reloading_client_credentials.h"
#include "common/sync/mutex.h"

namespace bulletin {

class SourceTextReader {
 public:
  struct Options {
    // Where ingest is, as FeedFollower::Options::ingest_address (the same
    // flag): a source read may go to any ingest replica of the log.
    std::string ingest_address;
    // As FeedFollower::Options::credentials: ReadRecords needs what
    // Subscribe needs. Insecure when null.
    std::shared_ptr<ReloadingClientCredentials> credentials;
    // The longest a Fill waits for ingest, whatever the caller's deadline.
    absl::Duration timeout = absl::Seconds(5);
    // Reconnect backoff cap of the channel: how long after ingest is back
    // source reads may still fail.
    absl::Duration max_backoff = absl::Seconds(1);
  };

  struct Outcome {
    // The bulletins whose record the log no longer holds (their
    // source_text left empty), by id.
    std::vector<std::string> missing_ids;
    // Their seqs, in the same order.
    std::vector<uint64_t> missing_seqs;
    // The log's head when ingest read the records.
    uint64_t head_seq = 0;
  };

  explicit SourceTextReader(Options options);

  // Sets source_text of each of `bulletins` (id, seq and version set) to
  // its version's, read from the ingest log in one call, by `deadline` at
  // the latest (and Options::timeout). `log_id` is the log the replica
  // applied them from; empty: any.
  //
  // UNAVAILABLE (LOG_UNAVAILABLE, with RetryInfo), saying where ingest was
  // looked for and what to do, when ingest is out of reach, cannot read
  // its log, answers nothing in time or serves another log than `log_id`;
  // RESOURCE_EXHAUSTED (TOO_LARGE) when the records are more than ingest
  // sends at once. Either way no source_text was set.
  absl::StatusOr<Outcome> Fill(absl::Span<v1::Bulletin* const> bulletins,
                               absl::string_view log_id,
                               absl::Time deadline) const;

 private:
  // The stub for the current credentials: made again once they changed
  // (a renewed certificate, a rotated token), as the Feed's is.
  std::shared_ptr<v1::Feed::Stub> Stub() const;

  const Options options_;
  mutable Mutex mutex_;
  mutable std::shared_ptr<grpc::ChannelCredentials> credentials_
      ABSL_GUARDED_BY(mutex_);
  mutable std::shared_ptr<v1::Feed::Stub> stub_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_SOURCE_TEXT_READER_H_
