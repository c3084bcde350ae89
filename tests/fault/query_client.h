// A query-service client for fault tests: counts, gets and stats with
// deadlines, errors as absl::Status.
//
//   bulletin::testing::QueryClient query(pair.query_address());
//   absl::StatusOr<int64_t> hits = query.Count("快讯", /*min_seq=*/max_seq);
//   absl::StatusOr<bulletin::v1::Bulletin> bulletin = query.Get(id);
//
// Thread-safety: one thread per object.

#ifndef BULLETIN_TESTS_FAULT_QUERY_CLIENT_H_
#define BULLETIN_TESTS_FAULT_QUERY_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bulletin/v1/query.grpc.pb.h"

namespace bulletin::testing {

class QueryClient {
 public:
  explicit QueryClient(const std::string& address);

  // The exact number of bulletins matching `term` (exact_total_hits) once
  // the replica has applied `min_seq` (waiting for the replica to come up,
  // up to a minute).
  absl::StatusOr<int64_t> Count(const std::string& term, uint64_t min_seq);
  absl::StatusOr<v1::Bulletin> Get(const std::string& id);
  // OK when the replica holds every one of `ids`, live; NOT_FOUND naming
  // those it lacks otherwise. Asks BatchGet, a hundred ids a call.
  absl::Status AllPresent(const std::vector<std::string>& ids);
  absl::StatusOr<v1::StatsResponse> Stats();

 private:
  std::unique_ptr<v1::QueryService::Stub> stub_;
};

}  // namespace bulletin::testing

#endif  // BULLETIN_TESTS_FAULT_QUERY_CLIENT_H_
