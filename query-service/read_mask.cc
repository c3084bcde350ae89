#include "query-service/read_mask.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/server/error_details.h"
#include "google/protobuf/util/field_mask_util.h"

namespace bulletin {

using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;

absl::Status ValidateReadMask(const FieldMask& mask) {
  for (const std::string& path : mask.paths()) {
    if (!FieldMaskUtil::GetFieldDescriptors(v1::Bulletin::descriptor(), path,
                                            nullptr)) {
      return InvalidField(
          "read_mask", absl::StrCat("path '", path,
                                    "' is not a field of bulletin.v1.Bulletin "
                                    "(use the proto field names)"));
    }
  }
  return absl::OkStatus();
}

void ApplyReadMask(const FieldMask& mask, v1::Bulletin* bulletin) {
  if (mask.paths().empty()) {
    bulletin->clear_source_text();
    return;
  }
  FieldMask kept = mask;
  for (const char* always : {"id", "seq", "version"}) kept.add_paths(always);
  FieldMaskUtil::TrimMessage(kept, bulletin);
}

bool AsksForSourceText(const FieldMask& mask) {
  return std::find(mask.paths().begin(), mask.paths().end(), "source_text") !=
         mask.paths().end();
}

absl::Status CheckResponseSize(const google::protobuf::Message& response) {
  const size_t bytes = response.ByteSizeLong();
  if (bytes <= kMaxReadResponseBytes) return absl::OkStatus();
  return WithErrorInfo(
      absl::ResourceExhaustedError(absl::StrCat(
          "the response would be ", bytes, " bytes; at most ",
          kMaxReadResponseBytes,
          " are sent: ask for fewer bulletins, or a read_mask without "
          "source_text")),
      kReasonTooLarge,
      {{"bytes", absl::StrCat(bytes)},
       {"limit", absl::StrCat(kMaxReadResponseBytes)}});
}

}  // namespace bulletin
