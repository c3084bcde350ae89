#include "ingest-service/log/jetstream_log.h"

#include <nats/nats.h>

#include <algorithm>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/sync/mutex.h"
#include "ingest-service/log/log_position.h"

namespace bulletin {
namespace {

// The stream's description holds the log's identity:
//   bulletin-log id=<32 hex> epochs=<epoch>@<first seq>[,<epoch>@<first seq>]
constexpr char kIdentityPrefix[] = "bulletin-log ";
// Headers JetStream acts on.
constexpr char kMsgIdHeader[] = "Nats-Msg-Id";
constexpr char kExpectedStreamHeader[] = "Nats-Expected-Stream";
constexpr char kExpectedLastSubjectSeqHeader[] =
    "Nats-Expected-Last-Subject-Sequence";
constexpr char kExpectedLastSeqHeader[] = "Nats-Expected-Last-Sequence";
constexpr char kSequenceHeader[] = "Nats-Sequence";
// How long Read waits for a server that has not yet stored the records up to
// the head it was told about (a direct get answered by a lagging replica).
constexpr absl::Duration kReplicaLagWait = absl::Seconds(2);

std::string NatsText(natsStatus status) {
  const char* last = nats_GetLastError(nullptr);
  std::string text = natsStatus_GetText(status);
  if (last != nullptr && *last != '\0' &&
      text.find(last) == std::string::npos) {
    absl::StrAppend(&text, " (", last, ")");
  }
  return text;
}

absl::Status Unavailable(absl::string_view doing, natsStatus status) {
  return absl::UnavailableError(absl::StrCat(doing, ": ", NatsText(status)));
}

std::string EncodeIdentity(absl::string_view log_id,
                           const std::vector<EpochStart>& history) {
  std::vector<std::string> epochs;
  for (const EpochStart& epoch : history) {
    epochs.push_back(absl::StrCat(epoch.epoch, "@", epoch.first_seq));
  }
  return absl::StrCat(kIdentityPrefix, "id=", log_id,
                      " epochs=", absl::StrJoin(epochs, ","));
}

bool DecodeIdentity(absl::string_view description, std::string* log_id,
                    std::vector<EpochStart>* history) {
  if (!absl::ConsumePrefix(&description, kIdentityPrefix)) return false;
  log_id->clear();
  history->clear();
  for (absl::string_view field : absl::StrSplit(description, ' ')) {
    if (absl::ConsumePrefix(&field, "id=")) {
      *log_id = std::string(field);
    } else if (absl::ConsumePrefix(&field, "epochs=")) {
      for (absl::string_view pair : absl::StrSplit(field, ',')) {
        std::pair<absl::string_view, absl::string_view> parts =
            absl::StrSplit(pair, '@');
        EpochStart start;
        if (!absl::SimpleAtoi(parts.first, &start.epoch) ||
            !absl::SimpleAtoi(parts.second, &start.first_seq)) {
          return false;
        }
        history->push_back(start);
      }
    }
  }
  return !log_id->empty() && !history->empty();
}

// Bulletin ids are 16 hex digits; anything else could not be one NATS
// subject token.
bool IsSubjectToken(absl::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '-';
  });
}

}  // namespace

class JetStreamLog::Impl {
 public:
  explicit Impl(Options options)
      : options_(std::move(options)),
        bulletin_subjects_(absl::StrCat(options_.stream, ".b.>")) {}

  ~Impl() {
    Close();
    // The tail's callback and PubAck callbacks run on NATS threads and use
    // this object: drain the subscription (which waits for its callback to
    // return) and close the connection before anything is freed.
    if (tail_ != nullptr && natsSubscription_Drain(tail_) == NATS_OK) {
      natsSubscription_WaitForDrainCompletion(tail_, 5000);
    }
    if (connection_ != nullptr) natsConnection_Close(connection_);
    if (tail_ != nullptr) natsSubscription_Destroy(tail_);
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (connection_ != nullptr) natsConnection_Destroy(connection_);
    if (nats_options_ != nullptr) natsOptions_Destroy(nats_options_);
  }

  absl::Status Connect();
  absl::Status EnsureStream();
  absl::Status StartTail();

  absl::StatusOr<std::vector<AppendOutcome>> Append(
      const std::vector<LogAppend>& entries);
  absl::StatusOr<std::vector<v1::LogRecord>> Read(uint64_t after_seq,
                                                  size_t max_records) const;

