#include "ingest-service/log/jetstream_log.h"

#include <nats/nats.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/feed/log_position.h"
#include "common/metrics/log_metrics.h"
#include "common/sync/mutex.h"

namespace bulletin {
namespace {

// The stream's description holds the log's identity:
//   bulletin-log id=<32 hex> epochs=<epoch>@<first seq>[,<epoch>@<first seq>]
constexpr char kIdentityPrefix[] = "bulletin-log ";
// Headers JetStream acts on.
constexpr char kMsgIdHeader[] = "Nats-Msg-Id";
// Ours: a conditional entry's dedup id (its Nats-Msg-Id claims its slot).
constexpr char kDedupIdHeader[] = "Bulletin-Dedup-Id";
constexpr char kExpectedStreamHeader[] = "Nats-Expected-Stream";
constexpr char kExpectedLastSubjectSeqHeader[] =
    "Nats-Expected-Last-Subject-Sequence";
constexpr char kExpectedLastSeqHeader[] = "Nats-Expected-Last-Sequence";
constexpr char kSequenceHeader[] = "Nats-Sequence";
// How long Read waits for a server that has not yet stored the records up to
// the head it was told about (a direct get answered by a lagging replica).
constexpr absl::Duration kReplicaLagWait = absl::Seconds(2);
// How often the supervisor asks the stream for its state while all is well
// (which also bounds how far the head lags behind other writers when the
// tail's consumer is being re-created after a server loss), and how soon it
// tries again while the cluster is unreachable or not answering.
constexpr absl::Duration kProbeInterval = absl::Seconds(1);
constexpr absl::Duration kRetryInterval = absl::Milliseconds(250);
// How often WaitUntilReady looks at the connection's state.
constexpr absl::Duration kReadyPollStep = absl::Milliseconds(50);
// Messages the stream keeps per bulletin: its last record, and the one that
// record superseded until Append (or, after a writer's crash, the sweep)
// erases it. The per-subject limit alone would remove the superseded message
// without overwriting it, leaving its text in the store's files.
constexpr int64_t kMessagesPerBulletin = 2;
// Read fetches through a consumer beyond this many records, and gets each
// record directly (a request each) up to it; and fetches at most
// kMaxFetchBatch at a time. Making the consumer is a request to the
// cluster's metadata leader, so a replica tailing the log (a few records
// behind) keeps the direct gets; one catching up fetches.
constexpr size_t kDirectReadLimit = 512;
constexpr uint64_t kMaxFetchBatch = 4096;
// How long the destructor waits for the tail's callback to return.
constexpr absl::Duration kTailStopWait = absl::Seconds(5);
// How long Append waits before publishing a message again that no server
// took (the stream's servers are starting, or it is between leaders).
constexpr absl::Duration kNoRespondersRetryWait = absl::Milliseconds(100);
// How long Append waits for a PubAck before it publishes the same message
// again (when it can tell a copy of it apart: see PublishBatch). A PubAck
// comes within milliseconds while the stream has a leader; one lost with a
// killed leader, or with a message a leader took just before it lost its
// leadership, never comes, and the election that follows may end at any
// moment: the message is sent again at this pace until one copy is
// answered, so that the batch goes on soon after the stream has a leader
// again rather than at the end of the request timeout.
constexpr absl::Duration kResendInterval = absl::Milliseconds(500);
// How much longer than its MaxWait Append waits for a publish's answer.
constexpr absl::Duration kAckTimerMargin = absl::Seconds(1);

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

// The head mark: the highest seq the stream is known to have reached, kept
// in a stream of its own (<stream>_HEAD, one message) that backups of the
// log do not include. A stream found behind its mark was restored from a
// backup (docs/durability.md, "Log identity"): ingest starts a new epoch.
// Every ingest replica moves it up to the head about once a second.
struct HeadMark {
  std::string log_id;
  // The latest epoch of the log when the mark was written.
  uint64_t epoch = 0;
  uint64_t seq = 0;
};

// "log=<id> epoch=<epoch> seq=<seq>"
std::string EncodeHeadMark(const HeadMark& mark) {
  return absl::StrCat("log=", mark.log_id, " epoch=", mark.epoch,
                      " seq=", mark.seq);
}

std::optional<HeadMark> DecodeHeadMark(absl::string_view text) {
  HeadMark mark;
  bool has_epoch = false;
  bool has_seq = false;
  for (absl::string_view field : absl::StrSplit(text, ' ')) {
    if (absl::ConsumePrefix(&field, "log=")) {
      mark.log_id = std::string(field);
    } else if (absl::ConsumePrefix(&field, "epoch=")) {
      has_epoch = absl::SimpleAtoi(field, &mark.epoch);
    } else if (absl::ConsumePrefix(&field, "seq=")) {
      has_seq = absl::SimpleAtoi(field, &mark.seq);
    }
  }
  if (mark.log_id.empty() || !has_epoch || !has_seq) return std::nullopt;
  return mark;
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
        bulletin_subjects_(absl::StrCat(options_.stream, ".b.>")),
        mark_stream_(absl::StrCat(options_.stream, "_HEAD")),
        mark_subject_(absl::StrCat(options_.stream, "_HEAD.mark")),
        servers_(absl::StrJoin(options_.servers, ",")),
        start_error_(absl::UnavailableError(absl::StrCat(
            "NATS JetStream is not ready yet: connecting to ", servers_))) {}

  ~Impl() {
    Close();
    if (supervisor_.joinable()) supervisor_.join();
    // The head mark's last move (bounded by request_timeout): what this
    // replica wrote since the supervisor's last one.
    if (head_seq() > 0 && ConnectionStatus().ok()) AdvanceHeadMark();
    // Closing the connection ends the tail's subscription without asking
    // the servers to delete its consumer, which is ephemeral and dropped by
    // them once idle. (Draining it instead makes nats.c 3.4 delete the
    // consumer while it may be re-creating it after a server loss, and read
    // the consumer's freed name.) The tail's callback runs on a NATS thread
    // and uses this object: wait until it has returned for the last time.
    if (connection_ != nullptr) natsConnection_Close(connection_);
    if (tail_ != nullptr) {
      MutexLock lock(&mutex_);
      state_changed_.WaitUntil(&mutex_, absl::Now() + kTailStopWait,
                               [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                                 return tail_stopped_;
                               });
    }
    if (tail_ != nullptr) natsSubscription_Destroy(tail_);
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (connection_ != nullptr) natsConnection_Destroy(connection_);
    if (nats_options_ != nullptr) natsOptions_Destroy(nats_options_);
  }

  // Builds the client's options; INVALID_ARGUMENT when they are unusable.
  absl::Status Configure();
  // Starts the thread that connects, prepares the stream and then watches
  // the cluster.
  void StartSupervisor() {
    supervisor_ = std::thread([this] { Supervise(); });
  }
  absl::Status WaitUntilReady(absl::Time deadline) const {
    for (;;) {
      absl::Status readiness = Readiness();
      if (readiness.ok() ||
          readiness.code() != absl::StatusCode::kUnavailable ||
          absl::Now() >= deadline) {
        return readiness;
      }
      // The connection's state is nats.c's and wakes nobody here: look
      // again every step, and at once when the supervisor learns more.
      MutexLock lock(&mutex_);
      state_changed_.WaitUntil(&mutex_,
                               std::min(deadline, absl::Now() + kReadyPollStep),
                               [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                                 return closed_ || fatal_;
                               });
    }
  }
  absl::Status Readiness() const {
    if (absl::Status usable = Usable(); !usable.ok()) return usable;
    MutexLock lock(&mutex_);
    return probe_error_;
  }

  absl::StatusOr<std::vector<AppendOutcome>> Append(
      const std::vector<LogAppend>& entries);
  absl::StatusOr<std::vector<v1::LogRecord>> Read(uint64_t after_seq,
                                                  size_t max_records) const;

  // The head is known to others only once the log has started (and can be
  // read up to it).
  uint64_t head_seq() const {
    MutexLock lock(&mutex_);
    return started_ ? head_ : 0;
  }
  uint64_t WaitForHeadAbove(uint64_t seq, absl::Time deadline) const {
    MutexLock lock(&mutex_);
    head_changed_.WaitUntil(&mutex_, deadline,
                            [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
                              return (started_ && head_ > seq) || closed_;
                            });
    return started_ ? head_ : 0;
  }
  LogIdentity identity() const {
    MutexLock lock(&mutex_);
    if (history_.empty()) return LogIdentity{};
    return LogIdentity{log_id_, history_.back().epoch};
  }
  std::vector<EpochStart> epochs() const {
    MutexLock lock(&mutex_);
    return history_;
  }
  absl::Status CheckPosition(const LogIdentity& seen,
                             uint64_t applied_seq) const {
    if (absl::Status usable = Usable(); !usable.ok()) return usable;
    // Another ingest replica may have told the reader of a record this one
    // has not heard of yet: ask the stream before calling the reader ahead,
    // and do not call it ahead on a head that could not be refreshed.
    if (applied_seq > head_seq()) {
      if (absl::Status refreshed = RefreshHead(); !refreshed.ok()) {
        return refreshed;
      }
    }
    std::string log_id;
    std::vector<EpochStart> history;
    {
      MutexLock lock(&mutex_);
      log_id = log_id_;
      history = history_;
    }
    return CheckLogPosition(log_id, history, head_seq(), seen, applied_seq);
  }
  void Close() {
    {
      MutexLock lock(&mutex_);
      closed_ = true;
    }
    head_changed_.SignalAll();
    state_changed_.SignalAll();
  }
  bool closed() const {
    MutexLock lock(&mutex_);
    return closed_;
  }

 private:
  // The supervisor thread: connects and prepares the stream, retrying while
  // the cluster is unreachable (but not when the stream's configuration
  // disagrees), then probes the stream so that Readiness follows the
  // cluster and the head never lags far behind other writers even when the
  // tail's consumer is being re-created.
  void Supervise();
  // One attempt at what Open needs: a connection, the stream, the tail.
  absl::Status StartOnce();
  absl::Status Connect();
  absl::Status EnsureStream();
  absl::Status StartTail();
  // Checks that a server takes the stream's messages, then asks the
  // stream's leader for its state; records the answer.
  void Probe();
  absl::Status ProbePublishPath() const;
  // Publishes `entries` and waits for their PubAcks (Append's outcome),
  // publishing again what no server took, and what has a dedup id and was
  // not answered within kResendInterval, until `request_timeout` has
  // passed. Called with append_mutex_ held.
  absl::StatusOr<std::vector<AppendOutcome>> PublishBatch(
      const std::vector<LogAppend>& entries);
  // The message that appends `entry`, conditioned on the stream's last
  // sequence being `stream_last`; every copy of an entry is this message.
  static absl::StatusOr<natsMsg*> MakeMessage(const LogAppend& entry,
                                              const std::string& stream,
                                              uint64_t stream_last);
  // Publishes `msg` (and takes it), a copy of entry `i` of the batch in
  // flight, its PubAck awaited for at most `max_wait`.
  absl::Status PublishCopy(natsMsg* msg, size_t i, absl::Duration max_wait);
  // Whether the stored message `seq` is `entry`'s: it carries the entry's
  // dedup id. False when there is no such message.
  absl::StatusOr<bool> StoredBy(const LogAppend& entry, uint64_t seq) const;
  // Erases the records that the stored `entries` superseded. A record that
  // cannot be erased now is left to EraseUnerasedRecords: the appends
  // themselves succeeded.
  void EraseSuperseded(const std::vector<LogAppend>& entries,
                       const std::vector<AppendOutcome>& outcomes);
  // Overwrites and removes the stream's message `seq` on every server; OK
  // when it is gone (erased now, or before).
  absl::Status EraseRecord(uint64_t seq) const;
  // EraseRecord for each of `seqs`, pipelined.
  absl::Status EraseRecords(const std::vector<uint64_t>& seqs) const;
  // When the stream holds more messages than bulletins, finds each
  // bulletin's superseded record and erases it.
  absl::Status EraseUnerasedRecords();
  // The seq of the first message on `subject` at or after `from`;
  // NOT_FOUND when there is none.
  absl::StatusOr<uint64_t> FirstSeqOn(const std::string& subject,
                                      uint64_t from) const;
  // The head mark (see HeadMark): creates its stream when missing, reads
  // it, starts a new epoch in `history` (and in the stream's description,
  // `config`) when the stream is behind it, and sets it to `last_seq`.
  absl::Status FollowHeadMark(const jsStreamConfig& config,
                              const std::string& log_id,
                              std::vector<EpochStart>* history,
                              uint64_t last_seq);
  absl::Status EnsureMarkStream();
  // The mark, or none when never written (or unreadable).
  absl::StatusOr<std::optional<HeadMark>> ReadHeadMark() const;
  absl::Status WriteHeadMark(const HeadMark& mark) const;
  // Moves the mark up to the head when the head passed it (supervisor).
  void AdvanceHeadMark();
  // Read's bulk path: up to `max_records` records after `after_seq`, through
  // a consumer; empty when it answered nothing (Read then gets them one by
  // one, waiting for a lagging server).
  absl::StatusOr<std::vector<v1::LogRecord>> FetchRecords(uint64_t after_seq,
                                                          size_t max_records,
                                                          uint64_t head) const;
  // Appends the record `msg` holds, at `seq`, to `records`.
  static absl::Status ParseRecord(natsMsg* msg, uint64_t seq,
                                  std::vector<v1::LogRecord>* records);
  // Turns the duplicates among `outcomes` whose slot another writer
  // claimed into FAILED_PRECONDITION (see PublishBatch). An entry refused
  // with "wrong last sequence" after a copy of it went unanswered (its
  // `owner_seqs` is not 0, see OnPubAck) becomes a success at that seq when
  // the message there is its own.
  void ResolveDuplicates(const std::vector<LogAppend>& entries,
                         const std::vector<uint64_t>& owner_seqs,
                         std::vector<AppendOutcome>* outcomes) const;
  // Waits until `deadline` or Close.
  void SleepUntil(absl::Time deadline) const {
    MutexLock lock(&mutex_);
    state_changed_.WaitUntil(
        &mutex_, deadline,
        [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return closed_; });
  }
  // OK when Append and Read may try the cluster: started, connected, open.
  absl::Status Usable() const {
    {
      MutexLock lock(&mutex_);
      if (closed_) return absl::UnavailableError("the JetStream log is closed");
      if (!started_) return start_error_;
    }
    return ConnectionStatus();
  }
  // OK while connected to a server of the cluster. Only after started_.
  absl::Status ConnectionStatus() const {
    if (natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED) {
      return absl::OkStatus();
    }
    return absl::UnavailableError(absl::StrCat(
        "NATS JetStream is unreachable: lost the connection to the cluster (",
        servers_, "); ingest keeps reconnecting, retry later"));
  }

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
  absl::Status RefreshHead() const;
  jsOptions RequestOptions() const {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = absl::ToInt64Milliseconds(options_.request_timeout);
    return options;
  }

  static void OnTailMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                            void* closure);
  // The tail's last callback has returned.
  static void OnTailStopped(void* closure);
  static void OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                       void* closure);

