// Channels to Bulletin's services with the service config every client
// should use, and an ingest client whose writes are retried only when a
// retry cannot apply them twice. Installed with the generated stubs as
// the CMake package `bulletin` (docs/clients.md):
//
//   find_package(bulletin CONFIG REQUIRED)
//   target_link_libraries(app PRIVATE bulletin::client)
//
//   #include "bulletin/client.h"
//   #include "bulletin/v1/query.grpc.pb.h"
//
//   std::shared_ptr<grpc::Channel> channel =
//       bulletin::CreateChannel("dns:///query.example:50052");
//   auto query = bulletin::v1::QueryService::NewStub(channel);
//   ...  // Get, BatchGet, Search and Stats are retried on UNAVAILABLE.
//
//   bulletin::IngestClient ingest("127.0.0.1:50051");
//   bulletin::v1::SubmitRequest request;
//   request.set_content(text);
//   request.set_request_id(NewRequestIdForThisChange());  // makes it retried
//   bulletin::v1::SubmitResponse response;
//   grpc::ClientContext context;
//   grpc::Status status = ingest.Submit(&context, request, &response);
//
// The service config (DefaultServiceConfig):
// - round_robin over every address the target resolves to, so that a
//   dns:/// name of several replicas spreads calls across them (gRPC's
//   default, pick_first, sends everything to one);
// - up to 4 attempts with exponential backoff (0.1 s to 2 s) when a call
//   fails with UNAVAILABLE, for the calls that are safe to repeat:
//   * Get, BatchGet, Search, Stats and Parse read or compute and change
//     nothing;
//   * Submit and Retract only when they carry a request_id: the server
//     answers a repeated request_id with the first outcome and never
//     applies it again (docs/api.md, "Writes"). Without one, an attempt
//     that failed with UNAVAILABLE after ingest appended it (the
//     connection dropped before the answer came back) would, retried,
//     be applied again: after another client's newer version, it would
//     silently undo that correction. IngestClient sends each write down a
//     channel with or without write retries accordingly.
// - Watch and Feed.Subscribe are not retried by gRPC: they are streams
//   that resume from a position only the caller knows.
// gRPC retries an attempt only until the server's answer starts, so no
// call is retried after it succeeded.
//
// Thread-safety: channels and IngestClient are thread-safe, as gRPC's
// channels and stubs are.

#ifndef BULLETIN_CLIENT_H_
#define BULLETIN_CLIENT_H_

#include <memory>
#include <string>

#include "bulletin/v1/ingest.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace bulletin {

// Which calls the service config lets gRPC retry on UNAVAILABLE.
enum class RetryWrites {
  // Get, BatchGet, Search, Stats and Parse only.
  kNo,
  // Submit and Retract too: only for a channel whose writes all carry a
  // request_id.
  kYes,
};

// The service config JSON that CreateChannel applies.
std::string DefaultServiceConfig(RetryWrites retry_writes = RetryWrites::kNo);

// A channel to `target` (host:port, dns:///name:port, ...) with
// DefaultServiceConfig(retry_writes).
std::shared_ptr<grpc::Channel> CreateChannel(
    const std::string& target,
    std::shared_ptr<grpc::ChannelCredentials> credentials =
        grpc::InsecureChannelCredentials(),
    RetryWrites retry_writes = RetryWrites::kNo);

// IngestService's calls, each on a channel that retries it only when that
// is safe: Submit and Retract are retried when the request has a
// request_id, Parse always.
class IngestClient {
 public:
  explicit IngestClient(const std::string& target,
                        std::shared_ptr<grpc::ChannelCredentials> credentials =
                            grpc::InsecureChannelCredentials());

  grpc::Status Submit(grpc::ClientContext* context,
                      const v1::SubmitRequest& request,
                      v1::SubmitResponse* response);
  grpc::Status Retract(grpc::ClientContext* context,
                       const v1::RetractRequest& request,
                       v1::RetractResponse* response);
  grpc::Status Parse(grpc::ClientContext* context,
                     const v1::ParseRequest& request,
                     v1::ParseResponse* response);

 private:
  // For writes with a request_id, and for Parse.
  std::unique_ptr<v1::IngestService::Stub> retrying_;
  // For writes without one.
  std::unique_ptr<v1::IngestService::Stub> not_retrying_;
};

}  // namespace bulletin

#endif  // BULLETIN_CLIENT_H_
