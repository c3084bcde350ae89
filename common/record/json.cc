#include "common/record/json.h"

#include "google/protobuf/util/json_util.h"

namespace bulletin {

std::string ToJson(const google::protobuf::Message& message,
                   JsonOptions options) {
  google::protobuf::util::JsonPrintOptions print_options;
  print_options.preserve_proto_field_names = true;
  print_options.always_print_primitive_fields = true;
  print_options.add_whitespace = options.pretty;
  std::string out;
  // Printing a valid in-memory message cannot fail for our schemas (no Any,
  // no maps with unprintable keys); an empty object is the safe fallback.
  if (!google::protobuf::util::MessageToJsonString(message, &out, print_options)
           .ok()) {
    return "{}";
  }
  if (options.pretty && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

absl::Status FromJson(const std::string& json,
                      google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions parse_options;
  parse_options.ignore_unknown_fields = false;
  auto status =
      google::protobuf::util::JsonStringToMessage(json, message, parse_options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        std::string(status.message().data(), status.message().size()));
  }
  return absl::OkStatus();
}

}  // namespace bulletin
