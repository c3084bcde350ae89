// Structured logs: one JSON object per line on stderr, one line per event.
//
//   bulletin::LogInfo("submit_acked", {{"id", id}, {"seq", seq}});
//   bulletin::LogError("feed_disconnected", {{"error", status.ToString()}});
//
// Each line has "ts" (RFC 3339, UTC), "level", "event", then the fields given.
// Bulletin bodies and secrets must never be passed as fields at info level.
//
// Thread-safe: lines from concurrent callers never interleave.

#ifndef BULLETIN_COMMON_LOG_JSON_LOG_H_
#define BULLETIN_COMMON_LOG_JSON_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace bulletin {

// One field's value, already rendered as a JSON value.
class LogValue {
 public:
  LogValue(absl::string_view text);  // NOLINT: implicit by design.
  LogValue(const std::string& text)
      : LogValue(absl::string_view(text)) {}                         // NOLINT
  LogValue(const char* text) : LogValue(absl::string_view(text)) {}  // NOLINT
  LogValue(int64_t number) : json_(absl::StrCat(number)) {}          // NOLINT
  LogValue(uint64_t number) : json_(absl::StrCat(number)) {}         // NOLINT
  LogValue(int number) : json_(absl::StrCat(number)) {}              // NOLINT
  LogValue(unsigned number) : json_(absl::StrCat(number)) {}         // NOLINT
  LogValue(double number) : json_(absl::StrCat(number)) {}           // NOLINT
  LogValue(bool flag) : json_(flag ? "true" : "false") {}            // NOLINT

  const std::string& json() const { return json_; }

 private:
  std::string json_;
};

using LogFields = std::initializer_list<std::pair<absl::string_view, LogValue>>;

void LogInfo(absl::string_view event, LogFields fields = {});
void LogWarning(absl::string_view event, LogFields fields = {});
void LogError(absl::string_view event, LogFields fields = {});

// Renders `text` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view text);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_LOG_JSON_LOG_H_