  const Options options_;
  const std::string bulletin_subjects_;
  // The head mark's stream and subject.
  const std::string mark_stream_;
  const std::string mark_subject_;
  // The servers as the flag lists them, for messages.
  const std::string servers_;
  natsOptions* nats_options_ = nullptr;
  // Set by the supervisor before it sets started_ (under mutex_), and only
  // used by others after they saw started_: fixed from then on.
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
  natsSubscription* tail_ = nullptr;
  std::thread supervisor_;

  // Held by Append for a whole batch: one batch's acks are awaited at a
  // time, and its stream-wide condition chain must not interleave.
  Mutex append_mutex_;
  // Guards the batch in flight; taken by OnPubAck on a NATS thread.
  Mutex acks_mutex_;
  // Signalled when an entry of the batch in flight is answered for good or
  // is to be published again.
  CondVar acks_changed_;
  // Where an entry of the batch in flight stands (PublishBatch).
  struct EntryAcks {
    // Its outcome is final.
    bool settled = false;
    // A copy was published and is not answered yet (at most one is).
    bool awaiting = false;
    // Copies may be published until its outcome is known: it has a dedup
    // id, by which JetStream (and ResolveDuplicates) tell a copy of it.
    bool resendable = false;
    // A copy went unanswered: it may have been stored.
    bool maybe_stored = false;
    // When to publish it again, if not settled by then.
    absl::Time resend_at = absl::InfiniteFuture();
    // Refused with "wrong last sequence: N" after a copy went unanswered:
    // N may be that copy's seq (ResolveDuplicates).
    uint64_t owner_seq = 0;
  };
  // The batch in flight: its unanswered copies, by message, and the state
  // and outcome of each of its entries; null between batches.
  absl::flat_hash_map<natsMsg*, size_t> in_flight_ ABSL_GUARDED_BY(acks_mutex_);
  std::vector<EntryAcks>* entry_acks_ ABSL_GUARDED_BY(acks_mutex_) = nullptr;
  std::vector<AppendOutcome>* outcomes_ ABSL_GUARDED_BY(acks_mutex_) = nullptr;
  // When the batch in flight stops publishing copies.
  absl::Time resend_until_ ABSL_GUARDED_BY(acks_mutex_);
  // Answers taken by OnPubAck, ever: what PublishBatch waits on to change.
  uint64_t answers_ ABSL_GUARDED_BY(acks_mutex_) = 0;

