// The HTTP routes of gRPC services, read from the `google.api.http`
// annotations on their methods (proto/bulletin/v1/*.proto), so a route is
// declared once, beside the RPC it reaches.
//
//   absl::StatusOr<bulletin::HttpRoutes> routes =
//       bulletin::HttpRoutes::ForServices({"bulletin.v1.QueryService"});
//   std::optional<bulletin::HttpRoutes::Match> match =
//       routes->Find("GET", "/v1/bulletins/abc");
//   // match->route->full_method == "/bulletin.v1.QueryService/Get"
//   // match->bindings == {{"id", "abc"}}
//
// Supported templates: literal segments, single-segment variables naming a
// field (`{id}`, `{filters.series}`), and a trailing `:verb`; `body` is "*"
// or absent. Anything else (`**`, `{x=a/*}`, `body: "field"`,
// additional_bindings) is refused when the table is built, so a route that
// would not be served fails at start, not at the first request.
//
// Thread-safety: immutable after construction; Find may be called from any
// thread.

#ifndef BULLETIN_COMMON_HTTP_HTTP_ROUTES_H_
#define BULLETIN_COMMON_HTTP_HTTP_ROUTES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace bulletin {

struct HttpRoute {
  // "GET", "POST", "PUT", "PATCH" or "DELETE".
  std::string http_method;
  // The template as annotated, e.g. "/v1/bulletins/{id}".
  std::string path_template;
  // The gRPC method it reaches, "/package.Service/Method".
  std::string full_method;
  const google::protobuf::MethodDescriptor* method = nullptr;
  // True when the request message is the JSON body (body: "*"); otherwise
  // fields come from the query string.
  bool body_is_request = false;

  // Template segments; a variable segment holds its field path and
  // `is_variable`.
  struct Segment {
    std::string text;
    bool is_variable = false;
  };
  std::vector<Segment> segments;
  // The custom verb after ':' in the last segment, e.g. "search"; empty if
  // none.
  std::string verb;
};

class HttpRoutes {
 public:
  struct Match {
    const HttpRoute* route = nullptr;
    // Field path and the path segment it was bound to.
    std::vector<std::pair<std::string, std::string>> bindings;
  };

  // The routes of every annotated method of `service_names` (full names, in
  // the generated descriptor pool). INVALID_ARGUMENT for an unknown service
  // or an unsupported template; methods without annotation get no route.
  static absl::StatusOr<HttpRoutes> ForServices(
      const std::vector<std::string>& service_names);

  // The route for a request, or nullopt. `path` is the decoded path, without
  // the query string.
  std::optional<Match> Find(absl::string_view http_method,
                            absl::string_view path) const;

  // The HTTP methods any route of `path` answers (for 405 and CORS
  // preflight), e.g. {"GET", "POST"}.
  std::vector<std::string> MethodsFor(absl::string_view path) const;

  const std::vector<HttpRoute>& routes() const { return routes_; }

 private:
  std::vector<HttpRoute> routes_;
};

// Parses one annotated template into `route` (segments and verb).
absl::Status ParsePathTemplate(absl::string_view path_template,
                               HttpRoute* route);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_HTTP_ROUTES_H_
