#include "common/http/http_gateway.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/http/field_path.h"
#include "common/http/http_call_bounds.h"
#include "common/http/http_caller.h"
#include "common/http/http_status.h"
#include "common/http/https_server.h"
#include "common/http/openapi.h"
#include "common/log/json_log.h"
#include "common/record/json.h"
#include "common/server/call_interceptor.h"
#include "google/protobuf/message.h"
#include "httplib.h"

namespace bulletin {
namespace {

// How often an open stream looks for Stop and for a vanished client.
constexpr absl::Duration kStreamPoll = absl::Milliseconds(250);
// How long a stream may stay silent before a comment line tests the client.
constexpr absl::Duration kStreamKeepAlive = absl::Seconds(10);

constexpr char kJson[] = "application/json";

void SendStatus(const grpc::Status& status, httplib::Response& response) {
  response.status = HttpStatusFor(status.error_code());
  response.set_content(StatusJson(status), kJson);
}

// google::protobuf::Message from the generated pool for `descriptor`.
std::unique_ptr<google::protobuf::Message> NewMessage(
    const google::protobuf::Descriptor* descriptor) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(descriptor)
          ->New());
}

// The status an error the HTTP library detected before any route (a body
// too large, an unparsable request) stands for.
grpc::Status LibraryErrorStatus(const httplib::Request& request,
                                int http_status, size_t max_request_bytes) {
  switch (http_status) {
    case 413:
      if (request.get_header_value("Content-Type") ==
          "application/x-www-form-urlencoded") {
        return grpc::Status(
            grpc::StatusCode::RESOURCE_EXHAUSTED,
            "a form body is limited to 8192 bytes: send the JSON body with "
            "Content-Type: application/json");
      }
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("the request body is over ",
                                       max_request_bytes, " bytes"));
    case 414:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "the request URI is too long");
    case 404:
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such route");
    default:
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          absl::StrCat("malformed HTTP request (HTTP ", http_status, ")"));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(
    HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel,
    ExtraRoutes extra_routes) {
  if (!options.access_rules.empty() && !options.tls.enabled()) {
    return absl::InvalidArgumentError(
        "access rules (bearer tokens) on HTTP need TLS: a token must not "
        "cross the network in the clear");
  }
  absl::StatusOr<HttpRoutes> routes = HttpRoutes::ForServices(options.services);
  if (!routes.ok()) return routes.status();

  std::unique_ptr<HttpGateway> gateway(new HttpGateway(
      std::move(options), *std::move(routes), std::move(channel)));
  const HttpGatewayOptions& opts = gateway->options_;
  std::unique_ptr<httplib::Server> server;
  if (opts.tls.enabled()) {
    // The gRPC port's certificate, reloaded as often as it is there.
    absl::StatusOr<std::unique_ptr<httplib::Server>> https =
        NewHttpsServer(opts.tls);
    if (!https.ok()) return https.status();
    server = *std::move(https);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  server->set_payload_max_length(opts.max_request_bytes);
  HttpGateway* self = gateway.get();
  server->set_error_handler(httplib::Server::HandlerWithResponse(
      [self](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        self->AllowOrigin(request, response);
        const int http_status = response.status;
        const grpc::Status status = LibraryErrorStatus(
            request, http_status, self->options_.max_request_bytes);
        // A request refused before any handler ran (a body over the limit,
        // refused by its Content-Length and read past, never held) counts
        // as a failed call of the method it was for, as every refusal does.
        std::optional<HttpRoutes::Match> match =
            self->routes_.Find(request.method, request.path);
        if (match.has_value()) {
          GrpcBridge::Origin origin;
          origin.request_id =
              AcceptOrMakeRequestId(request.get_header_value("X-Request-Id"));
          origin.caller = "anonymous";
          response.set_header("X-Request-Id", origin.request_id);
          self->Finished(match->route->full_method, status, origin,
                         absl::Now());
        }
        response.set_content(StatusJson(status), kJson);
        response.status = http_status;
        return httplib::Server::HandlerResponse::Handled;
      }));
  if (extra_routes) extra_routes(*server);
  server->Get("/openapi.json",
              [document = OpenApiJson(self->routes_, "Bulletin HTTP/JSON API")](
                  const httplib::Request&, httplib::Response& response) {
                response.set_content(document, kJson);
              });
  auto handle = [self](const httplib::Request& request,
                       httplib::Response& response) {
    self->Handle(request, response);
  };
  server->Get(".*", handle);
  server->Post(".*", handle);
  server->Put(".*", handle);
  server->Patch(".*", handle);
  server->Delete(".*", handle);
  server->Options(".*", [self](const httplib::Request& request,
                               httplib::Response& response) {
    self->HandlePreflight(request, response);
  });

  HttpListenerOptions listener_options;
  listener_options.address = opts.listen_address;
  listener_options.name = "HTTP";
  listener_options.max_connections = opts.threads;
  absl::StatusOr<std::unique_ptr<HttpListener>> listener =
      HttpListener::Start(std::move(server), listener_options);
  if (!listener.ok()) return listener.status();
  gateway->listener_ = *std::move(listener);
  return gateway;
}

HttpGateway::HttpGateway(HttpGatewayOptions options, HttpRoutes routes,
                         std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)),
      routes_(std::move(routes)),
      bridge_(std::move(channel)) {}

