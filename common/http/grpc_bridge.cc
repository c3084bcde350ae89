#include "common/http/grpc_bridge.h"

#include <utility>

#include "absl/time/clock.h"
#include "common/server/call_interceptor.h"

namespace bulletin {
namespace {

// Every operation here is awaited before the next starts, so one tag does.
void* const kTag = reinterpret_cast<void*>(1);

// How often a unary call looks whether its caller has gone.
constexpr absl::Duration kCallerPoll = absl::Milliseconds(100);

void AddOrigin(const GrpcBridge::Origin& origin, grpc::ClientContext* context) {
  if (!origin.request_id.empty()) {
    context->AddMetadata(kRequestIdKey, origin.request_id);
  }
  if (!origin.caller.empty()) {
    context->AddMetadata(kForwardedCallerKey, origin.caller);
    context->AddMetadata(kInProcessKeyKey, InProcessKey());
  }
}

}  // namespace

GrpcBridge::GrpcBridge(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)), stub_(channel_) {}

grpc::Status GrpcBridge::Unary(const std::string& full_method,
                               const google::protobuf::Message& request,
                               const CallBounds& bounds,
                               google::protobuf::Message* response,
                               const Origin& origin,
                               std::string* answered_request_id) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(bounds.deadline()));
  AddOrigin(origin, &context);
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::ClientAsyncResponseReader<google::protobuf::Message>>
      call = stub_.PrepareUnaryCall(&context, full_method, request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(response, &status, kTag);
  void* tag = nullptr;
  bool ok = false;
  // The call has a deadline, so Finish always completes; a caller who has
  // gone cancels it sooner.
  bool cancelled = false;
  while (queue.AsyncNext(&tag, &ok,
                         absl::ToChronoTime(absl::Now() + kCallerPoll)) ==
         grpc::CompletionQueue::TIMEOUT) {
    if (!cancelled && bounds.IsCancelled()) {
      context.TryCancel();
      cancelled = true;
    }
  }
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  if (answered_request_id != nullptr) {
    const auto& trailers = context.GetServerTrailingMetadata();
    auto id = trailers.find(kRequestIdKey);
    if (id != trailers.end()) {
      answered_request_id->assign(id->second.data(), id->second.size());
    }
  }
  return status;
}

std::unique_ptr<GrpcBridge::Stream> GrpcBridge::StartStream(
    const std::string& full_method, const google::protobuf::Message& request,
    const Origin& origin) {
  std::unique_ptr<Stream> stream(new Stream());
  AddOrigin(origin, &stream->context_);
  stream->call_ =
      stub_.PrepareCall(&stream->context_, full_method, &stream->queue_);
  bool ok = false;
  stream->call_->StartCall(kTag);
  stream->pending_ = true;
  stream->Await(absl::InfiniteFuture(), &ok);
  if (ok) {
    stream->call_->WriteLast(request, grpc::WriteOptions(), kTag);
    stream->pending_ = true;
    stream->Await(absl::InfiniteFuture(), &ok);
  }
  if (!ok) stream->ended_ = true;
  return stream;
}

bool GrpcBridge::Stream::Await(absl::Time deadline, bool* ok) {
  void* tag = nullptr;
  switch (queue_.AsyncNext(&tag, ok, absl::ToChronoTime(deadline))) {
    case grpc::CompletionQueue::GOT_EVENT:
      pending_ = false;
      return true;
    case grpc::CompletionQueue::TIMEOUT:
      return false;
    case grpc::CompletionQueue::SHUTDOWN:
      break;
  }
  pending_ = false;
  *ok = false;
  return true;
}

grpc::Status GrpcBridge::Stream::WaitStarted(absl::Time deadline) {
  if (!ended_) {
    bool ok = false;
    call_->ReadInitialMetadata(kTag);
    pending_ = true;
    if (!Await(deadline, &ok)) {
      Cancel();
      Await(absl::InfiniteFuture(), &ok);
      ok = false;
    }
    // A handler that fails before writing anything still sends initial
    // metadata with its status, so this is OK then too: its status comes
    // from the first Read ending and Finish.
    if (ok) return grpc::Status::OK;
    ended_ = true;
  }
  return Finish();
}

GrpcBridge::Stream::ReadResult GrpcBridge::Stream::Read(
    google::protobuf::Message* message, absl::Time deadline) {
  if (ended_) return kEnded;
  if (!pending_) {
    read_target_ = message;
    call_->Read(read_target_, kTag);
    pending_ = true;
  }
  bool ok = false;
  if (!Await(deadline, &ok)) return kTimeout;
  if (!ok) {
    ended_ = true;
    return kEnded;
  }
  if (read_target_ != message) message->CopyFrom(*read_target_);
  return kMessage;
}

grpc::Status GrpcBridge::Stream::Finish() {
  if (finished_) return status_;
  bool ok = false;
  if (pending_) Await(absl::InfiniteFuture(), &ok);
  call_->Finish(&status_, kTag);
  pending_ = true;
  Await(absl::InfiniteFuture(), &ok);
  finished_ = true;
  ended_ = true;
  return status_;
}

GrpcBridge::Stream::~Stream() {
  if (!finished_) {
    Cancel();
    Finish();
  }
  queue_.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue_.Next(&tag, &ok)) {
  }
}

}  // namespace bulletin
