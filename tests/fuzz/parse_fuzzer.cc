// libFuzzer target for ParseSubmission: any bytes either fail with a status
// or parse into a record whose text fields are valid UTF-8 and that
// serializes, so ingest can always log what it acknowledged.
//
//   tests/fuzz/run.sh BUILD_DIR SECONDS

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/text/nfkc.h"
#include "ingest-service/parser/parse_submission.h"

namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

bool Utf8(const std::string& s) {
  return bulletin::IsValidUtf8(absl::string_view(s.data(), s.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bulletin::ParseOptions options;
  options.max_bytes = 1 << 16;
  absl::StatusOr<bulletin::ParsedSubmission> parsed = bulletin::ParseSubmission(
      std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!parsed.ok()) {
    Require(!parsed.status().message().empty());
    return 0;
  }
  const bulletin::v1::Bulletin& b = parsed->bulletin;
  Require(!parsed->normalized_text.empty());
  Require(Utf8(b.source_text()) && Utf8(b.kicker()) && Utf8(b.headline()) &&
          Utf8(b.subtitle()) && Utf8(b.lead()) && Utf8(b.dateline()));
  for (const auto& item : b.items()) {
    Require(Utf8(item.text()) && Utf8(item.organization().name()) &&
            Utf8(item.organization().region()));
  }
  for (const auto& person : b.people()) Require(!person.name().empty());
  for (const auto& reporter : b.reporters()) Require(!reporter.name().empty());
  std::string wire;
  Require(b.SerializeToString(&wire));
  return 0;
}
