// Routes gRPC's own log lines (handshake failures, transport errors) into
// the structured JSON log, so that stderr stays one JSON object per line and
// log shippers need no second parser.
//
//   bulletin::RouteGrpcLogsToJson();   // once, before gRPC logs anything
//
// Each gRPC line becomes {"event":"grpc", "file", "line", "message"} at the
// matching level (gRPC's DEBUG and INFO lines are info). GRPC_VERBOSITY
// still chooses which lines gRPC emits (default: ERROR).
//
// Thread-safety: safe to call from any thread, any number of times.

#ifndef BULLETIN_COMMON_SERVER_GRPC_LOG_H_
#define BULLETIN_COMMON_SERVER_GRPC_LOG_H_

namespace bulletin {

void RouteGrpcLogsToJson();

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_GRPC_LOG_H_