HttpGateway::~HttpGateway() { Stop(); }

void HttpGateway::Stop() {
  // Open streams end at their next poll, so the listener's threads come
  // free.
  stopping_.store(true);
  if (listener_ != nullptr) listener_->Stop();
}

void HttpGateway::AllowOrigin(const httplib::Request& request,
                              httplib::Response& response) const {
  const std::string origin = request.get_header_value("Origin");
  if (origin.empty()) return;
  const auto& allowed = options_.cors_allowed_origins;
  if (std::find(allowed.begin(), allowed.end(), "*") == allowed.end() &&
      std::find(allowed.begin(), allowed.end(), origin) == allowed.end()) {
    return;
  }
  response.set_header("Access-Control-Allow-Origin", origin);
  response.set_header("Vary", "Origin");
  // So that a page can log the request id its support ticket should name.
  response.set_header("Access-Control-Expose-Headers", "X-Request-Id");
}

void HttpGateway::HandlePreflight(const httplib::Request& request,
                                  httplib::Response& response) {
  std::vector<std::string> methods = routes_.MethodsFor(request.path);
  if (methods.empty()) {
    SendStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such route"),
               response);
    return;
  }
  methods.push_back("OPTIONS");
  response.status = 204;
  response.set_header("Allow", absl::StrJoin(methods, ", "));
  AllowOrigin(request, response);
  if (response.has_header("Access-Control-Allow-Origin")) {
    response.set_header("Access-Control-Allow-Methods",
                        absl::StrJoin(methods, ", "));
    // Every request header the gateway reads beyond the CORS-safelisted
    // ones: a page may send a token, JSON, its own deadline and request id,
    // and a Watch's resume position.
    response.set_header(
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, grpc-timeout, X-Request-Id, "
        "Last-Event-ID");
    response.set_header("Access-Control-Max-Age", "600");
  }
}

void HttpGateway::Finished(const std::string& full_method,
                           const grpc::Status& status,
                           const GrpcBridge::Origin& origin,
                           absl::Time start) const {
  const absl::Duration elapsed = absl::Now() - start;
  if (options_.rpc_metrics != nullptr) {
    options_.rpc_metrics->RecordCall(full_method, status.error_code(),
                                     absl::ToDoubleSeconds(elapsed));
  }
  LogFailedCall(full_method, status, origin.request_id, origin.caller, elapsed);
}

