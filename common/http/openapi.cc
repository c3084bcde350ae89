#include "common/http/openapi.h"

#include <cctype>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/status.pb.h"

namespace bulletin {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// A JSON value whose objects keep their members in the order they were
// added, so the document comes out the same every time.
struct Json {
  enum Kind { kObject, kArray, kString, kLiteral };
  Kind kind = kObject;
  std::string text;  // kString, kLiteral (true, numbers)
  std::vector<std::pair<std::string, Json>> members;
  std::vector<Json> items;

  static Json String(std::string value) {
    Json json;
    json.kind = kString;
    json.text = std::move(value);
    return json;
  }
  static Json Literal(std::string value) {
    Json json;
    json.kind = kLiteral;
    json.text = std::move(value);
    return json;
  }
  static Json Array() {
    Json json;
    json.kind = kArray;
    return json;
  }
  Json& Set(const std::string& key, Json value) {
    for (auto& [name, existing] : members) {
      if (name == key) return existing = std::move(value);
    }
    members.emplace_back(key, std::move(value));
    return members.back().second;
  }
  Json& Get(const std::string& key) {
    for (auto& [name, existing] : members) {
      if (name == key) return existing;
    }
    return Set(key, Json());
  }
};

std::string Quote(const std::string& text) {
  return absl::StrCat(
      "\"",
      absl::StrReplaceAll(text,
                          {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}}),
      "\"");
}

void Print(const Json& json, int indent, std::string* out) {
  const std::string inner(indent + 2, ' ');
  switch (json.kind) {
    case Json::kString:
      absl::StrAppend(out, Quote(json.text));
      return;
    case Json::kLiteral:
      absl::StrAppend(out, json.text);
      return;
    case Json::kArray:
      if (json.items.empty()) {
        absl::StrAppend(out, "[]");
        return;
      }
      absl::StrAppend(out, "[\n");
      for (size_t i = 0; i < json.items.size(); ++i) {
        absl::StrAppend(out, inner);
        Print(json.items[i], indent + 2, out);
        absl::StrAppend(out, i + 1 < json.items.size() ? ",\n" : "\n");
      }
      absl::StrAppend(out, std::string(indent, ' '), "]");
      return;
    case Json::kObject:
      if (json.members.empty()) {
        absl::StrAppend(out, "{}");
        return;
      }
      absl::StrAppend(out, "{\n");
      for (size_t i = 0; i < json.members.size(); ++i) {
        absl::StrAppend(out, inner, Quote(json.members[i].first), ": ");
        Print(json.members[i].second, indent + 2, out);
        absl::StrAppend(out, i + 1 < json.members.size() ? ",\n" : "\n");
      }
      absl::StrAppend(out, std::string(indent, ' '), "}");
      return;
  }
}

Json Ref(const Descriptor* message) {
  Json json;
  json.Set("$ref", Json::String(absl::StrCat("#/components/schemas/",
                                             message->full_name())));
  return json;
}

Json TypeSchema(const std::string& type, const std::string& format = "") {
  Json json;
  json.Set("type", Json::String(type));
  if (!format.empty()) json.Set("format", Json::String(format));
  return json;
}

// The schema of one value of `field` (not its repetition); collects the
// messages it refers to in `pending`.
Json ValueSchema(const FieldDescriptor* field,
                 std::vector<const Descriptor*>* pending) {
  switch (field->type()) {
    case FieldDescriptor::TYPE_STRING:
      return TypeSchema("string");
    case FieldDescriptor::TYPE_BYTES:
      return TypeSchema("string", "byte");
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      return TypeSchema("integer", "int32");
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      return TypeSchema("integer", "uint32");
    // proto3 JSON writes 64-bit integers as strings (and reads either).
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
      return TypeSchema("string", "int64");
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      return TypeSchema("string", "uint64");
    case FieldDescriptor::TYPE_DOUBLE:
      return TypeSchema("number", "double");
    case FieldDescriptor::TYPE_FLOAT:
      return TypeSchema("number", "float");
    case FieldDescriptor::TYPE_BOOL:
      return TypeSchema("boolean");
    case FieldDescriptor::TYPE_ENUM: {
      Json json = TypeSchema("string");
      Json values = Json::Array();
      for (int i = 0; i < field->enum_type()->value_count(); ++i) {
        values.items.push_back(
            Json::String(field->enum_type()->value(i)->name()));
      }
      json.Set("enum", std::move(values));
      return json;
    }
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP:
      pending->push_back(field->message_type());
      return Ref(field->message_type());
  }
  return Json();
}

Json FieldSchema(const FieldDescriptor* field,
                 std::vector<const Descriptor*>* pending) {
  if (field->is_map()) {
    Json json = TypeSchema("object");
    json.Set("additionalProperties",
             ValueSchema(field->message_type()->map_value(), pending));
    return json;
  }
  if (!field->is_repeated()) return ValueSchema(field, pending);
  Json json = TypeSchema("array");
  json.Set("items", ValueSchema(field, pending));
  return json;
}

