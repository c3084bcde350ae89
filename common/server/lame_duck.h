// Lame duck: what a service does between SIGTERM and its drain, so that a
// load balancer stops sending it calls before it stops answering them.
//
//   const int signal = bulletin::WaitForTerminationSignal();
//   bulletin::LameDuck(&health, absl::GetFlag(FLAGS_lame_duck_period));
//   server->Shutdown(deadline);   // then drain as before
//
// LameDuck raises the health condition "lame_duck" (gRPC health
// NOT_SERVING, /readyz 503; still live) and returns after `period`, while
// the server keeps answering every call, in flight or new. Kubernetes
// removes the pod from its Services' endpoints when it starts terminating,
// but the endpoints reach every kube-proxy and client-side balancer only
// seconds later; calls still routed here in that window must not fail.
// A second SIGTERM or SIGINT ends the period early (an operator in a hurry).
//
// Thread-safety: call from the thread that waited for the signal, with the
// termination signals still blocked (common/server/termination_signal.h).

#ifndef BULLETIN_COMMON_SERVER_LAME_DUCK_H_
#define BULLETIN_COMMON_SERVER_LAME_DUCK_H_

#include "absl/time/time.h"
#include "common/server/health_state.h"

namespace bulletin {

// The health condition LameDuck raises.
inline constexpr char kLameDuckCondition[] = "lame_duck";

void LameDuck(HealthState* health, absl::Duration period);

}  // namespace bulletin

#endif  // BULLETIN_COMMON_SERVER_LAME_DUCK_H_
