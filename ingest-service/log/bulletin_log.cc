#include "ingest-service/log/bulletin_log.h"

namespace bulletin {

absl::string_view BulletinIdOf(const v1::LogRecord& record) {
  switch (record.change_case()) {
    case v1::LogRecord::kUpsert:
      return record.upsert().id();
    case v1::LogRecord::kRetraction:
      return record.retraction().id();
    case v1::LogRecord::CHANGE_NOT_SET:
      break;
  }
  return {};
}

}  // namespace bulletin