Json MessageSchema(const Descriptor* message,
                   std::vector<const Descriptor*>* pending) {
  if (message->full_name() == "google.protobuf.Any") {
    Json json = TypeSchema("object");
    json.Get("properties").Set("@type", TypeSchema("string"));
    json.Set("additionalProperties", Json::Literal("true"));
    return json;
  }
  Json json = TypeSchema("object");
  Json& properties = json.Get("properties");
  for (int i = 0; i < message->field_count(); ++i) {
    properties.Set(message->field(i)->name(),
                   FieldSchema(message->field(i), pending));
  }
  return json;
}

// Query parameters for the scalar fields of `message` (through singular
// messages, as dotted paths), leaving out those bound in the path.
void AddQueryParameters(const Descriptor* message, const std::string& prefix,
                        const std::set<std::string>& bound,
                        std::vector<const Descriptor*>* pending,
                        Json* parameters) {
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    const std::string path = absl::StrCat(prefix, field->name());
    if (bound.count(path) > 0) continue;
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (!field->is_repeated()) {
        AddQueryParameters(field->message_type(), path + ".", bound, pending,
                           parameters);
      }
      continue;
    }
    Json parameter;
    parameter.Set("name", Json::String(path));
    parameter.Set("in", Json::String("query"));
    parameter.Set("schema", FieldSchema(field, pending));
    if (field->is_repeated()) {
      parameter.Set("explode", Json::Literal("true"));
    }
    parameters->items.push_back(std::move(parameter));
  }
}

Json ContentOf(const std::string& media_type, const Descriptor* message) {
  Json content;
  content.Get(media_type).Set("schema", Ref(message));
  return content;
}

}  // namespace

std::string OpenApiJson(const HttpRoutes& routes, const std::string& title) {
  std::vector<const Descriptor*> pending;
  Json document;
  document.Set("openapi", Json::String("3.0.3"));
  Json& info = document.Get("info");
  info.Set("title", Json::String(title));
  info.Set("version", Json::String("v1"));
  info.Set("description",
           Json::String("Generated from the google.api.http annotations in "
                        "proto/bulletin/v1 by common/http/openapi.cc; see "
                        "docs/api.md. Bodies are the proto3 JSON mapping "
                        "with the proto field names. Methods that need "
                        "credentials take Authorization: Bearer TOKEN."));
  Json& paths = document.Get("paths");
  for (const HttpRoute& route : routes.routes()) {
    Json operation;
    operation.Set("operationId",
                  Json::String(absl::StrCat(route.method->service()->name(),
                                            "_", route.method->name())));
    Json parameters = Json::Array();
    std::set<std::string> bound;
    for (const HttpRoute::Segment& segment : route.segments) {
      if (!segment.is_variable) continue;
      bound.insert(segment.text);
      Json parameter;
      parameter.Set("name", Json::String(segment.text));
      parameter.Set("in", Json::String("path"));
      parameter.Set("required", Json::Literal("true"));
      parameter.Set("schema", TypeSchema("string"));
      parameters.items.push_back(std::move(parameter));
    }
    if (!route.body_is_request) {
      AddQueryParameters(route.method->input_type(), "", bound, &pending,
                         &parameters);
    }
    if (!parameters.items.empty()) {
      operation.Set("parameters", std::move(parameters));
    }
    if (route.body_is_request) {
      pending.push_back(route.method->input_type());
      Json& body = operation.Get("requestBody");
      body.Set("required", Json::Literal("true"));
      body.Set("content",
               ContentOf("application/json", route.method->input_type()));
    }
    pending.push_back(route.method->output_type());
    Json& responses = operation.Get("responses");
    Json& ok = responses.Get("200");
    ok.Set("description",
           Json::String(route.method->server_streaming()
                            ? "Server-sent events: one data line per message, "
                              "then an event named status holding the final "
                              "google.rpc.Status"
                            : "OK"));
    ok.Set("content",
           ContentOf(route.method->server_streaming() ? "text/event-stream"
                                                      : "application/json",
                     route.method->output_type()));
    const Descriptor* status = google::rpc::Status::descriptor();
    pending.push_back(status);
    Json& error = responses.Get("default");
    error.Set("description",
              Json::String("An error: google.rpc.Status, with the HTTP "
                           "status AIP-193 gives its code"));
    error.Set("content", ContentOf("application/json", status));
    std::string lower = route.http_method;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    paths.Get(route.path_template).Set(lower, std::move(operation));
  }
  // Every message reachable from the routes, by full name.
  std::map<std::string, Json> schemas;
  while (!pending.empty()) {
    const Descriptor* message = pending.back();
    pending.pop_back();
    if (schemas.count(message->full_name()) > 0) continue;
    schemas[message->full_name()] = Json();
    schemas[message->full_name()] = MessageSchema(message, &pending);
  }
  Json& components = document.Get("components").Get("schemas");
  for (auto& [name, schema] : schemas) components.Set(name, std::move(schema));
  Json& security = document.Get("components").Get("securitySchemes");
  Json& bearer = security.Get("bearer");
  bearer.Set("type", Json::String("http"));
  bearer.Set("scheme", Json::String("bearer"));

  std::string out;
  Print(document, 0, &out);
  out.push_back('\n');
  return out;
}

}  // namespace bulletin
