#include "tests/fault/query_client.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "common/server/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace bulletin::testing {

QueryClient::QueryClient(const std::string& address)
    : stub_(v1::QueryService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()))) {}

absl::StatusOr<int64_t> QueryClient::Count(const std::string& term,
                                           uint64_t min_seq) {
  v1::SearchRequest request;
  request.set_query(term);
  request.set_limit(1);
  request.set_min_seq(min_seq);
  request.set_exact_total_hits(true);
  v1::SearchResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  context.set_wait_for_ready(true);
  grpc::Status status = stub_->Search(&context, request, &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  return response.total_hits();
}

absl::Status QueryClient::AllPresent(const std::vector<std::string>& ids) {
  constexpr size_t kPerCall = 100;  // BatchGetRequest.ids' bound.
  for (size_t first = 0; first < ids.size(); first += kPerCall) {
    v1::BatchGetRequest request;
    for (size_t i = first; i < std::min(ids.size(), first + kPerCall); ++i) {
      request.add_ids(ids[i]);
    }
    v1::BatchGetResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    grpc::Status status = stub_->BatchGet(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Bulletin> QueryClient::Get(const std::string& id) {
  v1::GetRequest request;
  request.set_id(id);
  v1::GetResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  grpc::Status status = stub_->Get(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.bulletin();
}

absl::StatusOr<v1::StatsResponse> QueryClient::Stats() {
  v1::StatsResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  grpc::Status status = stub_->Stats(&context, v1::StatsRequest(), &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  return response;
}

}  // namespace bulletin::testing