  mutable Mutex mutex_;
  mutable CondVar head_changed_;
  // Signalled when started_, fatal_, probe_error_ or closed_ change.
  mutable CondVar state_changed_;
  // Mutable: PublishHead, from const readers too, only moves it forward.
  mutable uint64_t head_ ABSL_GUARDED_BY(mutex_) = 0;
  bool closed_ ABSL_GUARDED_BY(mutex_) = false;
  // True once connected, with the stream checked and its head followed.
  bool started_ ABSL_GUARDED_BY(mutex_) = false;
  // Why not started yet; with fatal_, why never.
  absl::Status start_error_ ABSL_GUARDED_BY(mutex_);
  bool fatal_ ABSL_GUARDED_BY(mutex_) = false;
  // Set by OnTailStopped.
  bool tail_stopped_ ABSL_GUARDED_BY(mutex_) = false;
  // The last probe's failure, once started.
  absl::Status probe_error_ ABSL_GUARDED_BY(mutex_);
  // The stream held more messages than bulletins when last asked: some
  // superseded record may be waiting to be erased. Mutable: the const
  // RefreshHead learns it with the head.
  mutable bool superseded_unerased_ ABSL_GUARDED_BY(mutex_) = false;
  // The highest seq this replica wrote into the head mark.
  uint64_t marked_seq_ ABSL_GUARDED_BY(mutex_) = 0;
  // Fixed once the stream is read.
  std::string log_id_ ABSL_GUARDED_BY(mutex_);
  std::vector<EpochStart> history_ ABSL_GUARDED_BY(mutex_);
};

absl::Status JetStreamLog::Impl::Configure() {
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
  return absl::OkStatus();
}

void JetStreamLog::Impl::Supervise() {
  const absl::Time began = absl::Now();
  while (!closed()) {
    absl::Status started = StartOnce();
    {
      MutexLock lock(&mutex_);
      if (started.ok()) {
        started_ = true;
        start_error_ = absl::OkStatus();
      } else if (started.code() == absl::StatusCode::kUnavailable) {
        start_error_ = absl::UnavailableError(
            absl::StrCat(started.message(), " (trying since ",
                         absl::FormatDuration(absl::Trunc(absl::Now() - began,
                                                          absl::Seconds(1))),
                         "; ingest keeps trying, retry later)"));
      } else {
        start_error_ = started;
        fatal_ = true;
      }
    }
    state_changed_.SignalAll();
    head_changed_.SignalAll();  // The head is known from now on.
    if (started.ok()) break;
    if (started.code() != absl::StatusCode::kUnavailable) return;
    SleepUntil(absl::Now() + kRetryInterval);
  }
  absl::Time next_sweep = absl::Now();
  while (!closed()) {
    Probe();
    if (Readiness().ok()) AdvanceHeadMark();
    if (absl::Now() >= next_sweep && Readiness().ok()) {
      // Retried at the next probe when the cluster did not let it finish.
      if (EraseUnerasedRecords().ok()) {
        next_sweep = absl::Now() + options_.scrub_interval;
      }
    }
    SleepUntil(absl::Now() +
               (Readiness().ok() ? kProbeInterval : kRetryInterval));
  }
}

absl::Status JetStreamLog::Impl::StartOnce() {
  if (connection_ == nullptr) {
    if (absl::Status connected = Connect(); !connected.ok()) return connected;
  }
  if (absl::Status stream = EnsureStream(); !stream.ok()) return stream;
  return StartTail();
}

absl::Status JetStreamLog::Impl::Connect() {
  natsConnection* connection = nullptr;
  natsStatus status = natsConnection_Connect(&connection, nats_options_);
  if (status != NATS_OK) {
    return absl::UnavailableError(
        absl::StrCat("NATS JetStream is unreachable: cannot connect to any of ",
                     servers_, ": ", NatsText(status)));
  }
  jsOptions js_options = RequestOptions();
  js_options.PublishAsync.AckHandler = &Impl::OnPubAck;
  js_options.PublishAsync.AckHandlerClosure = this;
  js_options.PublishAsync.MaxPending = 4096;
  jsCtx* js = nullptr;
  status = natsConnection_JetStream(&js, connection, &js_options);
  if (status != NATS_OK) {
    natsConnection_Destroy(connection);
    return Unavailable("cannot use JetStream", status);
  }
  connection_ = connection;
  js_ = js;
  return absl::OkStatus();
}

absl::Status JetStreamLog::Impl::EnsureStream() {
  const std::string all_subjects = absl::StrCat(options_.stream, ".>");
  const int64_t duplicates_ns = absl::ToInt64Nanoseconds(options_.dedup_window);
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
      config.MaxMsgsPerSubject = kMessagesPerBulletin;
      config.Duplicates = duplicates_ns;
      config.AllowDirect = true;
      status = js_AddStream(&info, js_, &config, &request, &error_code);
      if (status != NATS_OK && error_code != JSStreamNameExistErr) {
        // A cluster still forming has no JetStream leader yet, or a leader
        // that does not yet know enough peers to place the replicas: the
        // supervisor tries again.
        const bool forming = status == NATS_TIMEOUT ||
                             status == NATS_NO_RESPONDERS ||
                             error_code == JSClusterNoPeersErr ||
                             error_code == JSClusterNotAvailErr;
        const std::string why =
            absl::StrCat("cannot create stream ", options_.stream, " at ",
                         servers_, ": ", NatsText(status));
        if (forming) {
          return absl::UnavailableError(
              absl::StrCat("NATS JetStream is not ready: ", why));
        }
        return absl::FailedPreconditionError(why);
      }
      if (status != NATS_OK) continue;  // Another replica created it: read it.
    } else if (status != NATS_OK) {
      return absl::UnavailableError(absl::StrCat(
          "NATS JetStream is unreachable: cannot read stream ", options_.stream,
          " at ", servers_, ": ", NatsText(status)));
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
    if (config.MaxMsgsPerSubject != kMessagesPerBulletin) {
      mismatches.push_back(absl::StrCat(
          "max_msgs_per_subject is ", config.MaxMsgsPerSubject, ", must be ",
          kMessagesPerBulletin,
          " (a bulletin's record and the one it superseded until erased; "
          "a stream from an earlier release: nats stream edit ",
          options_.stream, " --max-msgs-per-subject=", kMessagesPerBulletin,
          ")"));
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
    std::string log_id;
    std::vector<EpochStart> history;
    const bool has_identity =
        config.Description != nullptr &&
        DecodeIdentity(config.Description, &log_id, &history);
    if (!has_identity) {
      mismatches.push_back(
          "its description holds no bulletin log identity (was it created "
          "by something else?)");
    }
    const uint64_t last_seq = info->State.LastSeq;
    if (!mismatches.empty()) {
      jsStreamInfo_Destroy(info);
      return absl::FailedPreconditionError(
          absl::StrCat("stream ", options_.stream,
                       " exists with a configuration this log cannot use: ",
                       absl::StrJoin(mismatches, "; "),
                       ". Fix the stream or the flags; ingest never changes "
                       "an existing stream."));
    }
    absl::Status marked =
        FollowHeadMark(*info->Config, log_id, &history, last_seq);
    jsStreamInfo_Destroy(info);
    if (!marked.ok()) return marked;
    {
      MutexLock lock(&mutex_);
      log_id_ = std::move(log_id);
      history_ = std::move(history);
    }
    PublishHead(last_seq);
    return absl::OkStatus();
  }
}

