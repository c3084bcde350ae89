// Which log a position in it belongs to: the identity ingest's log has
// (ingest-service/log/bulletin_log.h) and that the Feed carries to query
// replicas (proto/bulletin/v1/feed.proto), shared by both services.
//
//   bulletin::LogIdentity seen{"5f0c...", /*epoch=*/1765051200000000};
//
// The id is fixed when a log is created; the epoch changes whenever the
// log's history may have been rewritten (reopened after a restore from
// backup, for instance). A position is a seq under an identity.

#ifndef BULLETIN_COMMON_FEED_LOG_IDENTITY_H_
#define BULLETIN_COMMON_FEED_LOG_IDENTITY_H_

#include <cstdint>
#include <string>

namespace bulletin {

struct LogIdentity {
  std::string log_id;
  uint64_t epoch = 0;

  bool operator==(const LogIdentity& other) const {
    return log_id == other.log_id && epoch == other.epoch;
  }
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_FEED_LOG_IDENTITY_H_
