// The IngestService RPCs (see proto/bulletin/v1/ingest.proto): validate,
// parse with ParseSubmission, derive the id, and hand the record to the
// GroupCommitter, answering only once it is durable.
//
//   bulletin::IngestServiceImpl service(committer.get(), {});
//   builder.RegisterService(&service);
//
// Ownership: does not own the committer or the admission control, which
// must outlive it.
// Thread-safety: the RPC methods are called concurrently by gRPC.

#ifndef BULLETIN_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
#define BULLETIN_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bulletin/v1/ingest.grpc.pb.h"
#include "common/server/admission.h"
#include "ingest-service/commit/group_committer.h"
#include "ingest-service/parser/parse_submission.h"

namespace bulletin {

class IngestServiceImpl final : public v1::IngestService::Service {
 public:
  struct Options {
    // Largest submission accepted, in bytes.
    size_t max_bulletin_bytes = 4 << 20;
    // Bounds Submit and Parse calls running at once and the bytes they
    // hold (not owned; must outlive the service); null: unbounded.
    Admission* admission = nullptr;
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
  // A place for a call holding `bytes`, or RESOURCE_EXHAUSTED.
  absl::StatusOr<std::optional<Admission::Ticket>> Admit(
      absl::string_view method, size_t bytes,
      const grpc::ServerContext& context) const;
  absl::StatusOr<ParsedSubmission> ParseContent(
      const std::string& content, const std::string& date,
      const std::string& content_type) const;

  GroupCommitter* const committer_;
  const Options options_;
};

}  // namespace bulletin

#endif  // BULLETIN_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
