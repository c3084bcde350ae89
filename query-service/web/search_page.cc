#include "query-service/web/search_page.h"

#include <string>

#include "absl/strings/match.h"
#include "httplib.h"

namespace bulletin {
namespace {

// Everything from this origin, nothing inline: the page has no inline
// script or style, so an injected one would not run.
constexpr char kPolicy[] =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'";

std::string ContentType(std::string_view file) {
  // Debian's Abseil has a string_view of its own.
  const absl::string_view name(file.data(), file.size());
  if (absl::EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(name, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

void Serve(std::string_view name, httplib::Response& response) {
  std::optional<std::string_view> contents = SearchPageFile(name);
  if (!contents.has_value()) {
    response.status = 404;
    response.set_content("not found\n", "text/plain; charset=utf-8");
    return;
  }
  response.set_header("Content-Security-Policy", kPolicy);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Cache-Control", "no-cache");
  response.set_content(contents->data(), contents->size(), ContentType(name));
}

}  // namespace

void AddSearchPage(httplib::Server& server) {
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    Serve("index.html", response);
  });
  server.Get(R"(/static/([a-z0-9_\-]+\.[a-z]+))",
             [](const httplib::Request& request, httplib::Response& response) {
               Serve(request.matches[1].str(), response);
             });
}

}  // namespace bulletin