  uint64_t head_seq() const {
    MutexLock lock(&mutex_);
    return head_;
  }
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const {
    MutexLock lock(&mutex_);
    head_changed_.WaitUntil(&mutex_, deadline,
                            [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                              return head_ > seq || closed_;
                            });
    return head_;
  }
  LogIdentity identity() const {
    return LogIdentity{log_id_, history_.back().epoch};
  }
  absl::Status CheckPosition(const LogIdentity& seen,
                             uint64_t applied_seq) const {
    // Another ingest replica may have told the reader of a record this one
    // has not heard of yet: ask the stream before calling the reader ahead.
    if (applied_seq > head_seq()) RefreshHead();
    return CheckLogPosition(log_id_, history_, head_seq(), seen, applied_seq);
  }
  void Close() {
    {
      MutexLock lock(&mutex_);
      closed_ = true;
    }
    head_changed_.SignalAll();
  }
  bool closed() const {
    MutexLock lock(&mutex_);
    return closed_;
  }
  bool connected() const {
    return connection_ != nullptr &&
           natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED;
  }

 private:
  // Moves the head forward to `seq` (never back) and wakes waiters. Const:
  // readers that learn of a later record move it too.
  void PublishHead(uint64_t seq) const {
    {
      MutexLock lock(&mutex_);
      if (seq <= head_) return;
      head_ = seq;
    }
    head_changed_.SignalAll();
  }
  // Reads the stream's last sequence from its leader.
  void RefreshHead() const;
  jsOptions RequestOptions() const {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = absl::ToInt64Milliseconds(options_.request_timeout);
    return options;
  }

  static void OnTailMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                            void* closure);
  static void OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                       void* closure);

  const Options options_;
  const std::string bulletin_subjects_;
  natsOptions* nats_options_ = nullptr;
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* tail_ = nullptr;
  // Fixed once Open has read the stream.
  std::string log_id_;
  std::vector<EpochStart> history_;

  // Held by Append for a whole batch: js_PublishAsyncComplete waits for
  // every publish of the context, so batches must not overlap.
  Mutex append_mutex_;
  // Guards the batch in flight; taken by OnPubAck on a NATS thread.
  Mutex acks_mutex_;
  absl::flat_hash_map<natsMsg*, size_t> in_flight_ ABSL_GUARDED_BY(acks_mutex_);
  std::vector<AppendOutcome>* outcomes_ ABSL_GUARDED_BY(acks_mutex_) = nullptr;

  mutable Mutex mutex_;
  mutable CondVar head_changed_;
  // Mutable: PublishHead, from const readers too, only moves it forward.
  mutable uint64_t head_ ABSL_GUARDED_BY(mutex_) = 0;
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
};

