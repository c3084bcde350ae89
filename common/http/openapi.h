// An OpenAPI 3.0 description of HTTP routes, generated from the same
// annotations and message descriptors the gateway serves, so the document
// cannot drift from the API: docs/openapi.json is its output, and a test
// (tests/http/openapi_test.cc) fails when the two differ. The gateway also
// serves it at GET /openapi.json.
//
//   absl::StatusOr<bulletin::HttpRoutes> routes =
//       bulletin::HttpRoutes::ForServices({"bulletin.v1.QueryService"});
//   std::string json = bulletin::OpenApiJson(*routes, "Bulletin");
//
// Request and response bodies are the proto3 JSON mapping with the proto
// field names (64-bit integers as strings, enums by name, bytes in base64);
// a streaming method's response is text/event-stream of its message;
// errors are google.rpc.Status.
//
// Thread-safe: pure function.

#ifndef BULLETIN_COMMON_HTTP_OPENAPI_H_
#define BULLETIN_COMMON_HTTP_OPENAPI_H_

#include <string>

#include "common/http/http_routes.h"

namespace bulletin {

// The document, pretty-printed, ending with a newline.
std::string OpenApiJson(const HttpRoutes& routes, const std::string& title);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_OPENAPI_H_
