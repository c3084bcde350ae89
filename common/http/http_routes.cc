#include "common/http/http_routes.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace bulletin {
namespace {

// A field path must name a singular scalar field, through singular messages.
absl::Status CheckFieldPath(const google::protobuf::Descriptor* message,
                            const std::string& path) {
  const google::protobuf::Descriptor* current = message;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const google::protobuf::FieldDescriptor* field =
        current == nullptr ? nullptr : current->FindFieldByName(parts[i]);
    if (field == nullptr || field->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("route variable '", path,
                       "' names no singular field of ", message->full_name()));
    }
    current = field->message_type();
    if (i + 1 == parts.size() && current != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "route variable '", path, "' names a message, not a scalar"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParsePathTemplate(absl::string_view path_template,
                               HttpRoute* route) {
  if (!absl::StartsWith(path_template, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("route '", path_template, "' does not start with '/'"));
  }
  absl::string_view rest = path_template.substr(1);
  // The verb follows the last ':' outside braces.
  const size_t close = rest.rfind('}');
  const size_t colon = rest.rfind(':');
  if (colon != absl::string_view::npos &&
      (close == absl::string_view::npos || colon > close)) {
    route->verb = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  for (absl::string_view segment : absl::StrSplit(rest, '/')) {
    HttpRoute::Segment parsed;
    if (absl::StartsWith(segment, "{") && absl::EndsWith(segment, "}")) {
      parsed.text = std::string(segment.substr(1, segment.size() - 2));
      parsed.is_variable = true;
      if (parsed.text.empty() ||
          parsed.text.find_first_of("=*{}/") != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat(
            "route '", path_template,
            "': only single-segment variables like {id} are supported"));
      }
    } else {
      if (segment.empty() ||
          segment.find_first_of("{}*") != absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("route '", path_template,
                         "': empty segment or unsupported wildcard"));
      }
      parsed.text = std::string(segment);
    }
    route->segments.push_back(std::move(parsed));
  }
  return absl::OkStatus();
}

absl::StatusOr<HttpRoutes> HttpRoutes::ForServices(
    const std::vector<std::string>& service_names) {
  HttpRoutes table;
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : service_names) {
    const google::protobuf::ServiceDescriptor* service =
        pool->FindServiceByName(name);
    if (service == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("no service named ", name, " is linked in"));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (!method->options().HasExtension(google::api::http)) continue;
      const google::api::HttpRule& rule =
          method->options().GetExtension(google::api::http);
      if (rule.additional_bindings_size() > 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            method->full_name(), ": additional_bindings are not supported"));
      }
      HttpRoute route;
      route.method = method;
      route.full_method =
          absl::StrCat("/", service->full_name(), "/", method->name());
      std::string path;
      switch (rule.pattern_case()) {
        case google::api::HttpRule::kGet:
          route.http_method = "GET";
          path = rule.get();
          break;
        case google::api::HttpRule::kPost:
          route.http_method = "POST";
          path = rule.post();
          break;
        case google::api::HttpRule::kPut:
          route.http_method = "PUT";
          path = rule.put();
          break;
        case google::api::HttpRule::kPatch:
          route.http_method = "PATCH";
          path = rule.patch();
          break;
        case google::api::HttpRule::kDelete:
          route.http_method = "DELETE";
          path = rule.delete_();
          break;
        default:
          return absl::InvalidArgumentError(
              absl::StrCat(method->full_name(),
                           ": only get, post, put, patch and delete "
                           "routes are supported"));
      }
      if (rule.body() == "*") {
        route.body_is_request = true;
      } else if (!rule.body().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            method->full_name(), ": body must be \"*\" or absent"));
      }
      route.path_template = path;
      absl::Status parsed = ParsePathTemplate(path, &route);
      if (!parsed.ok()) return parsed;
      for (const HttpRoute::Segment& segment : route.segments) {
        if (!segment.is_variable) continue;
        absl::Status field = CheckFieldPath(method->input_type(), segment.text);
        if (!field.ok()) return field;
      }
      table.routes_.push_back(std::move(route));
    }
  }
  return table;
}

namespace {

// Bindings when `route`'s template matches `path`, else nullopt.
std::optional<std::vector<std::pair<std::string, std::string>>> MatchPath(
    const HttpRoute& route, absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "/")) return std::nullopt;
  if (!route.verb.empty()) {
    const std::string suffix = absl::StrCat(":", route.verb);
    if (!absl::ConsumeSuffix(&path, suffix)) return std::nullopt;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (parts.size() != route.segments.size()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> bindings;
  for (size_t i = 0; i < parts.size(); ++i) {
    const HttpRoute::Segment& segment = route.segments[i];
    if (segment.is_variable) {
      if (parts[i].empty()) return std::nullopt;
      bindings.emplace_back(segment.text, std::string(parts[i]));
    } else if (parts[i] != segment.text) {
      return std::nullopt;
    }
  }
  return bindings;
}

}  // namespace

std::optional<HttpRoutes::Match> HttpRoutes::Find(
    absl::string_view http_method, absl::string_view path) const {
  // A route with a verb is more specific than one whose variable would
  // swallow ":verb", so verbs are tried first.
  for (bool with_verb : {true, false}) {
    for (const HttpRoute& route : routes_) {
      if (route.verb.empty() == with_verb) continue;
      if (route.http_method != http_method) continue;
      auto bindings = MatchPath(route, path);
      if (bindings.has_value()) return Match{&route, *std::move(bindings)};
    }
  }
  return std::nullopt;
}

std::vector<std::string> HttpRoutes::MethodsFor(absl::string_view path) const {
  std::vector<std::string> methods;
  for (const HttpRoute& route : routes_) {
    if (!MatchPath(route, path).has_value()) continue;
    if (std::find(methods.begin(), methods.end(), route.http_method) ==
        methods.end()) {
      methods.push_back(route.http_method);
    }
  }
  return methods;
}

}  // namespace bulletin
