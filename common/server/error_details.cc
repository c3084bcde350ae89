#include "common/server/error_details.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace bulletin {
namespace {

// How long a client should wait before retrying an overloaded or
// unavailable service: long enough for a queue to drain or a leader to be
// elected, short enough not to matter to a person.
constexpr absl::Duration kRetryDelay = absl::Seconds(1);

template <typename Detail>
std::optional<Detail> DetailOf(const absl::Status& status) {
  Detail detail;
  // absl::optional: not std::optional in Debian's Abseil.
  auto payload = status.GetPayload(TypeUrlOf(detail));
  if (!payload.has_value() || !detail.ParseFromString(std::string(*payload))) {
    return std::nullopt;
  }
  return detail;
}

void Attach(absl::Status& status, const google::protobuf::Message& detail) {
  status.SetPayload(TypeUrlOf(detail), absl::Cord(detail.SerializeAsString()));
}

}  // namespace

std::string TypeUrlOf(const google::protobuf::Message& message) {
  return absl::StrCat("type.googleapis.com/",
                      message.GetDescriptor()->full_name());
}

absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::vector<std::pair<std::string, std::string>>& metadata) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kErrorDomain);
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[key] = value;
  }
  Attach(status, info);
  return status;
}

absl::Status WithRetryInfo(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  google::rpc::RetryInfo retry;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  retry.mutable_retry_delay()->set_seconds(nanos / 1'000'000'000);
  retry.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(nanos % 1'000'000'000));
  Attach(status, retry);
  return status;
}

absl::Status InvalidField(absl::string_view field,
                          absl::string_view description,
                          absl::string_view reason) {
  return AsFieldError(
      absl::InvalidArgumentError(absl::StrCat(field, " ", description)), field,
      reason);
}

absl::Status AsFieldError(absl::Status status, absl::string_view field,
                          absl::string_view reason) {
  if (status.ok()) return status;
  google::rpc::BadRequest bad_request;
  google::rpc::BadRequest::FieldViolation* violation =
      bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(status.message()));
  status = WithErrorInfo(status, reason, {{"field", std::string(field)}});
  Attach(status, bad_request);
  return status;
}

absl::Status TooLarge(absl::string_view field, size_t size, size_t limit) {
  return WithErrorInfo(
      absl::ResourceExhaustedError(absl::StrCat(
          field, " is ", size, " bytes; the limit is ", limit, " bytes")),
      kReasonTooLarge,
      {{"field", std::string(field)},
       {"bytes", absl::StrCat(size)},
       {"limit", absl::StrCat(limit)}});
}

absl::Status Overloaded(absl::string_view message) {
  return WithRetryInfo(
      WithErrorInfo(absl::ResourceExhaustedError(message), kReasonOverloaded),
      kRetryDelay);
}

absl::Status Unavailable(absl::string_view reason, absl::string_view message) {
  return WithRetryInfo(WithErrorInfo(absl::UnavailableError(message), reason),
                       kRetryDelay);
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status) {
  return DetailOf<google::rpc::ErrorInfo>(status);
}
std::optional<google::rpc::BadRequest> BadRequestOf(
    const absl::Status& status) {
  return DetailOf<google::rpc::BadRequest>(status);
}
std::optional<google::rpc::RetryInfo> RetryInfoOf(const absl::Status& status) {
  return DetailOf<google::rpc::RetryInfo>(status);
}

}  // namespace bulletin
