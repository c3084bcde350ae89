// The machine-readable side of every error the services return (AIP-193):
// a google.rpc.ErrorInfo whose `reason` a client switches on, BadRequest
// field violations for invalid fields, RetryInfo when retrying later helps.
// docs/errors.md is the catalogue of reasons, with what a client should do
// about each; kErrorReasons below is the same list, and a test keeps the two
// equal.
//
//   return bulletin::InvalidField("external_id", "is 300 bytes; at most 256");
//   return bulletin::WithErrorInfo(absl::NotFoundError("no bulletin ..."),
//                                  bulletin::kReasonBulletinNotFound,
//                                  {{"id", id}});
//   return bulletin::WithRetryInfo(status, absl::Seconds(1));
//
// The details travel as absl::Status payloads keyed by type URL and become
// the call's error details in ToGrpcStatus (grpc_status.h), which also gives
// an error that carries no ErrorInfo the default one for its code, so no
// error leaves a service without a reason.
//
// Thread-safe: pure functions.

#ifndef BULLETIN_COMMON_SERVER_ERROR_DETAILS_H_
#define BULLETIN_COMMON_SERVER_ERROR_DETAILS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"

namespace bulletin {

// ErrorInfo.domain of every error the services raise.
inline constexpr char kErrorDomain[] = "bulletin.v1";

// Reasons with a meaning of their own (docs/errors.md says what to do).
inline constexpr char kReasonInvalidField[] = "INVALID_FIELD";
inline constexpr char kReasonInvalidContent[] = "INVALID_CONTENT";
inline constexpr char kReasonInvalidQuery[] = "INVALID_QUERY";
inline constexpr char kReasonMalformedRequest[] = "MALFORMED_REQUEST";
inline constexpr char kReasonTooLarge[] = "TOO_LARGE";
inline constexpr char kReasonOverloaded[] = "OVERLOADED";
inline constexpr char kReasonVersionMismatch[] = "VERSION_MISMATCH";
inline constexpr char kReasonRequestIdReused[] = "REQUEST_ID_REUSED";
inline constexpr char kReasonOtherSource[] = "OTHER_SOURCE";
inline constexpr char kReasonBulletinNotFound[] = "BULLETIN_NOT_FOUND";
inline constexpr char kReasonSeqNotApplied[] = "SEQ_NOT_APPLIED";
inline constexpr char kReasonDeadlinePassed[] = "DEADLINE_PASSED";
inline constexpr char kReasonShuttingDown[] = "SHUTTING_DOWN";
inline constexpr char kReasonLogUnavailable[] = "LOG_UNAVAILABLE";
inline constexpr char kReasonContended[] = "CONTENDED";
inline constexpr char kReasonLogReplaced[] = "LOG_REPLACED";
inline constexpr char kReasonResyncRequired[] = "RESYNC_REQUIRED";
// The reason of an error that named none: the code's name
// ("INVALID_ARGUMENT", "INTERNAL", ...).

// Every reason above, for the catalogue's test.
inline constexpr const char* kErrorReasons[] = {
    kReasonInvalidField,     kReasonInvalidContent,  kReasonInvalidQuery,
    kReasonMalformedRequest, kReasonTooLarge,        kReasonOverloaded,
    kReasonVersionMismatch,  kReasonRequestIdReused, kReasonOtherSource,
    kReasonBulletinNotFound, kReasonSeqNotApplied,   kReasonDeadlinePassed,
    kReasonShuttingDown,     kReasonLogUnavailable,  kReasonContended,
    kReasonLogReplaced,      kReasonResyncRequired};

// `status` with a google.rpc.ErrorInfo of `reason` and `metadata` (replacing
// any it had). OK stays OK.
absl::Status WithErrorInfo(
    absl::Status status, absl::string_view reason,
    const std::vector<std::pair<std::string, std::string>>& metadata = {});

// `status` with a google.rpc.RetryInfo: retrying after `delay` may succeed.
absl::Status WithRetryInfo(absl::Status status, absl::Duration delay);

// INVALID_ARGUMENT "<field> <description>", with a BadRequest violation of
// `field` (its path in the request, e.g. "filters.regions") and ErrorInfo
// `reason` (INVALID_FIELD unless a more precise one applies).
absl::Status InvalidField(absl::string_view field,
                          absl::string_view description,
                          absl::string_view reason = kReasonInvalidField);

// `status` (an error about `field`) with a BadRequest violation of `field`
// described by its message, and ErrorInfo `reason`.
absl::Status AsFieldError(absl::Status status, absl::string_view field,
                          absl::string_view reason = kReasonInvalidField);

// RESOURCE_EXHAUSTED TOO_LARGE: `field` is `size` bytes, over `limit`.
// Retrying the same request cannot help, so no RetryInfo.
absl::Status TooLarge(absl::string_view field, size_t size, size_t limit);

// RESOURCE_EXHAUSTED OVERLOADED with `message`, and RetryInfo.
absl::Status Overloaded(absl::string_view message);

// UNAVAILABLE with `reason`, `message` and RetryInfo.
absl::Status Unavailable(absl::string_view reason, absl::string_view message);

// The details attached to `status`, if any.
std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status);
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status);
std::optional<google::rpc::RetryInfo> RetryInfoOf(const absl::Status& status);

// The type URL a detail of `message`'s type is keyed by.
std::string TypeUrlOf(const google::protobuf::Message& message);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_ERROR_DETAILS_H_