void HttpGateway::Handle(const httplib::Request& request,
                         httplib::Response& response) {
  const absl::Time start = absl::Now();
  AllowOrigin(request, response);
  // The client's X-Request-Id names the call in the service's logs (or one
  // is made), and every answer says which id it had.
  GrpcBridge::Origin origin;
  origin.request_id =
      AcceptOrMakeRequestId(request.get_header_value("X-Request-Id"));
  response.set_header("X-Request-Id", origin.request_id);
  std::optional<HttpRoutes::Match> match =
      routes_.Find(request.method, request.path);
  if (!match.has_value()) {
    std::vector<std::string> methods = routes_.MethodsFor(request.path);
    if (methods.empty()) {
      SendStatus(grpc::Status(grpc::StatusCode::NOT_FOUND,
                              absl::StrCat("no route for ", request.method, " ",
                                           request.path)),
                 response);
      return;
    }
    response.set_header("Allow", absl::StrJoin(methods, ", "));
    SendStatus(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            absl::StrCat(request.path, " answers ",
                                         absl::StrJoin(methods, ", "), ", not ",
                                         request.method)),
               response);
    response.status = 405;
    return;
  }
  const HttpRoute& route = *match->route;

  const HttpCaller caller = IdentifyHttpCaller(
      request, FindAccessRule(options_.access_rules, route.full_method));
  if (!caller.admitted) {
    if (options_.rpc_metrics != nullptr) {
      options_.rpc_metrics->RecordAuthFailure(route.full_method);
    }
    LogWarning("call_unauthenticated",
               {{"method", route.full_method},
                {"bearer_presented", caller.bearer_presented},
                {"transport", "http"},
                {"request_id", origin.request_id}});
    response.set_header("WWW-Authenticate", "Bearer");
    SendStatus(
        grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                     std::string(RefusalMessage(caller.bearer_presented))),
        response);
    return;
  }
  origin.caller = caller.name;
  // A request that cannot become the method's message fails as a call
  // whose message gRPC cannot parse does: counted and logged.
  auto refuse = [&](const grpc::Status& status) {
    Finished(route.full_method, status, origin, start);
    SendStatus(status, response);
  };

  std::unique_ptr<google::protobuf::Message> message =
      NewMessage(route.method->input_type());
  if (route.body_is_request) {
    if (!request.body.empty()) {
      absl::Status parsed = FromJson(request.body, message.get());
      if (!parsed.ok()) {
        refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("the body is not a JSON ",
                                         route.method->input_type()->name(),
                                         ": ", parsed.message())));
        return;
      }
    }
  } else if (!request.body.empty()) {
    refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat(request.method, " ", route.path_template,
                                     " takes no body: give fields as "
                                     "query parameters")));
    return;
  }
  // Only the query string's parameters: httplib also puts a form body's
  // fields in request.params, and a body here is JSON whatever its type.
  httplib::Params query;
  const size_t question = request.target.find('?');
  if (question != std::string::npos) {
    httplib::detail::parse_query_text(request.target.substr(question + 1),
                                      query);
  }
  for (const auto& [name, value] : query) {
    absl::Status set = SetFieldFromText(name, value, message.get());
    if (!set.ok()) {
      refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          std::string(set.message())));
      return;
    }
  }
  for (const auto& [field, value] : match->bindings) {
    absl::Status set = SetFieldFromText(field, value, message.get());
    if (!set.ok()) {
      refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          std::string(set.message())));
      return;
    }
  }

  if (route.method->server_streaming()) {
    // A browser's EventSource reconnects with the id of the last event it
    // had (Stream writes each event's position as its id: SEQ, or
    // SEQ/LOG_ID/LOG_EPOCH): a stream that takes an after_seq resumes
    // there, unless the query string set one.
    const std::string last_event_id = request.get_header_value("Last-Event-ID");
    const google::protobuf::FieldDescriptor* after_seq =
        message->GetDescriptor()->FindFieldByName("after_seq");
    if (!last_event_id.empty() && after_seq != nullptr &&
        !message->GetReflection()->HasField(*message, after_seq)) {
      const std::vector<std::string> parts = absl::StrSplit(last_event_id, '/');
      const char* const fields[] = {"after_seq", "log_id", "log_epoch"};
      absl::Status set =
          parts.size() == 1 || parts.size() == 3
              ? absl::OkStatus()
              : absl::InvalidArgumentError("is not SEQ/LOG_ID/LOG_EPOCH");
      for (size_t i = 0; i < parts.size() && set.ok(); ++i) {
        set = SetFieldFromText(fields[i], parts[i], message.get());
      }
      if (!set.ok()) {
        refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("Last-Event-ID: ", set.message())));
        return;
      }
    }
    Stream(route, *message, origin, response);
    return;
  }
  absl::StatusOr<CallBounds> call =
      HttpCallBounds(request, options_.call_timeout);
  if (!call.ok()) {
    refuse(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        std::string(call.status().message())));
    return;
  }
  std::unique_ptr<google::protobuf::Message> answer =
      NewMessage(route.method->output_type());
  grpc::Status status;
  auto direct = options_.direct_methods.find(route.full_method);
  if (direct != options_.direct_methods.end()) {
    // No interceptor sees this call: it is counted and logged here.
    status = direct->second(*call, *message, answer.get());
    Finished(route.full_method, status, origin, start);
  } else {
    status =
        bridge_.Unary(route.full_method, *message, *call, answer.get(), origin);
  }
  if (!status.ok()) {
    SendStatus(status, response);
    return;
  }
  response.set_content(ToJson(*answer), kJson);
}

