// The search page for editors, served by query-service beside its HTTP/JSON
// API (--http_listen): GET / and /static/<file>, the files under
// query-service/web/static/ compiled into the binary, so the page loads
// nothing from anywhere else (its Content-Security-Policy says so too). The
// page is a client of the API on the same origin: /v1/bulletins:search,
// /v1/bulletins/{id} and /v1/bulletins:watch (docs/api.md).
//
//   bulletin::HttpGateway::Start(options, channel, bulletin::AddSearchPage);
//
// Thread-safety: the handlers read constant data only.

#ifndef BULLETIN_QUERY_SERVICE_WEB_SEARCH_PAGE_H_
#define BULLETIN_QUERY_SERVICE_WEB_SEARCH_PAGE_H_

#include <optional>
#include <string_view>

namespace httplib {
class Server;
}  // namespace httplib

namespace bulletin {

// Registers the page's routes on `server`.
void AddSearchPage(httplib::Server& server);

// The contents of one of the page's files by name ("index.html", "app.js",
// ...); nullopt when there is none. Defined by the generated
// web_static_files.cc (cmake/embed_files.cmake).
std::optional<std::string_view> SearchPageFile(std::string_view name);

}  // namespace bulletin

#endif  // BULLETIN_QUERY_SERVICE_WEB_SEARCH_PAGE_H_
