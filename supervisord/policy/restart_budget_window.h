#pragma once
// RestartBudgetWindow: the restarts of one process (or group) within the last T
// seconds of `restart_budget = N in T`. More than N restarts within T spends the
// budget. Pure: the caller passes the time; nothing here reads a clock.

#include <deque>
#include <optional>

#include "supervisord/config/policy_config.h"

namespace policy {

class RestartBudgetWindow {
 public:
  explicit RestartBudgetWindow(std::optional<config::RestartBudget> budget = std::nullopt) : budget_(budget) {}

  // Whether there is a budget at all (restart_budget set).
  bool limited() const { return budget_.has_value(); }
  int limit() const { return budget_ ? budget_->restarts : 0; }
  double window() const { return budget_ ? budget_->seconds : 0; }
  // Restarts within the window ending at `now`.
  int used(double now) const;
  // Whether one more restart at `now` would make more than N within T. Never without a budget.
  bool wouldExceed(double now) const { return limited() && used(now) + 1 > budget_->restarts; }
  // A restart happened at `now`.
  void record(double now);
  // ha.resetBudget: forget every restart.
  void reset() { restarts_.clear(); }

 private:
  std::optional<config::RestartBudget> budget_;
  std::deque<double> restarts_;  // ascending times
};

}  // namespace policy