absl::StatusOr<std::optional<HeadMark>> JetStreamLog::Impl::ReadHeadMark()
    const {
  jsOptions request = RequestOptions();
  natsMsg* msg = nullptr;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  const natsStatus status =
      js_GetLastMsg(&msg, js_, mark_stream_.c_str(), mark_subject_.c_str(),
                    &request, &error_code);
  if (status == NATS_NOT_FOUND) return std::optional<HeadMark>();
  if (status != NATS_OK) {
    return Unavailable(
        absl::StrCat("cannot read the head mark in stream ", mark_stream_),
        status);
  }
  std::optional<HeadMark> mark = DecodeHeadMark(absl::string_view(
      natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))));
  natsMsg_Destroy(msg);
  // Unreadable: as if there were none (it is rewritten below).
  return mark;
}

absl::Status JetStreamLog::Impl::WriteHeadMark(const HeadMark& mark) const {
  const std::string payload = EncodeHeadMark(mark);
  jsPubOptions publish;
  jsPubOptions_Init(&publish);
  publish.MaxWait = absl::ToInt64Milliseconds(options_.request_timeout);
  jsPubAck* ack = nullptr;
  const natsStatus status =
      js_Publish(&ack, js_, mark_subject_.c_str(), payload.data(),
                 static_cast<int>(payload.size()), &publish, nullptr);
  jsPubAck_Destroy(ack);
  if (status != NATS_OK) {
    return Unavailable(
        absl::StrCat("cannot write the head mark in stream ", mark_stream_),
        status);
  }
  return absl::OkStatus();
}

absl::Status JetStreamLog::Impl::EnsureMarkStream() {
  jsOptions request = RequestOptions();
  jsStreamInfo* info = nullptr;
  jsErrCode error_code = static_cast<jsErrCode>(0);
  natsStatus status =
      js_GetStreamInfo(&info, js_, mark_stream_.c_str(), &request, &error_code);
  if (status == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return absl::OkStatus();
  }
  if (status != NATS_NOT_FOUND && error_code != JSStreamNotFoundErr) {
    return Unavailable(absl::StrCat("cannot read stream ", mark_stream_),
                       status);
  }
  const std::string description = absl::StrCat(
      "bulletin-log head mark of stream ", options_.stream,
      ": the highest seq it reached; never back it up or restore it with it");
  const char* subjects[] = {mark_subject_.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = mark_stream_.c_str();
  config.Description = description.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Retention = js_LimitsPolicy;
  config.Replicas = options_.replicas;
  config.MaxMsgsPerSubject = 1;
  status = js_AddStream(&info, js_, &config, &request, &error_code);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (status != NATS_OK && error_code != JSStreamNameExistErr) {
    return Unavailable(absl::StrCat("cannot create stream ", mark_stream_),
                       status);
  }
  return absl::OkStatus();
}

absl::Status JetStreamLog::Impl::FollowHeadMark(
    const jsStreamConfig& config, const std::string& log_id,
    std::vector<EpochStart>* history, uint64_t last_seq) {
  if (absl::Status ensured = EnsureMarkStream(); !ensured.ok()) {
    return ensured;
  }
  absl::StatusOr<std::optional<HeadMark>> mark = ReadHeadMark();
  if (!mark.ok()) return mark.status();
  if (mark->has_value() && (*mark)->log_id == log_id &&
      (*mark)->seq > last_seq) {
    // The stream went back: restored from a backup taken before its head
    // reached the mark. Its seqs after last_seq will be new records, so
    // they start a new epoch, and a reader that went further under the old
    // one is told to rebuild (CheckLogPosition). The new epoch is one no
    // replica used yet (the mark was not restored, and carries the latest),
    // and the same whichever replica gets here first.
    EpochStart epoch;
    epoch.epoch = std::max(history->back().epoch, (*mark)->epoch) + 1;
    epoch.first_seq = last_seq + 1;
    history->push_back(epoch);
    const std::string description = EncodeIdentity(log_id, *history);
    jsStreamConfig updated = config;
    updated.Description = description.c_str();
    jsOptions request = RequestOptions();
    jsStreamInfo* info = nullptr;
    const natsStatus status =
        js_UpdateStream(&info, js_, &updated, &request, nullptr);
    if (info != nullptr) jsStreamInfo_Destroy(info);
    if (status != NATS_OK) {
      return Unavailable(
          absl::StrCat("cannot start a new epoch in the description of stream ",
                       options_.stream, ", which went back to seq ", last_seq,
                       " from ", (*mark)->seq),
          status);
    }
  }
  // The mark now follows this log from its head.
  HeadMark now{log_id, history->back().epoch, last_seq};
  if (absl::Status written = WriteHeadMark(now); !written.ok()) return written;
  MutexLock lock(&mutex_);
  marked_seq_ = last_seq;
  return absl::OkStatus();
}

void JetStreamLog::Impl::AdvanceHeadMark() {
  HeadMark mark;
  {
    MutexLock lock(&mutex_);
    if (head_ <= marked_seq_ || history_.empty()) return;
    mark = HeadMark{log_id_, history_.back().epoch, head_};
  }
  if (WriteHeadMark(mark).ok()) {
    MutexLock lock(&mutex_);
    marked_seq_ = std::max(marked_seq_, mark.seq);
  }
}

absl::Status JetStreamLog::Impl::RefreshHead() const {
  jsOptions request = RequestOptions();
  jsStreamInfo* info = nullptr;
  const natsStatus status =
      js_GetStreamInfo(&info, js_, options_.stream.c_str(), &request, nullptr);
  if (status != NATS_OK) {
    return absl::UnavailableError(absl::StrCat(
        "NATS JetStream does not answer for stream ", options_.stream, " at ",
        servers_, " (a majority of the servers down, or a leader election): ",
        NatsText(status)));
  }
  const uint64_t last_seq = info->State.LastSeq;
  const uint64_t subjects =
      static_cast<uint64_t>(std::max<int64_t>(info->State.NumSubjects, 0));
  const bool unerased = info->State.Msgs > subjects;
  jsStreamInfo_Destroy(info);
  {
    MutexLock lock(&mutex_);
    superseded_unerased_ = unerased;
  }
  PublishHead(last_seq);
  return absl::OkStatus();
}

absl::Status JetStreamLog::Impl::ProbePublishPath() const {
  // A publish into the stream's subjects that the stream refuses before
  // storing anything (it expects another stream): any answer means a server
  // takes the stream's messages; no responders means none does yet, as
  // after the servers restart, before the stream's interest has spread.
  const std::string subject = absl::StrCat(options_.stream, ".probe");
  natsMsg* probe = nullptr;
  natsMsg* reply = nullptr;
  natsStatus status =
      natsMsg_Create(&probe, subject.c_str(), nullptr, nullptr, 0);
  if (status == NATS_OK) {
    status = natsMsgHeader_Set(probe, kExpectedStreamHeader,
                               "bulletin-probe-expects-no-such-stream");
  }
  if (status == NATS_OK) {
    status = natsConnection_RequestMsg(
        &reply, connection_, probe,
        absl::ToInt64Milliseconds(options_.request_timeout));
  }
  if (probe != nullptr) natsMsg_Destroy(probe);
  if (reply != nullptr) natsMsg_Destroy(reply);
  if (status == NATS_OK) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "no NATS server takes stream ", options_.stream,
      "'s messages now (its servers are starting or it is between leaders): ",
      NatsText(status)));
}