void HttpGateway::Stream(const HttpRoute& route,
                         const google::protobuf::Message& message,
                         const GrpcBridge::Origin& origin,
                         httplib::Response& response) {
  if (open_streams_.fetch_add(1) >= options_.max_streams) {
    open_streams_.fetch_sub(1);
    SendStatus(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            absl::StrCat("this server already has ",
                                         options_.max_streams,
                                         " streams open; try again later")),
               response);
    return;
  }
  // Releases the stream's slot when the response (and the provider holding
  // this) is destroyed, whether or not the provider ever ran.
  std::shared_ptr<std::atomic<int>> slot(
      &open_streams_, [](std::atomic<int>* count) { count->fetch_sub(1); });
  std::shared_ptr<GrpcBridge::Stream> stream =
      bridge_.StartStream(route.full_method, message, origin);
  grpc::Status started =
      stream->WaitStarted(absl::Now() + options_.call_timeout);
  if (!started.ok()) {
    SendStatus(started, response);
    return;
  }
  response.set_header("Cache-Control", "no-store");
  response.set_header("X-Accel-Buffering", "no");
  const google::protobuf::Descriptor* event_type = route.method->output_type();
  // An event's position, when it has one, is its SSE id: what a
  // reconnecting EventSource sends back as Last-Event-ID. Its seq, and the
  // log that seq is in when the event says (WatchEvent): SEQ/LOG_ID/EPOCH.
  const auto field_of_type = [event_type](
                                 const char* name,
                                 google::protobuf::FieldDescriptor::Type type)
      -> const google::protobuf::FieldDescriptor* {
    const google::protobuf::FieldDescriptor* field =
        event_type->FindFieldByName(name);
    return field != nullptr && field->type() == type ? field : nullptr;
  };
  const google::protobuf::FieldDescriptor* seq_field =
      field_of_type("seq", google::protobuf::FieldDescriptor::TYPE_UINT64);
  const google::protobuf::FieldDescriptor* log_id_field =
      field_of_type("log_id", google::protobuf::FieldDescriptor::TYPE_STRING);
  const google::protobuf::FieldDescriptor* log_epoch_field = field_of_type(
      "log_epoch", google::protobuf::FieldDescriptor::TYPE_UINT64);
  const auto event_id = [seq_field, log_id_field, log_epoch_field](
                            const google::protobuf::Message& event) {
    if (seq_field == nullptr) return std::string();
    const google::protobuf::Reflection& fields = *event.GetReflection();
    const uint64_t seq = fields.GetUInt64(event, seq_field);
    if (seq == 0) return std::string();
    const std::string log_id = log_id_field == nullptr
                                   ? std::string()
                                   : fields.GetString(event, log_id_field);
    if (log_id.empty() || log_epoch_field == nullptr) {
      return absl::StrCat(seq);
    }
    return absl::StrCat(seq, "/", log_id, "/",
                        fields.GetUInt64(event, log_epoch_field));
  };
  response.set_chunked_content_provider(
      "text/event-stream", [this, stream, slot, event_type, event_id](
                               size_t /*offset*/, httplib::DataSink& sink) {
        std::unique_ptr<google::protobuf::Message> event =
            NewMessage(event_type);
        bool client_gone = !sink.write(": started\n\n", 11);
        absl::Time next_keep_alive = absl::Now() + kStreamKeepAlive;
        while (true) {
          if (client_gone || stopping_.load()) stream->Cancel();
          switch (stream->Read(event.get(), absl::Now() + kStreamPoll)) {
            case GrpcBridge::Stream::kMessage: {
              const std::string id = event_id(*event);
              const std::string line =
                  absl::StrCat(id.empty() ? "" : absl::StrCat("id: ", id, "\n"),
                               "data: ", ToJson(*event), "\n\n");
              client_gone =
                  client_gone || !sink.write(line.data(), line.size());
              next_keep_alive = absl::Now() + kStreamKeepAlive;
              break;
            }
            case GrpcBridge::Stream::kTimeout:
              if (absl::Now() >= next_keep_alive) {
                client_gone = client_gone || !sink.write(": \n\n", 4);
                next_keep_alive = absl::Now() + kStreamKeepAlive;
              }
              break;
            case GrpcBridge::Stream::kEnded: {
              if (client_gone) return false;
              const grpc::Status status =
                  stopping_.load() ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                  "the server is shutting down")
                                   : stream->Finish();
              const std::string line = absl::StrCat(
                  "event: status\ndata: ", StatusJson(status), "\n\n");
              sink.write(line.data(), line.size());
              sink.done();
              return true;
            }
          }
        }
      });
}

}  // namespace bulletin
