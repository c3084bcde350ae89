#include "common/log/json_log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/sync/mutex.h"

namespace bulletin {
namespace {

void Emit(absl::string_view level, absl::string_view event, LogFields fields) {
  std::string line = absl::StrCat(
      "{\"ts\":",
      JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(),
                                 absl::UTCTimeZone())),
      ",\"level\":", JsonQuote(level), ",\"event\":", JsonQuote(event));
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, ",", JsonQuote(key), ":", value.json());
  }
  line += "}\n";
  // Keeps each line whole when several threads log at once.
  static Mutex mutex;
  MutexLock lock(&mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

LogValue::LogValue(absl::string_view text) : json_(JsonQuote(text)) {}

std::string JsonQuote(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

void LogInfo(absl::string_view event, LogFields fields) {
  Emit("info", event, fields);
}
void LogWarning(absl::string_view event, LogFields fields) {
  Emit("warning", event, fields);
}
void LogError(absl::string_view event, LogFields fields) {
  Emit("error", event, fields);
}

}  // namespace bulletin
