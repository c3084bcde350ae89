// bulletin_openapi: prints the OpenAPI description of the HTTP/JSON API
// of both services (common/http/openapi.h). docs/openapi.json is its output:
//
//   build/common/bulletin_openapi > docs/openapi.json

#include <iostream>

#include "bulletin/v1/ingest.grpc.pb.h"
#include "bulletin/v1/query.grpc.pb.h"
#include "common/http/http_routes.h"
#include "common/http/openapi.h"

int main() {
  // Touching a message of each file links its descriptors in.
  bulletin::v1::SubmitRequest::descriptor();
  bulletin::v1::SearchRequest::descriptor();
  absl::StatusOr<bulletin::HttpRoutes> routes =
      bulletin::HttpRoutes::ForServices(
          {bulletin::v1::IngestService::service_full_name(),
           bulletin::v1::QueryService::service_full_name()});
  if (!routes.ok()) {
    std::cerr << routes.status() << "\n";
    return 1;
  }
  std::cout << bulletin::OpenApiJson(*routes, "Bulletin HTTP/JSON API");
  return 0;
}
