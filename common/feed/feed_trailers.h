// Trailing metadata of the Feed (proto/bulletin/v1/feed.proto), shared by
// its server (ingest-service) and its client (query-service's follower).
//
//   context->AddTrailingMetadata(bulletin::kLogHeadTrailer, "42");

#ifndef BULLETIN_COMMON_FEED_FEED_TRAILERS_H_
#define BULLETIN_COMMON_FEED_FEED_TRAILERS_H_

namespace bulletin {

// With FAILED_PRECONDITION (the replica's position is not in this log): the
// log's head seq, in decimal, so that the replica can tell an empty log.
inline constexpr char kLogHeadTrailer[] = "bulletin-log-head-seq";

}  // namespace bulletin

#endif  // BULLETIN_COMMON_FEED_FEED_TRAILERS_H_