void JetStreamLog::Impl::Probe() {
  absl::Status answer = ConnectionStatus();
  // The publish path first. Between leaders nobody takes the stream's
  // messages, and the server says so at once (no responders). A stream
  // info request, though, is ignored by the surviving servers until their
  // election timer fires (nats-server 2.9.10's jsStreamInfoRequest: they
  // still count the dead server as the leader) and waits out the whole
  // request timeout: asked first, it kept readiness failed, and the
  // GroupCommitter refusing every batch, until up to 5 s after the new
  // leader was elected.
  if (answer.ok()) answer = ProbePublishPath();
  if (answer.ok()) answer = RefreshHead();
  {
    MutexLock lock(&mutex_);
    if (probe_error_ == answer) return;
    probe_error_ = std::move(answer);
  }
  state_changed_.SignalAll();
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
  uint64_t head = 0;
  {
    MutexLock lock(&mutex_);
    head = head_;  // As EnsureStream read it; not yet published.
  }
  subscription.Config.OptStartSeq = head + 1;
  jsOptions request = RequestOptions();
  natsSubscription* tail = nullptr;
  natsStatus status =
      js_Subscribe(&tail, js_, bulletin_subjects_.c_str(), &Impl::OnTailMessage,
                   this, &request, &subscription, nullptr);
  if (status != NATS_OK) {
    return Unavailable("cannot follow the stream's head", status);
  }
  tail_ = tail;  // The destructor stops it from here on.
  status = natsSubscription_SetOnCompleteCB(tail_, &Impl::OnTailStopped, this);
  if (status != NATS_OK) {
    return absl::InternalError(absl::StrCat(
        "cannot watch the stream's head subscription: ", NatsText(status)));
  }
  return absl::OkStatus();
}

void JetStreamLog::Impl::OnTailStopped(void* closure) {
  Impl* impl = static_cast<Impl*>(closure);
  // Signalled under the lock: the destructor, which waits for this, cannot
  // free the condition variable while it is still being signalled.
  MutexLock lock(&impl->mutex_);
  impl->tail_stopped_ = true;
  impl->state_changed_.SignalAll();
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
    // Absent: an answer for a batch that already gave up waiting.
    if (it != impl->in_flight_.end() && impl->outcomes_ != nullptr) {
      const size_t i = it->second;
      impl->in_flight_.erase(it);
      EntryAcks& entry = (*impl->entry_acks_)[i];
      AppendOutcome& outcome = (*impl->outcomes_)[i];
      entry.awaiting = false;
      const absl::Time now = absl::Now();
      const bool may_resend = now < impl->resend_until_;
      // Answered for good unless sent again below.
      entry.settled = true;
      if (ack != nullptr) {
        outcome.seq = ack->Sequence;
        outcome.duplicate = ack->Duplicate;
      } else if (error != nullptr &&
                 error->ErrCode == JSStreamWrongLastSequenceErr) {
        // "wrong last sequence: N" names the stream's actual last sequence
        // when the stream-wide condition failed, or the bulletin's when its
        // own did: learn it for the retry.
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
        // nats-server 2.9 checks a bulletin's condition against its stored
        // messages before it looks at the message id: a copy that arrives
        // after an earlier copy of the same entry was stored (its PubAck
        // lost) is refused naming that copy's seq instead of being
        // answered as a duplicate. ResolveDuplicates looks whose it is.
        if (entry.maybe_stored) entry.owner_seq = actual;
        outcome.status = absl::FailedPreconditionError(
            absl::StrCat("the log changed under this append: ", text));
      } else if (error != nullptr && error->Err == NATS_NO_RESPONDERS &&
                 (entry.resendable || !entry.maybe_stored) &&
                 now + kNoRespondersRetryWait < impl->resend_until_) {
        // Nobody subscribes to the stream's subjects on the server: this
        // copy was not stored. Publish it again shortly.
        entry.settled = false;
        entry.resend_at = now + kNoRespondersRetryWait;
      } else if (error != nullptr && error->Err == NATS_NO_RESPONDERS) {
        outcome.status = absl::UnavailableError(absl::StrCat(
            "no NATS server takes stream ", impl->options_.stream,
            "'s messages now (its servers are starting or it is between "
            "leaders): retry"));
      } else if (error != nullptr && error->Err == NATS_TIMEOUT &&
                 entry.resendable && may_resend) {
        // Unanswered within kResendInterval: lost, or just slow. A copy
        // cannot be stored twice (see PublishBatch): publish it again.
        entry.maybe_stored = true;
        entry.settled = false;
        entry.resend_at = now;
      } else if (error != nullptr && error->Err == NATS_TIMEOUT) {
        // The publish's own MaxWait passed (see PublishBatch).
        entry.maybe_stored = true;
        outcome.status = absl::UnavailableError(absl::StrCat(
            "no acknowledgement from the NATS cluster within ",
            absl::FormatDuration(impl->options_.request_timeout),
            " (is a majority of its servers up?); the record may or may not "
            "have been stored: retry"));
      } else {
        outcome.status = absl::UnavailableError(absl::StrCat(
            "JetStream did not store the record: ",
            error != nullptr && error->ErrText != nullptr
                ? std::string(error->ErrText)
                : NatsText(error != nullptr ? error->Err : NATS_ERR)));
      }
      ++impl->answers_;
      impl->acks_changed_.SignalAll();
    }
  }
  natsMsg_Destroy(msg);
}

absl::StatusOr<std::vector<AppendOutcome>> JetStreamLog::Impl::Append(
    const std::vector<LogAppend>& entries) {
  if (entries.empty()) return std::vector<AppendOutcome>();
  MutexLock append_lock(&append_mutex_);
  if (absl::Status usable = Usable(); !usable.ok()) return usable;
  absl::StatusOr<std::vector<AppendOutcome>> outcomes = PublishBatch(entries);
  if (outcomes.ok()) EraseSuperseded(entries, *outcomes);
  return outcomes;
}

absl::StatusOr<natsMsg*> JetStreamLog::Impl::MakeMessage(
    const LogAppend& entry, const std::string& stream, uint64_t stream_last) {
  const absl::string_view id = BulletinIdOf(entry.record);
  std::string payload;
  entry.record.SerializeToString(&payload);
  const std::string subject = absl::StrCat(stream, ".b.", id);
  natsMsg* msg = nullptr;
  natsStatus status =
      natsMsg_Create(&msg, subject.c_str(), nullptr, payload.data(),
                     static_cast<int>(payload.size()));
  if (status == NATS_OK) {
    status = natsMsgHeader_Set(msg, kExpectedStreamHeader, stream.c_str());
  }
  if (status == NATS_OK) {
    status = natsMsgHeader_Set(msg, kExpectedLastSeqHeader,
                               absl::StrCat(stream_last).c_str());
  }
  if (status == NATS_OK && entry.expected_last_seq.has_value()) {
    status = natsMsgHeader_Set(msg, kExpectedLastSubjectSeqHeader,
                               absl::StrCat(*entry.expected_last_seq).c_str());
  }
  // A conditional entry claims its bulletin's version slot: its
  // Nats-Msg-Id names the bulletin and the record it follows. JetStream
  // checks message ids when it applies messages, in Raft order, so of two
  // writers that decided against the same record only the first is
  // stored, even when both passed the per-subject precheck (which sees
  // stored messages only). The entry's own dedup id travels in a header,
  // to tell a retry of this entry (a true duplicate) from a rival's
  // claim (see ResolveDuplicates).
  if (status == NATS_OK && entry.expected_last_seq.has_value()) {
    status = natsMsgHeader_Set(
        msg, kMsgIdHeader,
        absl::StrCat(id, "@", *entry.expected_last_seq).c_str());
    if (status == NATS_OK && !entry.dedup_id.empty()) {
      status = natsMsgHeader_Set(msg, kDedupIdHeader, entry.dedup_id.c_str());
    }
  } else if (status == NATS_OK && !entry.dedup_id.empty()) {
    status = natsMsgHeader_Set(msg, kMsgIdHeader, entry.dedup_id.c_str());
  }
  if (status != NATS_OK) {
    if (msg != nullptr) natsMsg_Destroy(msg);
    return Unavailable("cannot make a NATS message", status);
  }
  return msg;
}

