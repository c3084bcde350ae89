#include "common/server/call_interceptor.h"

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/log/json_log.h"
#include "common/server/auth.h"
#include "common/server/error_details.h"
#include "common/server/grpc_status.h"
#include "common/sync/mutex.h"
#include "grpc/grpc_security_constants.h"

namespace bulletin {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr size_t kMaxRequestIdBytes = 128;

bool UsableRequestId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (char c : id) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                         c == ':' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string NewRequestId() {
  // One generator for the process, not one per thread: gRPC's sync server
  // starts handler threads as calls come, and seeding a generator in each
  // new thread (std::random_device runs cpuid, a trap to the hypervisor in
  // a VM) took 8% of ingest's CPU at 32 submitters (docs/benchmarks.md,
  // "Write path").
  static Mutex* const mutex = new Mutex();
  static std::mt19937_64* const generator =
      new std::mt19937_64(std::random_device{}());
  uint64_t id = 0;
  {
    MutexLock lock(mutex);
    id = (*generator)();
  }
  return absl::StrFormat("%016x", id);
}

absl::string_view ToView(const grpc::string_ref& ref) {
  return absl::string_view(ref.data(), ref.size());
}

// Calls nobody needs a log line for when they fail: probes and tooling.
bool Quiet(absl::string_view method) {
  return absl::StartsWith(method, "/grpc.health.") ||
         absl::StartsWith(method, "/grpc.reflection.");
}

// Refusals for load come in floods exactly when the server is busiest:
// log one a second (the metrics count them all), not one a call.
bool Shed(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return false;
  }
  static std::atomic<int64_t> next_logged_ns{0};
  const int64_t now = absl::GetCurrentTimeNanos();
  int64_t next = next_logged_ns.load(std::memory_order_relaxed);
  return now < next || !next_logged_ns.compare_exchange_strong(
                           next, now + 1000000000, std::memory_order_relaxed);
}

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CallInterceptor(grpc::experimental::ServerRpcInfo* info)
      : info_(info), start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      AssignRequestId(methods->GetRecvInitialMetadata());
      CheckForwardedCaller(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      // gRPC received bytes it could not parse as the request message.
      unparseable_request_ = true;
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods);
    }
    methods->Proceed();
  }

 private:
  void AssignRequestId(
      std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    auto it = metadata->find(kRequestIdKey);
    if (it != metadata->end() && UsableRequestId(ToView(it->second))) {
      request_id_ = std::string(ToView(it->second));
      return;
    }
    if (it != metadata->end()) metadata->erase(it);
    request_id_ = NewRequestId();
    // The map holds references: request_id_ lives as long as the call.
    metadata->emplace(grpc::string_ref(kRequestIdKey),
                      grpc::string_ref(request_id_));
  }

  // Keeps a forwarded caller only when the call proves it comes from this
  // process; never lets a handler see the proof.
  static void CheckForwardedCaller(
      std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    bool proven = false;
    auto [key_begin, key_end] = metadata->equal_range(kInProcessKeyKey);
    for (auto it = key_begin; it != key_end; ++it) {
      proven = proven || TokensEqual(ToView(it->second), InProcessKey());
    }
    metadata->erase(key_begin, key_end);
    if (!proven) metadata->erase(kForwardedCallerKey);
  }

  void Finish(grpc::experimental::InterceptorBatchMethods* methods) {
    grpc::Status status = methods->GetSendStatus();
    if (unparseable_request_ &&
        status.error_code() == grpc::StatusCode::INTERNAL) {
      status = ToGrpcStatus(WithErrorInfo(
          absl::InvalidArgumentError(absl::StrCat(
              "the request is not a valid protobuf message for ",
              info_->method(),
              ": check that the client uses this service's protos")),
          kReasonMalformedRequest));
      methods->ModifySendStatus(status);
    } else if (!status.ok() && status.error_details().empty()) {
      // A handler that answered with a bare grpc::Status: give the error
      // the details every error carries (grpc_status.h).
      status = ToGrpcStatus(FromGrpcStatus(status));
      methods->ModifySendStatus(status);
    }
    if (!request_id_.empty()) {
      methods->GetSendTrailingMetadata()->emplace(kRequestIdKey, request_id_);
    }
    if (!status.ok()) {
      LogFailedCall(info_->method(), status, request_id_,
                    CallerOf(*info_->server_context()), absl::Now() - start_);
    }
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const absl::Time start_;
  std::string request_id_;
  bool unparseable_request_ = false;
};

class CallInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewCallInterceptorFactory() {
  return std::make_unique<CallInterceptorFactory>();
}

const std::string& InProcessKey() {
  static const std::string* const key = [] {
    std::random_device random;
    return new std::string(absl::StrFormat("%08x%08x%08x%08x", random(),
                                           random(), random(), random()));
  }();
  return *key;
}

std::string AcceptOrMakeRequestId(absl::string_view presented) {
  return UsableRequestId(presented) ? std::string(presented) : NewRequestId();
}

void LogFailedCall(absl::string_view full_method, const grpc::Status& status,
                   absl::string_view request_id, absl::string_view caller,
                   absl::Duration elapsed) {
  if (status.ok() || Quiet(full_method) || Shed(status)) return;
  LogInfo("rpc_failed",
          {{"method", full_method},
           {"code", absl::StatusCodeToString(
                        static_cast<absl::StatusCode>(status.error_code()))},
           {"message", status.error_message()},
           {"request_id", request_id},
           {"caller", caller},
           {"seconds", absl::ToDoubleSeconds(elapsed)}});
}

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdKey);
  return it == metadata.end() ? std::string() : std::string(ToView(it->second));
}

std::string CallerOf(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr) {
    for (const grpc::string_ref& value :
         auth->FindPropertyValues(kCallerProperty)) {
      return std::string(ToView(value));
    }
  }
  // Only there when the interceptor found it proven (see the header).
  const auto& metadata = context.client_metadata();
  auto forwarded = metadata.find(kForwardedCallerKey);
  if (forwarded != metadata.end()) {
    return std::string(ToView(forwarded->second));
  }
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const grpc::string_ref& value : auth->GetPeerIdentity()) {
      return absl::StrCat(kCertificateCallerPrefix, ToView(value));
    }
  }
  return "anonymous";
}

}  // namespace bulletin
