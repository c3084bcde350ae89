#include "query-service/feed_follower.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/feed/feed_trailers.h"
#include "common/log/json_log.h"
#include "common/sync/wait.h"

namespace bulletin {
namespace {

constexpr absl::Duration kWatchdogPeriod = absl::Milliseconds(250);

}  // namespace

FeedFollower::FeedFollower(BulletinIndex* index, Options options,
                           std::function<void()> on_caught_up,
                           AppliedCallback on_applied)
    : index_(index),
      options_(std::move(options)),
      on_caught_up_(std::move(on_caught_up)),
      on_applied_(std::move(on_applied)) {}

FeedFollower::~FeedFollower() { Stop(); }

void FeedFollower::Start() {
  thread_ = std::thread([this] { Run(); });
  watchdog_ = std::thread([this] { Watchdog(); });
}

void FeedFollower::Stop() {
  {
    MutexLock lock(&mutex_);
    stopping_ = true;
    if (active_context_ != nullptr) active_context_->TryCancel();
  }
  stop_requested_.SignalAll();
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
}

uint64_t FeedFollower::head_seq() const {
  MutexLock lock(&mutex_);
  return head_seq_;
}

bool FeedFollower::caught_up() const {
  MutexLock lock(&mutex_);
  return caught_up_;
}

int64_t FeedFollower::connections() const {
  MutexLock lock(&mutex_);
  return connections_;
}

int64_t FeedFollower::records_applied() const {
  MutexLock lock(&mutex_);
  return records_applied_;
}

void FeedFollower::Watchdog() {
  MutexLock lock(&mutex_);
  while (!stopping_) {
    stop_requested_.WaitUntil(
        &mutex_, absl::Now() + kWatchdogPeriod,
        [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_; });
    if (active_context_ != nullptr &&
        absl::Now() - last_message_ > options_.silence_timeout) {
      LogWarning(
          "feed_silent",
          {{"seconds", absl::ToDoubleSeconds(options_.silence_timeout)}});
      active_context_->TryCancel();
      last_message_ = absl::Now();  // One cancel per silence.
    }
  }
}

std::string FeedTarget(const std::string& ingest_address) {
  // A comma-separated list of host:port is one target of several ingest
  // replicas: gRPC's ipv4/ipv6 resolvers take the list, and pick_first moves
  // to the next address when the one streaming goes away. Anything else
  // (one address, dns:///name:port) is a gRPC target already.
  if (ingest_address.find(',') == std::string::npos ||
      ingest_address.find(":///") != std::string::npos) {
    return ingest_address;
  }
  const bool ipv6 = ingest_address.front() == '[';
  return absl::StrCat(ipv6 ? "ipv6:" : "ipv4:", ingest_address);
}

std::shared_ptr<grpc::Channel> IngestChannel(
    const std::string& ingest_address,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    absl::Duration max_backoff) {
  grpc::ChannelArguments arguments;
  // Records can be as large as the largest bulletin ingest accepts.
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                   static_cast<int>(absl::ToInt64Milliseconds(max_backoff)));
  return grpc::CreateCustomChannel(FeedTarget(ingest_address),
                                   std::move(credentials), arguments);
}

