// The one place a service decides whether it is alive and whether it is
// ready, so that gRPC health, /healthz and /readyz can never disagree.
//
//   bulletin::HealthState health({"bulletin.v1.QueryService"});
//   health.Raise("catching_up", bulletin::HealthState::kNotReady);
//   ... start the server ...
//   health.Attach(server->GetHealthCheckService());
//   health.Clear("catching_up");            // SERVING from here on
//   health.Raise("log_not_writable", bulletin::HealthState::kNotLive);
//   health.ready();   // what /readyz answers
//   health.live();    // what /healthz answers
//
// Services report problems as named conditions. A kNotReady condition takes
// the service out of rotation (a lagging replica, lame duck); a kNotLive one
// also asks its supervisor to restart it (a log that cannot be written) and
// so implies not ready. The service is ready when no condition is raised and
// live when no kNotLive condition is.
//
// On gRPC health (grpc.health.v1): the server as a whole ("") and every
// service name given at construction report SERVING exactly when ready();
// the service name kLivenessService reports SERVING exactly when live(), for
// liveness probes (kubelet's gRPC probe takes a `service`).
//
// Thread-safety: every method may be called from any thread. Changes are
// pushed to gRPC under this object's lock, so gRPC never sees them out of
// order. Ownership: does not own the attached health service, which must
// stay valid while conditions can change (it does for the server's life).

#ifndef BULLETIN_COMMON_SERVER_HEALTH_STATE_H_
#define BULLETIN_COMMON_SERVER_HEALTH_STATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "common/sync/mutex.h"
#include "grpcpp/health_check_service_interface.h"

namespace bulletin {

class HealthState {
 public:
  enum Effect { kNotReady, kNotLive };

  // The gRPC health service name that follows live() rather than ready().
  static constexpr char kLivenessService[] = "liveness";

  explicit HealthState(std::vector<std::string> service_names);
  HealthState(const HealthState&) = delete;
  HealthState& operator=(const HealthState&) = delete;

  // From now on gRPC's health statuses follow this state; pushes it now.
  void Attach(grpc::HealthCheckServiceInterface* service);

  // Raises `condition` with `effect` (replacing the effect it had).
  void Raise(absl::string_view condition, Effect effect);
  // Clears `condition`; nothing happens if it is not raised.
  void Clear(absl::string_view condition);
  // Raises or clears `condition` as `raised` says.
  void Set(absl::string_view condition, Effect effect, bool raised);

  bool ready() const;
  bool live() const;
  bool raised(absl::string_view condition) const;
  // "ready", or the raised conditions, e.g. "not ready: catching_up,
  // lame_duck"; for probe bodies and logs.
  std::string Describe() const;

 private:
  bool ReadyLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  bool LiveLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  void PushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::vector<std::string> service_names_;
  mutable Mutex mutex_;
  std::map<std::string, Effect, std::less<>> conditions_
      ABSL_GUARDED_BY(mutex_);
  grpc::HealthCheckServiceInterface* grpc_health_ ABSL_GUARDED_BY(mutex_) =
      nullptr;
};

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_HEALTH_STATE_H_
