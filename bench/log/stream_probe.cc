#include "bench/log/stream_probe.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace bulletin::bench {
namespace {

absl::Status NatsError(absl::string_view doing, natsStatus status) {
  return absl::UnavailableError(
      absl::StrCat(doing, ": ", natsStatus_GetText(status)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StreamProbe>> StreamProbe::Connect(
    const std::vector<std::string>& urls, std::string stream,
    absl::Duration request_timeout) {
  std::unique_ptr<StreamProbe> probe(
      new StreamProbe(std::move(stream), request_timeout));
  std::vector<const char*> servers;
  for (const std::string& url : urls) servers.push_back(url.c_str());
  natsStatus status = natsOptions_Create(&probe->options_);
  if (status == NATS_OK) {
    status = natsOptions_SetServers(probe->options_, servers.data(),
                                    static_cast<int>(servers.size()));
  }
  if (status == NATS_OK) {
    status = natsOptions_SetMaxReconnect(probe->options_, -1);
  }
  if (status == NATS_OK) {
    status = natsOptions_SetReconnectWait(probe->options_, 100);
  }
  if (status == NATS_OK) {
    status = natsOptions_SetTimeout(probe->options_,
                                    absl::ToInt64Milliseconds(request_timeout));
  }
  if (status == NATS_OK) {
    status = natsConnection_Connect(&probe->connection_, probe->options_);
  }
  if (status == NATS_OK) {
    status = natsConnection_JetStream(&probe->js_, probe->connection_, nullptr);
  }
  if (status != NATS_OK)
    return NatsError("cannot reach the NATS cluster", status);
  return probe;
}

StreamProbe::~StreamProbe() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (connection_ != nullptr) natsConnection_Destroy(connection_);
  if (options_ != nullptr) natsOptions_Destroy(options_);
}

absl::StatusOr<StreamState> StreamProbe::State() {
  jsOptions request;
  jsOptions_Init(&request);
  request.Wait = absl::ToInt64Milliseconds(request_timeout_);
  jsStreamInfo* info = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus status =
      js_GetStreamInfo(&info, js_, stream_.c_str(), &request, &error);
  if (status != NATS_OK) {
    return NatsError(absl::StrCat("no state of stream ", stream_, " (error ",
                                  static_cast<int>(error), ")"),
                     status);
  }
  StreamState state;
  state.messages = info->State.Msgs;
  state.last_seq = info->State.LastSeq;
  if (info->Cluster != nullptr) {
    const jsClusterInfo& cluster = *info->Cluster;
    if (cluster.Leader != nullptr) state.leader = cluster.Leader;
    state.all_current = !state.leader.empty() &&
                        cluster.ReplicasLen + 1 == info->Config->Replicas;
    for (int i = 0; i < cluster.ReplicasLen; ++i) {
      const jsPeerInfo& peer = *cluster.Replicas[i];
      if (!peer.Current || peer.Offline) state.all_current = false;
    }
  }
  jsStreamInfo_Destroy(info);
  return state;
}

absl::StatusOr<StreamState> StreamProbe::WaitFor(
    absl::FunctionRef<bool(const StreamState&)> done, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  absl::StatusOr<StreamState> state = State();
  while (!state.ok() || !done(*state)) {
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          "stream ", stream_, " not as awaited after ",
          absl::FormatDuration(timeout), "; last: ",
          state.ok() ? absl::StrCat("leader '", state->leader,
                                    "', all current ", state->all_current)
                     : std::string(state.status().message())));
    }
    absl::SleepFor(absl::Milliseconds(50));
    state = State();
  }
  return state;
}

absl::StatusOr<StoredRecord> StreamProbe::LastRecordOf(const std::string& id) {
  jsOptions request;
  jsOptions_Init(&request);
  request.Wait = absl::ToInt64Milliseconds(request_timeout_);
  const std::string subject = absl::StrCat(stream_, ".b.", id);
  natsMsg* msg = nullptr;
  jsErrCode error = static_cast<jsErrCode>(0);
  natsStatus status = js_GetLastMsg(&msg, js_, stream_.c_str(), subject.c_str(),
                                    &request, &error);
  if (status == NATS_NOT_FOUND || error == JSNoMessageFoundErr) {
    return absl::NotFoundError(absl::StrCat("no record on ", subject));
  }
  if (status != NATS_OK) {
    return NatsError(absl::StrCat("cannot read ", subject), status);
  }
  StoredRecord stored;
  stored.seq = natsMsg_GetSequence(msg);
  const bool parsed = stored.record.ParseFromArray(natsMsg_GetData(msg),
                                                   natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
  if (!parsed) {
    return absl::DataLossError(
        absl::StrCat("the message on ", subject, " is not a log record"));
  }
  return stored;
}

}  // namespace bulletin::bench
