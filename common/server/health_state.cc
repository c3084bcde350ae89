#include "common/server/health_state.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace bulletin {

HealthState::HealthState(std::vector<std::string> service_names)
    : service_names_(std::move(service_names)) {}

void HealthState::Attach(grpc::HealthCheckServiceInterface* service) {
  MutexLock lock(&mutex_);
  grpc_health_ = service;
  PushLocked();
}

void HealthState::Raise(absl::string_view condition, Effect effect) {
  MutexLock lock(&mutex_);
  auto it = conditions_.find(condition);
  if (it != conditions_.end() && it->second == effect) return;
  if (it == conditions_.end()) {
    conditions_.emplace(std::string(condition), effect);
  } else {
    it->second = effect;
  }
  PushLocked();
}

void HealthState::Clear(absl::string_view condition) {
  MutexLock lock(&mutex_);
  auto it = conditions_.find(condition);
  if (it == conditions_.end()) return;
  conditions_.erase(it);
  PushLocked();
}

void HealthState::Set(absl::string_view condition, Effect effect, bool raised) {
  if (raised) {
    Raise(condition, effect);
  } else {
    Clear(condition);
  }
}

bool HealthState::ready() const {
  MutexLock lock(&mutex_);
  return ReadyLocked();
}

bool HealthState::live() const {
  MutexLock lock(&mutex_);
  return LiveLocked();
}

bool HealthState::raised(absl::string_view condition) const {
  MutexLock lock(&mutex_);
  return conditions_.find(condition) != conditions_.end();
}

std::string HealthState::Describe() const {
  MutexLock lock(&mutex_);
  if (conditions_.empty()) return "ready";
  std::vector<absl::string_view> names;
  for (const auto& [name, effect] : conditions_) names.push_back(name);
  return absl::StrCat(LiveLocked() ? "not ready: " : "not live: ",
                      absl::StrJoin(names, ", "));
}

bool HealthState::ReadyLocked() const { return conditions_.empty(); }

bool HealthState::LiveLocked() const {
  for (const auto& [name, effect] : conditions_) {
    if (effect == kNotLive) return false;
  }
  return true;
}

void HealthState::PushLocked() {
  if (grpc_health_ == nullptr) return;
  const bool ready = ReadyLocked();
  grpc_health_->SetServingStatus("", ready);
  for (const std::string& name : service_names_) {
    grpc_health_->SetServingStatus(name, ready);
  }
  grpc_health_->SetServingStatus(kLivenessService, LiveLocked());
}

}  // namespace bulletin