absl::Status JetStreamLog::Impl::Connect() {
  if (options_.servers.empty()) {
    return absl::InvalidArgumentError(
        "no NATS server given: set --nats_url=nats://host:4222[,...]");
  }
  natsStatus status = natsOptions_Create(&nats_options_);
  std::vector<const char*> servers;
  for (const std::string& server : options_.servers) {
    servers.push_back(server.c_str());
  }
  if (status == NATS_OK) {
    status = natsOptions_SetServers(nats_options_, servers.data(),
                                    static_cast<int>(servers.size()));
  }
  if (status == NATS_OK) {
    status = natsOptions_SetName(nats_options_, options_.client_name.c_str());
  }
  // Reconnect forever, quickly: a lost server is the normal case here.
  if (status == NATS_OK)
    status = natsOptions_SetMaxReconnect(nats_options_, -1);
  if (status == NATS_OK) {
    status = natsOptions_SetReconnectWait(nats_options_, 250);
  }
  if (status == NATS_OK) {
    status = natsOptions_SetTimeout(
        nats_options_, absl::ToInt64Milliseconds(options_.request_timeout));
  }
  if (status == NATS_OK && !options_.tls_ca_file.empty()) {
    status = natsOptions_SetSecure(nats_options_, true);
    if (status == NATS_OK) {
      status = natsOptions_LoadCATrustedCertificates(
          nats_options_, options_.tls_ca_file.c_str());
    }
  }
  if (status == NATS_OK && !options_.tls_cert_file.empty()) {
    status = natsOptions_LoadCertificatesChain(nats_options_,
                                               options_.tls_cert_file.c_str(),
                                               options_.tls_key_file.c_str());
  }
  if (status == NATS_OK && !options_.credentials_file.empty()) {
    status = natsOptions_SetUserCredentialsFromFiles(
        nats_options_, options_.credentials_file.c_str(), nullptr);
  }
  if (status != NATS_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad NATS client options: ", NatsText(status)));
  }
  // The first connection is retried until connect_timeout: the cluster may
  // be starting at the same time as ingest.
  const absl::Time give_up = absl::Now() + options_.connect_timeout;
  for (;;) {
    status = natsConnection_Connect(&connection_, nats_options_);
    if (status == NATS_OK) break;
    if (absl::Now() >= give_up) {
      return absl::UnavailableError(absl::StrCat(
          "cannot reach NATS at ", absl::StrJoin(options_.servers, ","),
          " within ", absl::FormatDuration(options_.connect_timeout), ": ",
          NatsText(status)));
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
  jsOptions js_options = RequestOptions();
  js_options.PublishAsync.AckHandler = &Impl::OnPubAck;
  js_options.PublishAsync.AckHandlerClosure = this;
  js_options.PublishAsync.MaxPending = 4096;
  status = natsConnection_JetStream(&js_, connection_, &js_options);
  if (status != NATS_OK) return Unavailable("cannot use JetStream", status);
  return absl::OkStatus();
}

absl::Status JetStreamLog::Impl::EnsureStream() {
  const std::string all_subjects = absl::StrCat(options_.stream, ".>");
  const int64_t duplicates_ns = absl::ToInt64Nanoseconds(options_.dedup_window);
  const absl::Time give_up = absl::Now() + options_.connect_timeout;
  for (;;) {
    jsOptions request = RequestOptions();
    jsStreamInfo* info = nullptr;
    jsErrCode error_code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetStreamInfo(&info, js_, options_.stream.c_str(),
                                         &request, &error_code);
    if (status == NATS_NOT_FOUND || error_code == JSStreamNotFoundErr) {
      absl::BitGen random;
      const std::string log_id =
          absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random),
                          absl::Uniform<uint64_t>(random));
      const std::string description = EncodeIdentity(
          log_id,
          {{static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())), 1}});
      const char* subjects[] = {all_subjects.c_str()};
      jsStreamConfig config;
      jsStreamConfig_Init(&config);
      config.Name = options_.stream.c_str();
      config.Description = description.c_str();
      config.Subjects = subjects;
      config.SubjectsLen = 1;
      config.Storage = js_FileStorage;
      config.Retention = js_LimitsPolicy;
      config.Replicas = options_.replicas;
      config.MaxMsgsPerSubject = 1;
      config.Duplicates = duplicates_ns;
      config.AllowDirect = true;
      status = js_AddStream(&info, js_, &config, &request, &error_code);
      if (status != NATS_OK && error_code != JSStreamNameExistErr) {
        // A cluster still forming has no JetStream leader yet, or a leader
        // that does not yet know enough peers to place the replicas.
        const bool forming = status == NATS_TIMEOUT ||
                             status == NATS_NO_RESPONDERS ||
                             error_code == JSClusterNoPeersErr ||
                             error_code == JSClusterNotAvailErr;
        if (forming && absl::Now() < give_up) {
          absl::SleepFor(absl::Milliseconds(250));
          continue;
        }
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot create stream ", options_.stream, ": ", NatsText(status)));
      }
      if (status != NATS_OK) continue;  // Another replica created it: read it.
    } else if (status != NATS_OK) {
      if (absl::Now() < give_up) {
        absl::SleepFor(absl::Milliseconds(250));
        continue;
      }
      return Unavailable(absl::StrCat("cannot read stream ", options_.stream),
                         status);
    }
    std::vector<std::string> mismatches;
    const jsStreamConfig& config = *info->Config;
    if (config.SubjectsLen != 1 || all_subjects != config.Subjects[0]) {
      mismatches.push_back(
          absl::StrCat("subjects must be exactly ", all_subjects));
    }
    if (config.Replicas != options_.replicas) {
      mismatches.push_back(absl::StrCat("replicas is ", config.Replicas,
                                        ", --nats_replicas says ",
                                        options_.replicas));
    }
    if (config.MaxMsgsPerSubject != 1) {
      mismatches.push_back(absl::StrCat(
          "max_msgs_per_subject is ", config.MaxMsgsPerSubject, ", must be 1"));
    }
    if (config.Storage != js_FileStorage) {
      mismatches.push_back("storage must be file");
    }
    if (config.Duplicates != duplicates_ns) {
      mismatches.push_back(absl::StrCat(
          "duplicate window is ",
          absl::FormatDuration(absl::Nanoseconds(config.Duplicates)),
          ", expected ", absl::FormatDuration(options_.dedup_window)));
    }
    if (!config.AllowDirect) mismatches.push_back("allow_direct must be true");
    if (config.MaxAge != 0 || config.MaxMsgs > 0 || config.MaxBytes > 0) {
      mismatches.push_back("it must have no age, message or byte limit");
    }
    const bool has_identity =
        config.Description != nullptr &&
        DecodeIdentity(config.Description, &log_id_, &history_);
    if (!has_identity) {
      mismatches.push_back(
          "its description holds no bulletin log identity (was it created "
          "by something else?)");
    }
    const uint64_t last_seq = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    if (!mismatches.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("stream ", options_.stream,
                       " exists with a configuration this log cannot use: ",
                       absl::StrJoin(mismatches, "; "),
                       ". Fix the stream or the flags; ingest never changes "
                       "an existing stream."));
    }
    PublishHead(last_seq);
    return absl::OkStatus();
  }
}

