#include "common/record/write_keys.h"

#include <cstddef>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/record/bulletin_id.h"
#include "common/server/error_details.h"

namespace bulletin {
namespace {

constexpr size_t kMaxExternalIdBytes = 256;
constexpr size_t kMaxTokenBytes = 128;  // source and request_id
constexpr size_t kIdHexDigits = 16;

// Printable ASCII without the space: safe in logs, hashes and headers.
absl::Status ValidateToken(absl::string_view field, absl::string_view value) {
  if (value.size() > kMaxTokenBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is ", value.size(), " bytes; at most ",
                     kMaxTokenBytes, " are allowed"));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " has a byte 0x", absl::Hex(c, absl::kZeroPad2), " at offset ",
          i, "; only printable ASCII without spaces is allowed"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckExternalId(absl::string_view external_id) {
  if (external_id.size() > kMaxExternalIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("external_id is ", external_id.size(), " bytes; at most ",
                     kMaxExternalIdBytes, " are allowed"));
  }
  for (unsigned char c : external_id) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "external_id contains a control character");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckBulletinId(absl::string_view id) {
  bool hex = id.size() == kIdHexDigits;
  for (char c : id) {
    hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
  if (hex) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("id '", absl::CHexEscape(id.substr(0, 64)),
                   "' is not a bulletin id: ids are 16 lowercase hex digits"));
}

}  // namespace

// Each check's INVALID_ARGUMENT names its field in the error details.
absl::Status ValidateExternalId(absl::string_view external_id) {
  return AsFieldError(CheckExternalId(external_id), "external_id");
}

absl::Status ValidateSource(absl::string_view source) {
  return AsFieldError(ValidateToken("source", source), "source");
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  return AsFieldError(ValidateToken("request_id", request_id), "request_id");
}

absl::Status ValidateBulletinId(absl::string_view id) {
  return AsFieldError(CheckBulletinId(id), "id");
}

absl::StatusOr<std::string> ResolveBulletinId(absl::string_view id,
                                              absl::string_view source,
                                              absl::string_view external_id) {
  if (!id.empty() && !external_id.empty()) {
    return InvalidField(
        "id", "and external_id are both set: name the bulletin by one of them");
  }
  if (id.empty() && external_id.empty()) {
    return InvalidField(
        "id",
        "is empty: give the bulletin's id, or its source and external_id");
  }
  if (!id.empty()) {
    absl::Status valid = ValidateBulletinId(id);
    if (!valid.ok()) return valid;
    return std::string(id);
  }
  absl::Status valid = ValidateSource(source);
  if (valid.ok()) valid = ValidateExternalId(external_id);
  if (!valid.ok()) return valid;
  return ExternalIdToId(source, external_id);
}

}  // namespace bulletin
