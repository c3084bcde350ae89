// Calls a gRPC method by its full name with protobuf messages of any type,
// over a channel: the HTTP gateway hands each request to the server's
// in-process channel, so an HTTP call runs the same handlers, interceptors
// (metrics), size limits and deadlines as a gRPC call, and no semantics
// live twice.
//
//   bulletin::GrpcBridge bridge(server->InProcessChannel({}));
//   v1::GetResponse response;
//   grpc::Status status = bridge.Unary(
//       "/bulletin.v1.QueryService/Get", request,
//       bulletin::CallBounds(deadline, nullptr), &response);
//
//   std::unique_ptr<bulletin::GrpcBridge::Stream> stream =
//       bridge.StartStream("/bulletin.v1.QueryService/Watch", request);
//   grpc::Status started = stream->WaitStarted(deadline);  // registered?
//   v1::WatchEvent event;
//   while (stream->Read(&event, absl::Now() + absl::Seconds(1)) !=
//          bulletin::GrpcBridge::Stream::kEnded) { ... }
//   grpc::Status final = stream->Finish();
//
// Ownership: the bridge shares the channel; a Stream must not outlive the
// bridge's channel (it holds a reference to it).
// Thread-safety: Unary and StartStream may be called from any thread; one
// Stream is used by one thread at a time, except Cancel, which any thread
// may call.

#ifndef BULLETIN_COMMON_HTTP_GRPC_BRIDGE_H_
#define BULLETIN_COMMON_HTTP_GRPC_BRIDGE_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/server/call_deadline.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
// SerializationTraits for google::protobuf::Message, which the stub needs.
#include "grpcpp/impl/codegen/proto_utils.h"

namespace bulletin {

class GrpcBridge {
 public:
  using Stub = grpc::TemplatedGenericStub<google::protobuf::Message,
                                          google::protobuf::Message>;

  // One server-streaming call.
  class Stream {
   public:
    enum ReadResult { kMessage, kTimeout, kEnded };

    ~Stream();  // Cancels the call if it has not ended, and drains it.
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    // Waits until the server has sent its initial metadata (for Watch: the
    // standing query is registered) and returns OK, or returns the call's
    // final status when it could not start. A handler that fails at once
    // (e.g. INVALID_ARGUMENT) sends metadata with its status, so its error
    // comes from Read and Finish, not from here.
    grpc::Status WaitStarted(absl::Time deadline);

    // The next message into `message` (kMessage); kTimeout when none came by
    // `deadline` (call again: the read stays pending); kEnded when the call
    // is over (then call Finish).
    ReadResult Read(google::protobuf::Message* message, absl::Time deadline);

    // The call's final status, once Read returned kEnded.
    grpc::Status Finish();

    // Ends the call early; Read then returns kEnded and Finish CANCELLED.
    void Cancel() { context_.TryCancel(); }

   private:
    friend class GrpcBridge;
    Stream() = default;
    // Waits for the one pending operation; false on timeout.
    bool Await(absl::Time deadline, bool* ok);

    grpc::ClientContext context_;
    grpc::CompletionQueue queue_;
    std::unique_ptr<grpc::ClientAsyncReaderWriter<google::protobuf::Message,
                                                  google::protobuf::Message>>
        call_;
    // Whether an operation is in flight (at most one is).
    bool pending_ = false;
    // Where the pending read goes; the message given to the first Read that
    // started it.
    google::protobuf::Message* read_target_ = nullptr;
    bool ended_ = false;
    bool finished_ = false;
    grpc::Status status_;
  };

  // On whose behalf a call is made (common/server/call_interceptor.h).
  struct Origin {
    // Goes out as the call's x-request-id when not empty.
    std::string request_id;
    // The caller the gateway authenticated ("bearer:...", "cert:..."),
    // which the service's CallerOf then reports; empty: none.
    std::string caller;
  };

  explicit GrpcBridge(std::shared_ptr<grpc::Channel> channel);

  // Calls a unary method and waits for its answer: with `bounds`' deadline,
  // and cancelled once its caller has gone (looked at every 100 ms).
  // The id the server answered with (origin's, or one it made) comes back
  // in `*answered_request_id` when given.
  grpc::Status Unary(const std::string& full_method,
                     const google::protobuf::Message& request,
                     const CallBounds& bounds,
                     google::protobuf::Message* response,
                     const Origin& origin = {},
                     std::string* answered_request_id = nullptr);

  // Starts a server-streaming method with `request`.
  std::unique_ptr<Stream> StartStream(const std::string& full_method,
                                      const google::protobuf::Message& request,
                                      const Origin& origin = {});

 private:
  std::shared_ptr<grpc::Channel> channel_;
  Stub stub_;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_HTTP_GRPC_BRIDGE_H_