void JetStreamLog::Impl::RefreshHead() const {
  jsOptions request = RequestOptions();
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, js_, options_.stream.c_str(), &request,
                       nullptr) != NATS_OK) {
    return;
  }
  const uint64_t last_seq = info->State.LastSeq;
  jsStreamInfo_Destroy(info);
  PublishHead(last_seq);
}

absl::Status JetStreamLog::Impl::StartTail() {
  // Headers only, from just after the head read at open: every message the
  // stream stores from now on moves the head, whoever published it.
  jsSubOptions subscription;
  jsSubOptions_Init(&subscription);
  subscription.Stream = options_.stream.c_str();
  subscription.Ordered = true;
  subscription.Config.HeadersOnly = true;
  subscription.Config.DeliverPolicy = js_DeliverByStartSequence;
  subscription.Config.OptStartSeq = head_seq() + 1;
  jsOptions request = RequestOptions();
  natsStatus status = js_Subscribe(&tail_, js_, bulletin_subjects_.c_str(),
                                   &Impl::OnTailMessage, this, &request,
                                   &subscription, nullptr);
  if (status != NATS_OK) {
    return Unavailable("cannot follow the stream's head", status);
  }
  return absl::OkStatus();
}

void JetStreamLog::Impl::OnTailMessage(natsConnection*, natsSubscription*,
                                       natsMsg* msg, void* closure) {
  Impl* impl = static_cast<Impl*>(closure);
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    impl->PublishHead(meta->Sequence.Stream);
    jsMsgMetaData_Destroy(meta);
  }
  natsMsg_Destroy(msg);
}

void JetStreamLog::Impl::OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack,
                                  jsPubAckErr* error, void* closure) {
  Impl* impl = static_cast<Impl*>(closure);
  {
    MutexLock lock(&impl->acks_mutex_);
    auto it = impl->in_flight_.find(msg);
    // Absent: an ack for a batch that already gave up waiting.
    if (it != impl->in_flight_.end() && impl->outcomes_ != nullptr) {
      AppendOutcome& outcome = (*impl->outcomes_)[it->second];
      if (ack != nullptr) {
        outcome.seq = ack->Sequence;
        outcome.duplicate = ack->Duplicate;
      } else if (error != nullptr &&
                 error->ErrCode == JSStreamWrongLastSequenceErr) {
        // "wrong last sequence: N" names the stream's actual last sequence
        // when the stream-wide condition failed: learn it for the retry.
        const std::string text =
            error->ErrText != nullptr ? error->ErrText : "";
        uint64_t actual = 0;
        const size_t colon = text.rfind(':');
        if (colon != std::string::npos &&
            absl::SimpleAtoi(absl::StripAsciiWhitespace(
                                 absl::string_view(text).substr(colon + 1)),
                             &actual)) {
          impl->PublishHead(actual);
        }
        outcome.status = absl::FailedPreconditionError(
            absl::StrCat("the log changed under this append: ", text));
      } else {
        outcome.status = absl::UnavailableError(absl::StrCat(
            "JetStream did not store the record: ",
            error != nullptr && error->ErrText != nullptr
                ? std::string(error->ErrText)
                : NatsText(error != nullptr ? error->Err : NATS_ERR)));
      }
      impl->in_flight_.erase(it);
    }
  }
  natsMsg_Destroy(msg);
}

