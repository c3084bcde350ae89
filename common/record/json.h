// proto3 JSON for records and responses, with the proto field names
// (snake_case), as bulletinctl --json prints them.
//
//   std::string line = bulletin::ToJson(record);          // one line
//   std::string text = bulletin::ToJson(record, {.pretty = true});
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_RECORD_JSON_H_
#define BULLETIN_COMMON_RECORD_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace bulletin {

struct JsonOptions {
  // Indent and break lines; otherwise the whole message is one line.
  bool pretty = false;
};

// Prints `message` as proto3 JSON with proto field names. Fields with default
// values are printed too, so that every documented path is always present.
std::string ToJson(const google::protobuf::Message& message,
                   JsonOptions options = {});

// Parses proto3 JSON (either field-name style) into `message`.
absl::Status FromJson(const std::string& json,
                      google::protobuf::Message* message);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_RECORD_JSON_H_