absl::Status JetStreamLog::Impl::PublishCopy(natsMsg* msg, size_t i,
                                             absl::Duration max_wait) {
  {
    MutexLock lock(&acks_mutex_);
    in_flight_[msg] = i;
    EntryAcks& entry = (*entry_acks_)[i];
    entry.awaiting = true;
    entry.resend_at = absl::InfiniteFuture();
  }
  natsMsg* published = msg;
  // Every publish gets its own deadline, after which nats.c answers it
  // with a timeout: a PubAck lost with a killed server (or a reply inbox
  // cut by a reconnect) would otherwise stay pending in the context
  // forever.
  jsPubOptions publish;
  jsPubOptions_Init(&publish);
  publish.MaxWait = std::max<int64_t>(1, absl::ToInt64Milliseconds(max_wait));
  const natsStatus status = js_PublishMsgAsync(js_, &msg, &publish);
  if (status == NATS_OK) return absl::OkStatus();
  {
    MutexLock lock(&acks_mutex_);
    in_flight_.erase(published);
    EntryAcks& entry = (*entry_acks_)[i];
    entry.awaiting = false;
    entry.settled = true;
  }
  if (msg != nullptr) natsMsg_Destroy(msg);
  return Unavailable("cannot publish to NATS", status);
}

absl::StatusOr<std::vector<AppendOutcome>> JetStreamLog::Impl::PublishBatch(
    const std::vector<LogAppend>& entries) {
  std::vector<AppendOutcome> outcomes(entries.size());
  std::vector<EntryAcks> entry_acks(entries.size());
  const absl::Time began = absl::Now();
  const absl::Time until = began + options_.request_timeout;
  {
    MutexLock lock(&acks_mutex_);
    in_flight_.clear();
    outcomes_ = &outcomes;
    entry_acks_ = &entry_acks;
    resend_until_ = until;
  }
  // Every publish is also conditioned on the whole stream's last sequence,
  // chained through the batch: nats-server 2.9 checks a per-subject
  // condition against stored messages only, so two writers' publishes on
  // the same expected sequence can both be stored when they race (seen with
  // 2.9.10 in RacingConditionalWritersKeepOneLinearHistory), while the
  // stream-wide condition is checked against proposals in flight too. The
  // chain starts where the writer had read the log (read_through_seq), not
  // at this replica's head, which may already include records the writer
  // has not read (the racing-replicas fault test saw one version given
  // twice that way). A batch therefore succeeds as a whole or, from its
  // first failure on, not at all; the committer decides the rest again.
  uint64_t expected_stream_last = head_seq();
  for (const LogAppend& entry : entries) {
    if (entry.read_through_seq.has_value()) {
      expected_stream_last =
          std::min(expected_stream_last, *entry.read_through_seq);
    }
  }
  // Each entry's expectation of the stream's last sequence, which every
  // copy of it repeats.
  std::vector<uint64_t> stream_lasts(entries.size());
  // A copy of an entry is the same message: the same slot claim (or dedup
  // id) and the same conditions. nats-server 2.9 applies messages in Raft
  // order and checks the message id before the conditions when it applies
  // one, so of all the copies of an entry at most one is stored, and any
  // copy that comes after it is answered as its duplicate (or, for a
  // bulletin's own condition, checked before the leader proposes the copy,
  // refused naming its seq: see OnPubAck). Copies are therefore sent again
  // only of entries with a dedup id; one without is sent again only after
  // no server took it.
  // How long a copy of entry `i` published now waits for its PubAck.
  const auto copy_wait = [&](size_t i) {
    const absl::Duration left = until - absl::Now();
    return entries[i].dedup_id.empty() ? left : std::min(kResendInterval, left);
  };
  absl::Status failure;
  for (size_t i = 0; i < entries.size() && failure.ok(); ++i) {
    const absl::string_view id = BulletinIdOf(entries[i].record);
    if (!IsSubjectToken(id)) {
      outcomes[i].status = absl::InvalidArgumentError(absl::StrCat(
          "bulletin id '", id, "' is not a valid NATS subject token"));
      MutexLock lock(&acks_mutex_);
      entry_acks[i].settled = true;
      continue;
    }
    stream_lasts[i] = expected_stream_last++;
    {
      MutexLock lock(&acks_mutex_);
      entry_acks[i].resendable = !entries[i].dedup_id.empty();
    }
    absl::StatusOr<natsMsg*> msg =
        MakeMessage(entries[i], options_.stream, stream_lasts[i]);
    failure = msg.ok() ? PublishCopy(*msg, i, copy_wait(i)) : msg.status();
  }
  // Waits for this batch's answers only (js_PublishAsyncComplete would
  // wait for every publish of the context, stale ones included), and sends
  // again what is to be sent again, in the batch's order. Each publish is
  // answered by its MaxWait at the latest; the margin covers nats.c's
  // timer.
  const absl::Time wait_until = until + kAckTimerMargin;
  bool unanswered = false;
  for (;;) {
    std::vector<size_t> resend;
    {
      MutexLock lock(&acks_mutex_);
      for (;;) {
        bool awaiting = false;
        absl::Time next = absl::InfiniteFuture();
        for (const EntryAcks& entry : entry_acks) {
          if (entry.settled) continue;
          if (entry.awaiting) {
            awaiting = true;
          } else {
            next = std::min(next, entry.resend_at);
          }
        }
        const absl::Time now = absl::Now();
        if (!awaiting && next == absl::InfiniteFuture()) break;
        if (now >= wait_until) break;
        if (!failure.ok() || closed()) {
          // Nothing more is sent: wait for what was.
          if (!awaiting) break;
          next = absl::InfiniteFuture();
        } else if (next <= now) {
          break;
        }
        const uint64_t seen = answers_;
        acks_changed_.WaitUntil(&acks_mutex_, std::min(next, wait_until),
                                [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                                    acks_mutex_) { return answers_ != seen; });
      }
      const absl::Time now = absl::Now();
      if (failure.ok() && now < wait_until && !closed()) {
        for (size_t i = 0; i < entry_acks.size(); ++i) {
          const EntryAcks& entry = entry_acks[i];
          if (!entry.settled && !entry.awaiting && entry.resend_at <= now) {
            resend.push_back(i);
          }
        }
      }
      if (resend.empty()) {
        unanswered = std::any_of(entry_acks.begin(), entry_acks.end(),
                                 [](const EntryAcks& e) { return !e.settled; });
        in_flight_.clear();
        outcomes_ = nullptr;
        entry_acks_ = nullptr;
        break;
      }
    }
    for (size_t i : resend) {
      if (!failure.ok()) break;
      absl::StatusOr<natsMsg*> msg =
          MakeMessage(entries[i], options_.stream, stream_lasts[i]);
      failure = msg.ok() ? PublishCopy(*msg, i, copy_wait(i)) : msg.status();
    }
  }
  if (failure.ok() && !unanswered && options_.metrics != nullptr) {
    options_.metrics->ObserveSync(absl::Now() - began);
  }
  if (failure.ok() && unanswered) {
    failure = absl::UnavailableError(absl::StrCat(
        "no acknowledgement from the NATS cluster within ",
        absl::FormatDuration(options_.request_timeout),
        " (is a majority of its servers up?); the records may or may not "
        "have been stored: retry"));
  }
  if (!failure.ok()) return failure;
  std::vector<uint64_t> owner_seqs(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    owner_seqs[i] = entry_acks[i].owner_seq;
  }
  ResolveDuplicates(entries, owner_seqs, &outcomes);
  uint64_t last = 0;
  absl::Status unavailable;
  for (const AppendOutcome& outcome : outcomes) {
    if (outcome.status.code() == absl::StatusCode::kUnavailable &&
        unavailable.ok()) {
      unavailable = outcome.status;
    }
    if (outcome.status.ok()) last = std::max(last, outcome.seq);
  }
  if (!unavailable.ok()) return unavailable;
  PublishHead(last);
  return outcomes;
}

absl::StatusOr<bool> JetStreamLog::Impl::StoredBy(const LogAppend& entry,
                                                  uint64_t seq) const {
  // Asked of the stream's leader, which has every stored message.
  jsOptions request = RequestOptions();
  natsMsg* stored = nullptr;
  const natsStatus status =
      js_GetMsg(&stored, js_, options_.stream.c_str(), seq, &request, nullptr);
  const char* dedup_id = nullptr;
  const bool ours =
      status == NATS_OK &&
      natsMsgHeader_Get(stored, kDedupIdHeader, &dedup_id) == NATS_OK &&
      !entry.dedup_id.empty() && entry.dedup_id == dedup_id;
  if (stored != nullptr) natsMsg_Destroy(stored);
  if (status != NATS_OK && status != NATS_NOT_FOUND) {
    return Unavailable(
        absl::StrCat("cannot tell who wrote bulletin ",
                     BulletinIdOf(entry.record), " at seq ", seq),
        status);
  }
  return ours;
}