absl::StatusOr<std::vector<AppendOutcome>> JetStreamLog::Impl::Append(
    const std::vector<LogAppend>& entries) {
  std::vector<AppendOutcome> outcomes(entries.size());
  if (entries.empty()) return outcomes;
  MutexLock append_lock(&append_mutex_);
  if (closed()) return absl::UnavailableError("log is closed");
  {
    MutexLock lock(&acks_mutex_);
    in_flight_.clear();
    outcomes_ = &outcomes;
  }
  absl::Status failure;
  std::string payload;
  // Every publish is also conditioned on the whole stream's last sequence,
  // chained through the batch: nats-server 2.9 checks a per-subject
  // condition against stored messages only, so two writers' publishes on
  // the same expected sequence can both be stored when they race (seen with
  // 2.9.10 in RacingConditionalWritersKeepOneLinearHistory), while the
  // stream-wide condition is checked against proposals in flight too. A
  // batch therefore succeeds as a whole or, from its first failure on, not
  // at all; the committer decides the rest again.
  uint64_t expected_stream_last = head_seq();
  for (size_t i = 0; i < entries.size() && failure.ok(); ++i) {
    const v1::LogRecord& record = entries[i].record;
    const absl::string_view id = BulletinIdOf(record);
    if (!IsSubjectToken(id)) {
      outcomes[i].status = absl::InvalidArgumentError(absl::StrCat(
          "bulletin id '", id, "' is not a valid NATS subject token"));
      continue;
    }
    payload.clear();
    record.SerializeToString(&payload);
    const std::string subject = absl::StrCat(options_.stream, ".b.", id);
    natsMsg* msg = nullptr;
    natsStatus status =
        natsMsg_Create(&msg, subject.c_str(), nullptr, payload.data(),
                       static_cast<int>(payload.size()));
    if (status == NATS_OK) {
      status = natsMsgHeader_Set(msg, kExpectedStreamHeader,
                                 options_.stream.c_str());
    }
    if (status == NATS_OK) {
      status = natsMsgHeader_Set(msg, kExpectedLastSeqHeader,
                                 absl::StrCat(expected_stream_last++).c_str());
    }
    if (status == NATS_OK && entries[i].expected_last_seq.has_value()) {
      status = natsMsgHeader_Set(
          msg, kExpectedLastSubjectSeqHeader,
          absl::StrCat(*entries[i].expected_last_seq).c_str());
    }
    if (status == NATS_OK && !entries[i].dedup_id.empty()) {
      status =
          natsMsgHeader_Set(msg, kMsgIdHeader, entries[i].dedup_id.c_str());
    }
    if (status == NATS_OK) {
      MutexLock lock(&acks_mutex_);
      in_flight_[msg] = i;
    }
    natsMsg* published = msg;
    if (status == NATS_OK) status = js_PublishMsgAsync(js_, &msg, nullptr);
    if (status != NATS_OK) {
      {
        MutexLock lock(&acks_mutex_);
        in_flight_.erase(published);
      }
      if (msg != nullptr) natsMsg_Destroy(msg);
      failure = Unavailable("cannot publish to NATS", status);
    }
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = absl::ToInt64Milliseconds(options_.request_timeout);
  const natsStatus completed = js_PublishAsyncComplete(js_, &wait);
  bool unanswered = false;
  {
    MutexLock lock(&acks_mutex_);
    unanswered = !in_flight_.empty();
    in_flight_.clear();
    outcomes_ = nullptr;
  }
  if (failure.ok() && (unanswered || completed != NATS_OK)) {
    failure = absl::UnavailableError(absl::StrCat(
        "no acknowledgement from the NATS cluster within ",
        absl::FormatDuration(options_.request_timeout),
        " (is a majority of its servers up?); the records may or may not "
        "have been stored: retry"));
  }
  if (!failure.ok()) return failure;
  uint64_t last = 0;
  for (const AppendOutcome& outcome : outcomes) {
    if (outcome.status.code() == absl::StatusCode::kUnavailable) {
      return outcome.status;
    }
    if (outcome.status.ok()) last = std::max(last, outcome.seq);
  }
  PublishHead(last);
  return outcomes;
}

absl::StatusOr<std::vector<v1::LogRecord>> JetStreamLog::Impl::Read(
    uint64_t after_seq, size_t max_records) const {
  uint64_t head = head_seq();
  if (after_seq > head) {
    RefreshHead();
    head = head_seq();
    if (after_seq > head) {
      return absl::OutOfRangeError(absl::StrCat(
          "seq ", after_seq, " is beyond the head of the log (", head, ")"));
    }
  }
  std::vector<v1::LogRecord> records;
  uint64_t next = after_seq + 1;
  const absl::Time lag_deadline = absl::Now() + kReplicaLagWait;
  while (records.size() < max_records && next <= head) {
    jsDirectGetMsgOptions get;
    jsDirectGetMsgOptions_Init(&get);
    get.Sequence = next;
    get.NextBySubject = bulletin_subjects_.c_str();
    jsOptions request = RequestOptions();
    natsMsg* msg = nullptr;
    natsStatus status =
        js_DirectGetMsg(&msg, js_, options_.stream.c_str(), &request, &get);
    if (status == NATS_NOT_FOUND) {
      // The head's record is never compacted away, so a server that has
      // nothing up to the head is a replica still catching up: wait for it
      // (or for the next request to reach another one).
      if (records.empty() && absl::Now() < lag_deadline) {
        absl::SleepFor(absl::Milliseconds(5));
        continue;
      }
      break;
    }
    if (status != NATS_OK) {
      return Unavailable(
          absl::StrCat("cannot read the stream after seq ", next - 1), status);
    }
    const char* sequence = nullptr;
    uint64_t seq = 0;
    if (natsMsgHeader_Get(msg, kSequenceHeader, &sequence) != NATS_OK ||
        !absl::SimpleAtoi(sequence, &seq) || seq < next) {
      natsMsg_Destroy(msg);
      return absl::DataLossError(absl::StrCat("stream message after seq ",
                                              next - 1,
                                              " has no valid sequence header"));
    }
    if (seq > head) {
      // Stored, so the head is at least here: the record up to the head this
      // replica knew was superseded (compacted) by this later one.
      PublishHead(seq);
      head = seq;
    }
    v1::LogRecord& record = records.emplace_back();
    if (!record.ParseFromArray(natsMsg_GetData(msg),
                               natsMsg_GetDataLength(msg))) {
      natsMsg_Destroy(msg);
      return absl::DataLossError(
          absl::StrCat("stream message ", seq, " is not a log record"));
    }
    natsMsg_Destroy(msg);
    record.set_seq(seq);
    if (record.has_upsert()) record.mutable_upsert()->set_seq(seq);
    next = seq + 1;
  }
  if (records.empty() && after_seq < head) {
    return absl::UnavailableError(
        absl::StrCat("no NATS server answered with the records after seq ",
                     after_seq, " up to the head (", head, ")"));
  }
  return records;
}

absl::StatusOr<std::unique_ptr<JetStreamLog>> JetStreamLog::Open(
    Options options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  absl::Status status = impl->Connect();
  if (status.ok()) status = impl->EnsureStream();
  if (status.ok()) status = impl->StartTail();
  if (!status.ok()) return status;
  return std::unique_ptr<JetStreamLog>(new JetStreamLog(std::move(impl)));
}

JetStreamLog::JetStreamLog(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

JetStreamLog::~JetStreamLog() = default;

absl::StatusOr<std::vector<AppendOutcome>> JetStreamLog::Append(
    const std::vector<LogAppend>& entries) {
  return impl_->Append(entries);
}

absl::StatusOr<std::vector<v1::LogRecord>> JetStreamLog::Read(
    uint64_t after_seq, size_t max_records) const {
  return impl_->Read(after_seq, max_records);
}

uint64_t JetStreamLog::head_seq() const { return impl_->head_seq(); }

uint64_t JetStreamLog::WaitForHeadAbove(uint64_t seq,
                                        absl::Time deadline) const {
  return impl_->WaitForHeadAbove(seq, deadline);
}

LogIdentity JetStreamLog::identity() const { return impl_->identity(); }

absl::Status JetStreamLog::CheckPosition(const LogIdentity& seen,
                                         uint64_t applied_seq) const {
  return impl_->CheckPosition(seen, applied_seq);
}

bool JetStreamLog::writable() const { return !impl_->closed(); }

void JetStreamLog::Close() { impl_->Close(); }

bool JetStreamLog::closed() const { return impl_->closed(); }

bool JetStreamLog::connected() const { return impl_->connected(); }

}  // namespace bulletin
