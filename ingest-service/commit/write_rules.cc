#include "ingest-service/commit/write_rules.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"

namespace bulletin {
namespace {

WriteDecision Answer(absl::StatusOr<CommitResult> answer) {
  WriteDecision decision;
  decision.answer = std::move(answer);
  return decision;
}

// The first outcome of `request` for the bulletin `id`.
CommitResult ReplayOf(const std::string& id,
                      const v1::RequestOutcome& request) {
  CommitResult result;
  result.id = id;
  result.seq = request.seq();
  result.version = request.version();
  result.result = request.result();
  return result;
}

const v1::RequestOutcome* FindRequest(const VersionIndex::Entry& entry,
                                      const std::string& request_id) {
  for (const v1::RequestOutcome& request : entry.requests) {
    if (request.request_id() == request_id) return &request;
  }
  return nullptr;
}

}  // namespace

WriteDecision WriteRules::Decide(const VersionIndex::Entry* entry,
                                 Change& change, absl::Time now) const {
  const WriteConditions& conditions = change.conditions;
  const std::string& id = change.id;

  // 1. A retry of a request this bulletin has seen.
  if (entry != nullptr && !conditions.request_id.empty()) {
    if (const v1::RequestOutcome* seen =
            FindRequest(*entry, conditions.request_id)) {
      const bool same_change =
          seen->retraction() == change.is_retraction &&
          (change.is_retraction ||
           seen->version_digest() == change.version_digest);
      if (same_change) return Answer(ReplayOf(id, *seen));
      return Answer(WithErrorInfo(
          absl::InvalidArgumentError(
              absl::StrCat("request_id '", conditions.request_id,
                           "' was already used for another change of bulletin ",
                           id, ": use a new request_id for a new change")),
          kReasonRequestIdReused,
          {{"id", id}, {"request_id", conditions.request_id}}));
    }
  }

  const bool live = entry != nullptr && entry->live;
  const int64_t current_version = live ? entry->version : 0;
  // 2. and 3. Retractions of what is gone, or of another source's bulletin.
  if (change.is_retraction) {
    if (!live) {
      return Answer(WithErrorInfo(absl::NotFoundError(absl::StrCat(
                                      "no live bulletin has id '", id, "'")),
                                  kReasonBulletinNotFound, {{"id", id}}));
    }
    if (conditions.owner.has_value() && *conditions.owner != entry->source) {
      return Answer(WithErrorInfo(
          absl::PermissionDeniedError(absl::StrCat(
              "bulletin ", id, " belongs to source '", entry->source,
              "', not to '", *conditions.owner, "', as whom you called")),
          kReasonOtherSource, {{"id", id}}));
    }
  }

  // 4. The caller's precondition.
  if (conditions.expected_version.has_value() &&
      *conditions.expected_version != current_version) {
    return Answer(WithErrorInfo(
        absl::FailedPreconditionError(
            absl::StrCat("bulletin ", id, " is at version ", current_version,
                         live ? "" : " (it does not exist)",
                         ", not the expected ", *conditions.expected_version,
                         ": read it again and decide on the current version")),
        kReasonVersionMismatch,
        {{"id", id},
         {"current_version", absl::StrCat(current_version)},
         {"expected_version", absl::StrCat(*conditions.expected_version)}}));
  }

  // 5. The live version again.
  const bool unchanged =
      !change.is_retraction && live && entry->digest == change.version_digest;
  if (unchanged && conditions.request_id.empty()) {
    CommitResult result;
    result.id = id;
    result.seq = entry->seq;
    result.version = entry->version;
    result.result = v1::WRITE_RESULT_UNCHANGED;
    return Answer(result);
  }

  // 6. A record: what the change writes, and what the bulletin remembers.
  WriteDecision decision;
  v1::LogRecord& record = decision.record;
  CommitResult& result = decision.result;
  result.id = id;
  if (change.is_retraction) {
    v1::Retraction* retraction = record.mutable_retraction();
    retraction->set_id(id);
    retraction->set_reason(change.reason);
    retraction->set_version(entry->version);
    result.version = entry->version;
  } else {
    v1::Bulletin* bulletin = record.mutable_upsert();
    *bulletin = std::move(change.bulletin);
    if (unchanged) {
      // Rewritten only to remember the request: the version and its
      // submitter stay.
      result.version = entry->version;
      result.result = v1::WRITE_RESULT_UNCHANGED;
      bulletin->set_source(entry->source);
    } else {
      result.version = (entry == nullptr ? 0 : entry->version) + 1;
      result.result =
          live ? v1::WRITE_RESULT_UPDATED : v1::WRITE_RESULT_CREATED;
      bulletin->set_source(change.source);
    }
    bulletin->set_version(result.version);
    record.set_version_digest(change.version_digest);
  }

  const int64_t now_micros = absl::ToUnixMicros(now);
  const int64_t oldest_kept =
      now_micros - absl::ToInt64Microseconds(options_.request_retention);
  if (entry != nullptr) {
    // Newest first, so that the bound keeps the most recent.
    const int keep_at_most =
        static_cast<int>(options_.max_requests_per_bulletin) -
        (conditions.request_id.empty() ? 0 : 1);
    int kept = 0;
    size_t first_kept = entry->requests.size();
    for (size_t i = entry->requests.size(); i-- > 0;) {
      if (kept >= keep_at_most ||
          entry->requests[i].decided_at_micros() < oldest_kept) {
        break;
      }
      first_kept = i;
      ++kept;
    }
    for (size_t i = first_kept; i < entry->requests.size(); ++i) {
      *record.add_requests() = entry->requests[i];
    }
  }
  if (!conditions.request_id.empty()) {
    v1::RequestOutcome* request = record.add_requests();
    request->set_request_id(conditions.request_id);
    request->set_retraction(change.is_retraction);
    request->set_version_digest(change.is_retraction ? ""
                                                     : change.version_digest);
    request->set_result(result.result);
    request->set_version(result.version);
    request->set_decided_at_micros(now_micros);
  }
  return decision;
}

void WriteRules::MoveBack(v1::LogRecord& record, Change& change) {
  if (record.has_upsert()) {
    change.bulletin = std::move(*record.mutable_upsert());
    change.bulletin.clear_version();
    change.bulletin.clear_source();
  }
}

}  // namespace bulletin
