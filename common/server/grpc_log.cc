#include "common/server/grpc_log.h"

#include "common/log/json_log.h"
#include "grpc/support/log.h"

namespace bulletin {
namespace {

void LogGrpcLine(gpr_log_func_args* args) {
  const LogFields fields = {
      {"file", args->file != nullptr ? args->file : ""},
      {"line", args->line},
      {"message", args->message != nullptr ? args->message : ""}};
  switch (args->severity) {
    case GPR_LOG_SEVERITY_ERROR:
      LogError("grpc", fields);
      break;
    default:
      LogInfo("grpc", fields);
  }
}

}  // namespace

void RouteGrpcLogsToJson() { gpr_set_log_function(LogGrpcLine); }

}  // namespace bulletin