void JetStreamLog::Impl::ResolveDuplicates(
    const std::vector<LogAppend>& entries,
    const std::vector<uint64_t>& owner_seqs,
    std::vector<AppendOutcome>* outcomes) const {
  for (size_t i = 0; i < entries.size(); ++i) {
    AppendOutcome& outcome = (*outcomes)[i];
    if (owner_seqs[i] != 0 &&
        outcome.status.code() == absl::StatusCode::kFailedPrecondition &&
        entries[i].expected_last_seq.has_value()) {
      // Refused after a copy of it may have been stored: when the message
      // the refusal named is this entry's, that copy was stored, and this
      // is its seq.
      absl::StatusOr<bool> ours = StoredBy(entries[i], owner_seqs[i]);
      if (!ours.ok()) {
        outcome.status = ours.status();
      } else if (*ours) {
        outcome.status = absl::OkStatus();
        outcome.seq = owner_seqs[i];
        outcome.duplicate = true;
      }
      continue;
    }
    if (!outcome.status.ok() || !outcome.duplicate ||
        !entries[i].expected_last_seq.has_value()) {
      continue;
    }
    // The slot was claimed: by an earlier attempt of this very entry, or by
    // another writer. Ask the stream's leader whose record holds it.
    absl::StatusOr<bool> ours = StoredBy(entries[i], outcome.seq);
    if (ours.ok() && *ours) continue;
    if (!ours.ok()) {
      outcome.status = ours.status();
    } else {
      // Stored, so the head is at least there: the writer catches up to it
      // before deciding again.
      PublishHead(outcome.seq);
      outcome.status = absl::FailedPreconditionError(absl::StrCat(
          "another writer already wrote the record of bulletin ",
          BulletinIdOf(entries[i].record), " that follows seq ",
          *entries[i].expected_last_seq, " (at seq ", outcome.seq, ")"));
    }
    outcome.seq = 0;
    outcome.duplicate = false;
  }
}

void JetStreamLog::Impl::EraseSuperseded(
    const std::vector<LogAppend>& entries,
    const std::vector<AppendOutcome>& outcomes) {
  std::vector<uint64_t> superseded_seqs;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!outcomes[i].status.ok()) continue;
    uint64_t superseded = 0;
    if (entries[i].expected_last_seq.has_value()) {
      superseded = *entries[i].expected_last_seq;
    } else {
      // Whatever record the bulletin had before this one.
      const std::string subject =
          absl::StrCat(options_.stream, ".b.", BulletinIdOf(entries[i].record));
      absl::StatusOr<uint64_t> first = FirstSeqOn(subject, 1);
      if (first.ok() && *first < outcomes[i].seq) superseded = *first;
    }
    if (superseded != 0) superseded_seqs.push_back(superseded);
  }
  if (!EraseRecords(superseded_seqs).ok()) {
    MutexLock lock(&mutex_);
    superseded_unerased_ = true;
  }
}

absl::Status JetStreamLog::Impl::EraseRecords(
    const std::vector<uint64_t>& seqs) const {
  if (seqs.size() <= 1) {
    return seqs.empty() ? absl::OkStatus() : EraseRecord(seqs[0]);
  }
  // All requests first, then the answers: one round trip for the batch
  // instead of one per record (a batch of 32 corrections took 5 times as
  // long as 32 new bulletins erased one by one). Answers come to one inbox,
  // <inbox>.<index>. What is not answered with success is erased again on
  // its own, which tells "gone already" apart.
  natsInbox* inbox = nullptr;
  natsSubscription* replies = nullptr;
  natsStatus status = natsInbox_Create(&inbox);
  const std::string reply_prefix = status == NATS_OK ? inbox : "";
  if (status == NATS_OK) {
    status = natsConnection_SubscribeSync(&replies, connection_,
                                          (reply_prefix + ".*").c_str());
  }
  const std::string api =
      absl::StrCat("$JS.API.STREAM.MSG.DELETE.", options_.stream);
  for (size_t i = 0; i < seqs.size() && status == NATS_OK; ++i) {
    const std::string request = absl::StrCat("{\"seq\":", seqs[i], "}");
    status = natsConnection_PublishRequest(
        connection_, api.c_str(), absl::StrCat(reply_prefix, ".", i).c_str(),
        request.data(), static_cast<int>(request.size()));
  }
  std::vector<bool> erased(seqs.size(), false);
  size_t answers = 0;
  const absl::Time give_up = absl::Now() + options_.request_timeout;
  while (status == NATS_OK && answers < seqs.size()) {
    const int64_t wait_ms =
        std::max<int64_t>(1, absl::ToInt64Milliseconds(give_up - absl::Now()));
    natsMsg* reply = nullptr;
    if (natsSubscription_NextMsg(&reply, replies, wait_ms) != NATS_OK) break;
    absl::string_view subject = natsMsg_GetSubject(reply);
    size_t index = 0;
    if (absl::ConsumePrefix(&subject, reply_prefix) &&
        absl::ConsumePrefix(&subject, ".") &&
        absl::SimpleAtoi(subject, &index) && index < seqs.size()) {
      const absl::string_view answer(
          natsMsg_GetData(reply),
          static_cast<size_t>(natsMsg_GetDataLength(reply)));
      erased[index] = absl::StrContains(answer, "\"success\":true");
      ++answers;
    }
    natsMsg_Destroy(reply);
  }
  if (replies != nullptr) natsSubscription_Destroy(replies);
  if (inbox != nullptr) natsInbox_Destroy(inbox);
  absl::Status result;
  for (size_t i = 0; i < seqs.size(); ++i) {
    if (!erased[i]) result.Update(EraseRecord(seqs[i]));
  }
  return result;
}

absl::Status JetStreamLog::Impl::EraseRecord(uint64_t seq) const {
  jsOptions request = RequestOptions();
  jsErrCode error_code = static_cast<jsErrCode>(0);
  const natsStatus status =
      js_EraseMsg(js_, options_.stream.c_str(), seq, &request, &error_code);
  if (status == NATS_OK) return absl::OkStatus();
  // Gone already (another replica's erase or sweep got there first) is
  // what was asked; the server's answer for that differs between its
  // versions, so ask the stream itself.
  natsMsg* stored = nullptr;
  const natsStatus lookup =
      js_GetMsg(&stored, js_, options_.stream.c_str(), seq, &request, nullptr);
  if (stored != nullptr) natsMsg_Destroy(stored);
  if (lookup == NATS_NOT_FOUND) return absl::OkStatus();
  return Unavailable(absl::StrCat("cannot erase the superseded record at seq ",
                                  seq, " of stream ", options_.stream),
                     status);
}

absl::StatusOr<uint64_t> JetStreamLog::Impl::FirstSeqOn(
    const std::string& subject, uint64_t from) const {
  jsDirectGetMsgOptions get;
  jsDirectGetMsgOptions_Init(&get);
  get.Sequence = from;
  get.NextBySubject = subject.c_str();
  jsOptions request = RequestOptions();
  natsMsg* msg = nullptr;
  const natsStatus status =
      js_DirectGetMsg(&msg, js_, options_.stream.c_str(), &request, &get);
  if (status == NATS_NOT_FOUND) {
    return absl::NotFoundError(absl::StrCat("no message on ", subject));
  }
  if (status != NATS_OK) {
    return Unavailable(absl::StrCat("cannot read ", subject), status);
  }
  const char* sequence = nullptr;
  uint64_t seq = 0;
  const bool valid =
      natsMsgHeader_Get(msg, kSequenceHeader, &sequence) == NATS_OK &&
      absl::SimpleAtoi(sequence, &seq);
  natsMsg_Destroy(msg);
  if (!valid) {
    return absl::DataLossError(
        absl::StrCat("a message on ", subject, " has no valid sequence"));
  }
  return seq;
}

