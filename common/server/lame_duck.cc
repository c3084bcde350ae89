#include "common/server/lame_duck.h"

#include "common/log/json_log.h"
#include "common/server/termination_signal.h"

namespace bulletin {

void LameDuck(HealthState* health, absl::Duration period) {
  health->Raise(kLameDuckCondition, HealthState::kNotReady);
  if (period <= absl::ZeroDuration()) return;
  LogInfo("lame_duck", {{"period_s", absl::ToDoubleSeconds(period)}});
  const int second_signal = WaitForTerminationSignalFor(period);
  if (second_signal != 0) {
    LogInfo("lame_duck_cut_short", {{"signal", second_signal}});
  }
}

}  // namespace bulletin