void FeedFollower::Run() {
  auto current_credentials = [this,
                              insecure = grpc::InsecureChannelCredentials()] {
    return options_.credentials ? options_.credentials->Current() : insecure;
  };
  std::shared_ptr<grpc::ChannelCredentials> credentials = current_credentials();
  std::unique_ptr<v1::Feed::Stub> stub = v1::Feed::NewStub(IngestChannel(
      options_.ingest_address, credentials, options_.max_backoff));

  std::mt19937_64 random(std::random_device{}());
  absl::Duration backoff = options_.initial_backoff;
  // Where records go: the serving index, or a fresh one being rebuilt
  // beside it after the log was replaced. Each knows the log it follows
  // (BulletinIndex::log_identity), which a snapshot may have set.
  std::unique_ptr<BulletinIndex> rebuilding;
  for (;;) {
    BulletinIndex* target = rebuilding ? rebuilding.get() : index_;
    // A renewed certificate or rotated token: connect with it from now on.
    if (std::shared_ptr<grpc::ChannelCredentials> now = current_credentials();
        now != credentials) {
      credentials = std::move(now);
      stub = v1::Feed::NewStub(IngestChannel(
          options_.ingest_address, credentials, options_.max_backoff));
      LogInfo("feed_credentials_changed", {{"replica", options_.replica_id}});
    }
    Stream stream;
    grpc::Status status = FollowOnce(*stub, target, &stream);
    {
      MutexLock lock(&mutex_);
      if (stopping_) return;
    }
    if (stream.caught_up && rebuilding) {
      // Rebuilt: serve the new log's records, at once.
      if (options_.served_log != nullptr) options_.served_log->BeginReplace();
      index_->ReplaceWith(*rebuilding);  // Moves the log identity too.
      if (options_.served_log != nullptr) {
        options_.served_log->Replaced(index_->log_identity(), stream.epochs);
      }
      rebuilding.reset();
      if (options_.on_log_replaced) options_.on_log_replaced();
      BecomeCaughtUp(stream.head_at_connect);
      continue;
    }
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      // What this replica holds is not a prefix of the log it now reaches.
      // It must not serve it as current, and must not wipe it in place: it
      // stops serving, rebuilds beside it and swaps when caught up.
      const bool log_is_empty = stream.refused_by_empty_log;
      LostLog(status.error_message(), log_is_empty);
      if (log_is_empty && index_->applied_seq() > 0 &&
          !options_.accept_empty_log) {
        // An empty log where there was data is more likely a mistake (a
        // wrong address, a lost volume) than a deliberate reset: refuse,
        // keep the data, and look again later.
        LogError("feed_log_empty_refused",
                 {{"applied_seq", index_->applied_seq()},
                  {"bulletins", index_->Stats().bulletin_count()},
                  {"action",
                   "if the log was emptied on purpose, restart this replica "
                   "with --accept_empty_log"}});
        if (SleepOrStop(options_.max_backoff)) return;
        continue;
      }
      LogWarning("feed_rebuild", {{"reason", status.error_message()},
                                  {"applied_seq", index_->applied_seq()}});
      rebuilding = std::make_unique<BulletinIndex>();
      backoff = options_.initial_backoff;
      continue;
    }
    if (stream.received_any) backoff = options_.initial_backoff;
    LogWarning("feed_disconnected",
               {{"code", static_cast<int>(status.error_code())},
                {"message", status.error_message()},
                {"applied_seq", target->applied_seq()},
                {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    // Full jitter keeps many replicas from reconnecting in lockstep.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    if (SleepOrStop(backoff * jitter(random))) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

bool FeedFollower::SleepOrStop(absl::Duration sleep) {
  MutexLock lock(&mutex_);
  return stop_requested_.WaitUntil(
      &mutex_, absl::Now() + sleep,
      [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return stopping_; });
}

void FeedFollower::LostLog(const std::string& reason, bool log_is_empty) {
  bool was_serving = false;
  {
    MutexLock lock(&mutex_);
    was_serving = caught_up_;
    caught_up_ = false;
  }
  if (was_serving && options_.on_lost_log) {
    options_.on_lost_log(log_is_empty ? "the log is empty" : reason);
  }
}

void FeedFollower::BecomeCaughtUp(uint64_t head_at_connect) {
  // A replica at rest holds the least memory and searches only frozen lists
  // once compacted; Apply freezes only as the recent tier grows, which can
  // leave up to half the postings there (the index was 1.18x the text after
  // catching up to 100,000 bulletins in bench/load). Done before the replica
  // reports itself caught up, so that the time it takes counts in catch-up.
  index_->Compact();
  {
    MutexLock lock(&mutex_);
    caught_up_ = true;
  }
  LogInfo("caught_up", {{"applied_seq", index_->applied_seq()},
                        {"head_at_connect", head_at_connect},
                        {"records_applied", records_applied()}});
  if (on_caught_up_) on_caught_up_();
}

grpc::Status FeedFollower::FollowOnce(v1::Feed::Stub& stub,
                                      BulletinIndex* target, Stream* stream) {
  const bool rebuilding = target != index_;
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_seq(target->applied_seq());
  request.set_replica_id(options_.replica_id);
  if (target->applied_seq() > 0) {
    const LogIdentity identity = target->log_identity();
    request.set_log_id(identity.log_id);
    request.set_log_epoch(identity.epoch);
  }
  {
    MutexLock lock(&mutex_);
    if (stopping_) return grpc::Status::CANCELLED;
    active_context_ = &context;
    last_message_ = absl::Now();
    ++connections_;
  }
  std::unique_ptr<grpc::ClientReader<v1::FeedMessage>> reader =
      stub.Subscribe(&context, request);

  v1::FeedMessage message;
  grpc::Status failure;  // Set when the stream is abandoned by us.
  while (reader->Read(&message)) {
    stream->received_any = true;
    uint64_t reported_head = 0;
    if (message.has_heartbeat()) {
      const v1::Heartbeat& heartbeat = message.heartbeat();
      reported_head = heartbeat.head_seq();
      if (!stream->heard_heartbeat) {
        stream->heard_heartbeat = true;
        stream->head_at_connect = reported_head;
        // The records that follow belong to this log.
        const LogIdentity identity{heartbeat.log_id(), heartbeat.log_epoch()};
        target->SetLogIdentity(identity);
        for (const v1::LogEpoch& epoch : heartbeat.log_epochs()) {
          stream->epochs.push_back({epoch.epoch(), epoch.first_seq()});
        }
        if (!rebuilding && options_.served_log != nullptr &&
            options_.served_log->Heard(identity, stream->epochs) &&
            options_.on_log_replaced) {
          options_.on_log_replaced();
        }
      }
    } else if (message.has_record()) {
      const v1::LogRecord& record = message.record();
      // Seqs only increase; gaps are records the log compacted away.
      if (record.seq() <= target->applied_seq()) {
        failure = grpc::Status(
            grpc::StatusCode::DATA_LOSS,
            absl::StrCat("feed sent seq ", record.seq(), " after seq ",
                         target->applied_seq(), "; resubscribing"));
        context.TryCancel();
        break;
      }
      // Standing queries hear of changes to what is served, not of a
      // rebuild replaying a log from its start.
      const bool observed = !rebuilding && on_applied_;
      std::shared_ptr<const StoredRecord> replaced;
      target->Apply(record, observed ? &replaced : nullptr);
      if (observed) on_applied_(record, std::move(replaced));
    }
    bool reached_target = false;
    {
      MutexLock lock(&mutex_);
      last_message_ = absl::Now();
      if (message.has_record()) ++records_applied_;
      head_seq_ = std::max({head_seq_, reported_head, target->applied_seq()});
      reached_target = stream->heard_heartbeat && !stream->caught_up &&
                       target->applied_seq() >= stream->head_at_connect &&
                       (rebuilding || !caught_up_);
    }
    if (reached_target) {
      stream->caught_up = true;
      // A rebuild swaps in from Run, once this stream is closed.
      if (rebuilding) {
        context.TryCancel();
        break;
      }
      BecomeCaughtUp(stream->head_at_connect);
    }
  }
  grpc::Status finished = reader->Finish();
  if (finished.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto head = trailers.find(kLogHeadTrailer);
    stream->refused_by_empty_log =
        head != trailers.end() &&
        absl::string_view(head->second.data(), head->second.size()) == "0";
  }
  {
    MutexLock lock(&mutex_);
    active_context_ = nullptr;
  }
  return failure.ok() ? finished : failure;
}

}  // namespace bulletin