absl::Status JetStreamLog::Impl::EraseUnerasedRecords() {
  {
    MutexLock lock(&mutex_);
    if (!superseded_unerased_) return absl::OkStatus();
  }
  jsOptions request = RequestOptions();
  request.Stream.Info.SubjectsFilter = bulletin_subjects_.c_str();
  jsStreamInfo* info = nullptr;
  const natsStatus status =
      js_GetStreamInfo(&info, js_, options_.stream.c_str(), &request, nullptr);
  if (status != NATS_OK) {
    return Unavailable("cannot list the stream's bulletins", status);
  }
  // Subjects holding a superseded record besides the last one.
  std::vector<std::string> subjects;
  if (info->State.Subjects != nullptr) {
    for (int i = 0; i < info->State.Subjects->Count; ++i) {
      const jsStreamStateSubject& subject = info->State.Subjects->List[i];
      if (subject.Msgs > 1) subjects.emplace_back(subject.Subject);
    }
  }
  jsStreamInfo_Destroy(info);
  absl::Status result;
  for (const std::string& subject : subjects) {
    // The earlier of the subject's two messages is the superseded one.
    absl::StatusOr<uint64_t> superseded = FirstSeqOn(subject, 1);
    if (!superseded.ok()) {
      if (superseded.status().code() != absl::StatusCode::kNotFound) {
        result.Update(superseded.status());
      }
      continue;
    }
    absl::StatusOr<uint64_t> last = FirstSeqOn(subject, *superseded + 1);
    if (!last.ok()) continue;  // Erased meanwhile: one message left.
    result.Update(EraseRecord(*superseded));
  }
  if (result.ok()) {
    MutexLock lock(&mutex_);
    superseded_unerased_ = false;
  }
  return result;
}

absl::Status JetStreamLog::Impl::ParseRecord(
    natsMsg* msg, uint64_t seq, std::vector<v1::LogRecord>* records) {
  v1::LogRecord& record = records->emplace_back();
  if (!record.ParseFromArray(natsMsg_GetData(msg),
                             natsMsg_GetDataLength(msg))) {
    return absl::DataLossError(
        absl::StrCat("stream message ", seq, " is not a log record"));
  }
  record.set_seq(seq);
  if (record.has_upsert()) record.mutable_upsert()->set_seq(seq);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::LogRecord>> JetStreamLog::Impl::FetchRecords(
    uint64_t after_seq, size_t max_records, uint64_t head) const {
  // An ephemeral pull consumer from after_seq + 1, asked once for what it
  // has (no_wait), up to the batch: one request instead of one per record.
  // Never acknowledged; deleted when the subscription is. A pull consumer,
  // because it sends only the batch asked for (a push consumer would send
  // the rest of the stream, and a client that falls behind drops messages).
  jsSubOptions subscription;
  jsSubOptions_Init(&subscription);
  subscription.Stream = options_.stream.c_str();
  subscription.Config.DeliverPolicy = js_DeliverByStartSequence;
  subscription.Config.OptStartSeq = after_seq + 1;
  subscription.Config.AckPolicy = js_AckExplicit;
  // Unacknowledged, a whole batch is pending at once (the default, 1000,
  // would stop the delivery there and leave the fetch waiting).
  subscription.Config.MaxAckPending = static_cast<int64_t>(kMaxFetchBatch);
  subscription.Config.InactiveThreshold =
      absl::ToInt64Nanoseconds(options_.request_timeout);
  jsOptions request = RequestOptions();
  natsSubscription* consumer = nullptr;
  natsStatus status =
      js_PullSubscribe(&consumer, js_, bulletin_subjects_.c_str(), nullptr,
                       &request, &subscription, nullptr);
  if (status != NATS_OK) {
    return Unavailable(
        absl::StrCat("cannot read the stream after seq ", after_seq), status);
  }
  const size_t batch = std::min<uint64_t>(
      max_records, std::min<uint64_t>(head - after_seq, kMaxFetchBatch));
  jsFetchRequest fetch;
  jsFetchRequest_Init(&fetch);
  fetch.Batch = static_cast<int>(batch);
  fetch.NoWait = true;
  fetch.Expires = absl::ToInt64Nanoseconds(options_.request_timeout);
  natsMsgList list{};
  status = natsSubscription_FetchRequest(&list, consumer, &fetch);
  std::vector<v1::LogRecord> records;
  absl::Status parsed;
  uint64_t last = after_seq;
  for (int i = 0; status == NATS_OK && i < list.Count && parsed.ok(); ++i) {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, list.Msgs[i]) != NATS_OK) {
      parsed = absl::DataLossError(absl::StrCat("a stream message after seq ",
                                                last, " has no metadata"));
      break;
    }
    const uint64_t seq = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
    if (seq <= last) {
      parsed = absl::DataLossError(absl::StrCat(
          "the stream's consumer went back from seq ", last, " to ", seq));
      break;
    }
    parsed = ParseRecord(list.Msgs[i], seq, &records);
    last = seq;
  }
  natsMsgList_Destroy(&list);
  natsSubscription_Unsubscribe(consumer);
  natsSubscription_Destroy(consumer);
  if (!parsed.ok()) return parsed;
  if (status != NATS_OK && status != NATS_NOT_FOUND && status != NATS_TIMEOUT) {
    return Unavailable(
        absl::StrCat("cannot read the stream after seq ", after_seq), status);
  }
  if (last > head) PublishHead(last);
  return records;
}

absl::StatusOr<std::vector<v1::LogRecord>> JetStreamLog::Impl::Read(
    uint64_t after_seq, size_t max_records) const {
  if (absl::Status usable = Usable(); !usable.ok()) return usable;
  uint64_t head = head_seq();
  if (after_seq > head) {
    RefreshHead().IgnoreError();  // Then OUT_OF_RANGE is the answer.
    head = head_seq();
    if (after_seq > head) {
      return absl::OutOfRangeError(absl::StrCat(
          "seq ", after_seq, " is beyond the head of the log (", head, ")"));
    }
  }
  std::vector<v1::LogRecord> records;
  uint64_t next = after_seq + 1;
  if (max_records > kDirectReadLimit && head - after_seq > kDirectReadLimit) {
    absl::StatusOr<std::vector<v1::LogRecord>> fetched =
        FetchRecords(after_seq, max_records, head);
    if (!fetched.ok() &&
        fetched.status().code() == absl::StatusCode::kDataLoss) {
      return fetched.status();
    }
    // Where the consumer could not be made, or its server had less than
    // the head (a replica still catching up), the direct gets below go on
    // from where it stopped, and wait for a lagging server.
    if (fetched.ok() && !fetched->empty()) {
      records = *std::move(fetched);
      next = records.back().seq() + 1;
      head = std::max(head, records.back().seq());
    }
  }
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
      // nothing from `next` up to the head is a replica still catching up,
      // whether or not it had the records before `next`: wait for it (or
      // for the next request to reach another one), rather than end the
      // read short of what the writer was told is there.
      if (absl::Now() < lag_deadline) {
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
    absl::Status parsed = ParseRecord(msg, seq, &records);
    natsMsg_Destroy(msg);
    if (!parsed.ok()) return parsed;
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
  const absl::Duration connect_timeout = options.connect_timeout;
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log = Start(std::move(options));
  if (!log.ok()) return log.status();
  absl::Status ready = (*log)->WaitUntilReady(absl::Now() + connect_timeout);
  if (!ready.ok()) return ready;
  return log;
}

absl::StatusOr<std::unique_ptr<JetStreamLog>> JetStreamLog::Start(
    Options options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status configured = impl->Configure(); !configured.ok()) {
    return configured;
  }
  impl->StartSupervisor();
  return std::unique_ptr<JetStreamLog>(new JetStreamLog(std::move(impl)));
}

absl::Status JetStreamLog::WaitUntilReady(absl::Time deadline) const {
  return impl_->WaitUntilReady(deadline);
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

std::vector<EpochStart> JetStreamLog::epochs() const { return impl_->epochs(); }

absl::Status JetStreamLog::CheckPosition(const LogIdentity& seen,
                                         uint64_t applied_seq) const {
  return impl_->CheckPosition(seen, applied_seq);
}

bool JetStreamLog::writable() const { return !impl_->closed(); }

void JetStreamLog::Close() { impl_->Close(); }

bool JetStreamLog::closed() const { return impl_->closed(); }

absl::Status JetStreamLog::Readiness() const { return impl_->Readiness(); }

}  // namespace bulletin
