// Setting a request field named by a dotted path from text, the way an HTTP
// route fills a request from path variables and query parameters
// (`/v1/bulletins/{id}`, `?filters.regions=忠县&min_seq=7`).
//
//   v1::WatchRequest request;
//   absl::Status set =
//       bulletin::SetFieldFromText("filters.regions", "忠县", &request);
//
// Scalars are set (a repeated field gets the value appended); strings take
// the text as is, numbers and bools their usual spelling, enums their name
// or number, bytes the base64 the JSON mapping uses. INVALID_ARGUMENT, naming
// the parameter, for an unknown field, a message-typed leaf or a value that
// does not parse.
//
// Thread-safe: pure function over `message`, which the caller owns.

#ifndef BULLETIN_COMMON_HTTP_FIELD_PATH_H_
#define BULLETIN_COMMON_HTTP_FIELD_PATH_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace bulletin {

absl::Status SetFieldFromText(absl::string_view path, absl::string_view text,
                              google::protobuf::Message* message);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_FIELD_PATH_H_
