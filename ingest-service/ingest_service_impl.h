// The IngestService RPCs (see proto/bulletin/v1/ingest.proto): validate,
// parse with ParseSubmission, derive the id, and hand the record to the
// GroupCommitter, answering only once it is durable.
//
//   bulletin::IngestServiceImpl service(committer.get(), {});
//   builder.RegisterService(&service);
//
// Ownership: does not own the committer, which must outlive it.
// Thread-safety: the RPC methods are called concurrently by gRPC.

#ifndef BULLETIN_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
#define BULLETIN_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_

#include <cstddef>

#include "bulletin/v1/ingest.grpc.pb.h"
#include "ingest-service/commit/group_committer.h"
#include "ingest-service/parser/parse_submission.h"

namespace bulletin {

class IngestServiceImpl final : public v1::IngestService::Service {
 public:
  struct Options {
    // Largest submission accepted, in bytes.
    size_t max_bulletin_bytes = 4 << 20;
  };

  IngestServiceImpl(GroupCommitter* committer, Options options);

  grpc::Status Submit(grpc::ServerContext* context,
                      const v1::SubmitRequest* request,
                      v1::SubmitResponse* response) override;
  grpc::Status Parse(grpc::ServerContext* context,
                     const v1::ParseRequest* request,
                     v1::ParseResponse* response) override;
  grpc::Status Retract(grpc::ServerContext* context,
                       const v1::RetractRequest* request,
                       v1::RetractResponse* response) override;

 private:
  absl::StatusOr<ParsedSubmission> ParseContent(const std::string& content,
                                                const std::string& date) const;

  GroupCommitter* const committer_;
  const Options options_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
