#include "query-service/feed_follower.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (active_context_ != nullptr) active_context_->TryCancel();
  }
  stop_requested_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (watchdog_.joinable()) watchdog_.join();
}

uint64_t FeedFollower::head_seq() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return head_seq_;
}

bool FeedFollower::caught_up() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return caught_up_;
}

int64_t FeedFollower::connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return connections_;
}

void FeedFollower::Watchdog() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    WaitUntil(stop_requested_, lock, absl::Now() + kWatchdogPeriod,
              [this] { return stopping_; });
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

void FeedFollower::Run() {
  grpc::ChannelArguments arguments;
  // Records can be as large as the largest bulletin ingest accepts.
  arguments.SetMaxReceiveMessageSize(64 << 20);
  arguments.SetInt(
      GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options_.max_backoff)));
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      FeedTarget(options_.ingest_address),
      options_.credentials ? options_.credentials
                           : grpc::InsecureChannelCredentials(),
      arguments);
  std::unique_ptr<v1::Feed::Stub> stub = v1::Feed::NewStub(channel);

  std::mt19937_64 random(std::random_device{}());
  absl::Duration backoff = options_.initial_backoff;
  for (;;) {
    bool received_any = false;
    grpc::Status status = FollowOnce(*stub, &received_any);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      LogWarning("feed_rebuild", {{"reason", status.error_message()},
                                  {"applied_seq", index_->applied_seq()}});
      index_->Clear();
      backoff = options_.initial_backoff;
      continue;
    }
    if (received_any) backoff = options_.initial_backoff;
    LogWarning("feed_disconnected",
               {{"code", static_cast<int>(status.error_code())},
                {"message", status.error_message()},
                {"applied_seq", index_->applied_seq()},
                {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    // Full jitter keeps many replicas from reconnecting in lockstep.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    const absl::Duration sleep = backoff * jitter(random);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (WaitUntil(stop_requested_, lock, absl::Now() + sleep,
                    [this] { return stopping_; })) {
        return;
      }
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

grpc::Status FeedFollower::FollowOnce(v1::Feed::Stub& stub,
                                      bool* received_any) {
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_after_seq(index_->applied_seq());
  request.set_replica_id(options_.replica_id);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return grpc::Status::CANCELLED;
    active_context_ = &context;
    last_message_ = absl::Now();
    ++connections_;
  }
  std::unique_ptr<grpc::ClientReader<v1::FeedMessage>> reader =
      stub.Subscribe(&context, request);

  uint64_t target = 0;  // Head at connect; caught up once applied.
  bool have_target = false;
  v1::FeedMessage message;
  grpc::Status failure;  // Set when the stream is abandoned by us.
  while (reader->Read(&message)) {
    *received_any = true;
    uint64_t reported_head = 0;
    if (message.has_heartbeat()) {
      reported_head = message.heartbeat().head_seq();
      if (!have_target) {
        have_target = true;
        target = reported_head;
      }
    } else if (message.has_record()) {
      const v1::LogRecord& record = message.record();
      // Seqs only increase; gaps are records the log compacted away.
      if (record.seq() <= index_->applied_seq()) {
        failure = grpc::Status(
            grpc::StatusCode::DATA_LOSS,
            absl::StrCat("feed sent seq ", record.seq(), " after seq ",
                         index_->applied_seq(), "; resubscribing"));
        context.TryCancel();
        break;
      }
      index_->Apply(record);
      if (on_applied_) on_applied_(record);
    }
    bool reached_target = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      last_message_ = absl::Now();
      head_seq_ = std::max({head_seq_, reported_head, index_->applied_seq()});
      reached_target =
          have_target && !caught_up_ && index_->applied_seq() >= target;
    }
    if (reached_target) {
      // A replica at rest holds the least memory and searches only frozen
      // lists once compacted; Apply freezes only as the recent tier grows,
      // which can leave up to half the postings there (the index was 1.18x
      // the text after catching up to 100,000 bulletins in bench/load).
      // Done before the replica reports itself caught up, so that the time
      // it takes counts in catch-up.
      index_->Compact();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        caught_up_ = true;
      }
      LogInfo("caught_up", {{"applied_seq", index_->applied_seq()},
                            {"head_at_connect", target}});
      if (on_caught_up_) on_caught_up_();
    }
  }
  grpc::Status finished = reader->Finish();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    active_context_ = nullptr;
  }
  return failure.ok() ? finished : failure;
}

}  // namespace bulletin
